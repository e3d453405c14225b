package io.tunetrace.core.audio;

import java.io.IOException;

/**
 * Counts the samples that pass through a source and, when given a limit, refuses to go beyond it:
 * the read that passes {@code maxMillis} of audio throws {@link AudioTooLongException}. It owns the
 * source and closes it. Not thread-safe.
 */
public final class CountingPcmSource implements PcmSource {
  private final PcmSource source;
  private final long maxMillis;
  private final long maxSamples;
  private long samples;

  /** Counts without a limit. */
  public CountingPcmSource(PcmSource source) {
    this(source, Long.MAX_VALUE);
  }

  /** Counts, and stops once more than {@code maxMillis} of audio came out (see above). */
  public CountingPcmSource(PcmSource source, long maxMillis) {
    if (source == null) {
      throw new NullPointerException("source == null");
    }
    if (maxMillis <= 0) {
      throw new IllegalArgumentException("maxMillis <= 0: " + maxMillis);
    }
    this.source = source;
    this.maxMillis = maxMillis;
    long rate = Math.max(1, source.sampleRateHz());
    this.maxSamples = maxMillis > Long.MAX_VALUE / rate ? Long.MAX_VALUE : maxMillis * rate / 1000;
  }

  /** Samples read so far. */
  public long samplesRead() {
    return samples;
  }

  @Override
  public int sampleRateHz() {
    return source.sampleRateHz();
  }

  @Override
  public int read(float[] buffer, int offset, int length) throws IOException {
    int n = source.read(buffer, offset, length);
    if (n > 0) {
      samples += n;
      if (samples > maxSamples) {
        throw new AudioTooLongException(maxMillis);
      }
    }
    return n;
  }

  @Override
  public void close() throws IOException {
    source.close();
  }
}
