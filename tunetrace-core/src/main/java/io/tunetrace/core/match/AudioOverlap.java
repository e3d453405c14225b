package io.tunetrace.core.match;

import io.tunetrace.core.index.Track;

/**
 * Two indexed tracks that hold the same stretch of audio: {@code [firstStartMillis,
 * firstStopMillis]} of {@code first} sounds like {@code [secondStartMillis, secondStopMillis]} of
 * {@code second}. {@code first} has the lower id.
 */
public record AudioOverlap(
    Track first,
    long firstStartMillis,
    long firstStopMillis,
    Track second,
    long secondStartMillis,
    long secondStopMillis) {

  public AudioOverlap {
    if (first == null || second == null) {
      throw new IllegalArgumentException("first and second are required");
    }
    if (first.id() >= second.id()) {
      throw new IllegalArgumentException(
          "first.id() >= second.id(): " + first.id() + " >= " + second.id());
    }
    if (firstStopMillis < firstStartMillis || secondStopMillis < secondStartMillis) {
      throw new IllegalArgumentException("span stops before it starts: [" + firstStartMillis + ", "
          + firstStopMillis + "] [" + secondStartMillis + ", " + secondStopMillis + "]");
    }
  }
}
