package io.tunetrace.core;

import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.index.FingerprintIndex;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Names the track a clip comes from: fingerprints the clip, looks the hashes up, votes per
 * (track, offset), verifies the best candidates and applies a calibrated acceptance rule, so unknown
 * audio gets "no match" rather than a guess.
 *
 * <p>Thread-safe when its index is (every {@link FingerprintIndex} is).
 */
public final class Recognizer {
  private final FingerprintIndex index;
  private final Fingerprinter fingerprinter;

  public Recognizer(FingerprintIndex index) {
    this.index = index;
    this.fingerprinter = new Fingerprinter(index.params());
  }

  public FingerprintIndex index() {
    return index;
  }

  public Fingerprinter fingerprinter() {
    return fingerprinter;
  }

  /** Recognizes a clip of mono samples in [-1, 1]. */
  public MatchResult recognize(float[] samples, int sampleRateHz) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Reads the clip to its end (at most a few minutes are kept) and recognizes it. */
  public MatchResult recognize(PcmSource source) throws IOException {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Slides a window over a long recording in bounded memory and reports every track heard, as it
   * is found, with its start and stop in the recording and in the track.
   */
  public void monitor(PcmSource recording, Consumer<Detection> detections) throws IOException {
    throw new UnsupportedOperationException("TODO");
  }
}
