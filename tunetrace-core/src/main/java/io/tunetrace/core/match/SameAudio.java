package io.tunetrace.core.match;

import io.tunetrace.core.index.Track;

/**
 * A stretch of audio that a query (a file about to be added, or an indexed track read again) shares
 * with an indexed track: the same recording in another encoding or tagging, or a compilation or
 * mix that contains it. Found by {@link SameAudioFinder}.
 *
 * @param track the indexed track that holds the audio
 * @param queryStartMillis where the shared stretch starts in the query
 * @param queryStopMillis where it stops in the query
 * @param trackStartMillis where it starts in {@code track}
 * @param trackStopMillis where it stops in {@code track}
 * @param windows how many of the query's analysis windows found it
 */
public record SameAudio(
    Track track,
    long queryStartMillis,
    long queryStopMillis,
    long trackStartMillis,
    long trackStopMillis,
    int windows) {

  public SameAudio {
    if (track == null) {
      throw new IllegalArgumentException("track == null");
    }
    if (queryStopMillis < queryStartMillis || trackStopMillis < trackStartMillis) {
      throw new IllegalArgumentException("span stops before it starts: [" + queryStartMillis + ", "
          + queryStopMillis + "] [" + trackStartMillis + ", " + trackStopMillis + "]");
    }
    if (windows < 1) {
      throw new IllegalArgumentException("windows < 1: " + windows);
    }
  }

  /** Where the track's audio sits relative to the query's: track position minus query position. */
  public long offsetMillis() {
    return trackStartMillis - queryStartMillis;
  }
}
