package io.tunetrace.core.audio;

import io.tunetrace.core.TuneTraceException;

/**
 * The audio goes on beyond a length limit ({@link AudioDecoders#limitDuration}); decoding stopped
 * at the limit.
 */
public class AudioTooLongException extends TuneTraceException {
  private final long maxMillis;

  public AudioTooLongException(long maxMillis) {
    super("audio longer than " + describe(maxMillis) + ": decoding stopped there");
    this.maxMillis = maxMillis;
  }

  /** The limit that was exceeded, in milliseconds. */
  public long maxMillis() {
    return maxMillis;
  }

  /** {@code 4 h}, {@code 1 h 30 min}, {@code 90 s}, {@code 250 ms}. */
  static String describe(long millis) {
    if (millis % 1000 != 0) {
      return millis + " ms";
    }
    long s = millis / 1000;
    if (s < 3600 || s % 60 != 0) {
      return s + " s";
    }
    long h = s / 3600;
    long min = s % 3600 / 60;
    return min == 0 ? h + " h" : h + " h " + min + " min";
  }
}
