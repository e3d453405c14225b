package io.tunetrace.core;

import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.hash.Fingerprints;
import java.io.IOException;

/**
 * Turns audio into landmark hashes: resample to the analysis rate, STFT, spectral peaks, landmark
 * pairs, hashes. Works in bounded memory on streams of any length.
 *
 * <p>Thread-safe: one instance may fingerprint on many threads at once.
 */
public final class Fingerprinter {
  private final FingerprintParams params;

  public Fingerprinter(FingerprintParams params) {
    if (params == null) {
      throw new IllegalArgumentException("params == null");
    }
    this.params = params;
  }

  public FingerprintParams params() {
    return params;
  }

  /** Fingerprints mono samples in [-1, 1] at the given rate. */
  public Fingerprints fingerprint(float[] samples, int sampleRateHz) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Reads {@code source} to its end and fingerprints it; does not close it. */
  public Fingerprints fingerprint(PcmSource source) throws IOException {
    throw new UnsupportedOperationException("TODO");
  }
}
