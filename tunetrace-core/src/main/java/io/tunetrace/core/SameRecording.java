package io.tunetrace.core;

import io.tunetrace.core.index.Track;

/**
 * Another indexed track that holds the same audio as a {@link Match} at the matched point: a
 * re-encoded or re-tagged copy, a compilation or a long mix that contains the track.
 *
 * @param track the other track
 * @param deltaMillis where in that track the clip starts (reference offset minus query offset)
 * @param score how sure the match against that track is on its own, in [0, 1]
 * @param queryStartMillis first moment of the clip that agrees with that track
 * @param queryStopMillis last moment of the clip that agrees with that track (a compilation may
 *     hold only part of what the clip holds)
 */
public record SameRecording(
    Track track, long deltaMillis, double score, long queryStartMillis, long queryStopMillis) {

  /** A copy whose agreeing span is not known. */
  public SameRecording(Track track, long deltaMillis, double score) {
    this(track, deltaMillis, score, 0, 0);
  }

  public SameRecording {
    if (track == null) {
      throw new IllegalArgumentException("track == null");
    }
    if (score < 0 || score > 1 || Double.isNaN(score)) {
      throw new IllegalArgumentException("score out of [0, 1]: " + score);
    }
  }
}
