package io.tunetrace.core.audio;

import java.io.Closeable;
import java.io.IOException;

/**
 * A stream of mono audio samples in [-1, 1] at a fixed sample rate. Decoders downmix every channel
 * count to mono. Reading is sequential and in bounded memory, so a two-hour file never needs to be
 * held whole.
 *
 * <p>Not thread-safe: one reader at a time.
 */
public interface PcmSource extends Closeable {
  /** The sample rate of the samples {@link #read} returns, in Hz. */
  int sampleRateHz();

  /**
   * Reads up to {@code length} samples into {@code buffer} starting at {@code offset}.
   *
   * @return the number of samples read, at least 1, or -1 at the end of the audio
   * @throws CorruptAudioException when the audio cannot be decoded further
   */
  int read(float[] buffer, int offset, int length) throws IOException;

  @Override
  void close() throws IOException;

  /**
   * Reads {@code source} to its end, or until {@code maxSamples} are read, into an array of the
   * exact length read. Does not close it.
   */
  static float[] readAll(PcmSource source, int maxSamples) throws IOException {
    if (maxSamples < 0) {
      throw new IllegalArgumentException("maxSamples < 0: " + maxSamples);
    }
    float[] buffer = new float[Math.min(maxSamples, 1 << 16)];
    int size = 0;
    int n;
    while (size < maxSamples && (n = source.read(buffer, size, buffer.length - size)) >= 0) {
      size += n;
      if (size == buffer.length && size < maxSamples) {
        buffer = java.util.Arrays.copyOf(buffer, (int) Math.min(maxSamples, buffer.length * 2L));
      }
    }
    return size == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, size);
  }

  /** Samples already in memory, read in caller-sized blocks; the array is not copied. */
  static PcmSource of(float[] samples, int sampleRateHz) {
    if (sampleRateHz <= 0) {
      throw new IllegalArgumentException("sampleRateHz <= 0: " + sampleRateHz);
    }
    return new Resampler.ArraySource(java.util.Objects.requireNonNull(samples, "samples == null"),
        sampleRateHz);
  }
}
