package io.tunetrace.core;

import io.tunetrace.core.index.Track;
import java.util.List;

/**
 * One recognized track.
 *
 * @param track the track and its metadata
 * @param confidence the number of time-consistent hash votes for this alignment
 * @param score how sure the match is, in [0, 1]; accepted matches score at least the recognizer's
 *     threshold
 * @param deltaMillis reference offset minus query offset: where in the track the clip starts
 * @param queryStartMillis first matching moment within the query
 * @param queryStopMillis last matching moment within the query
 * @param refStartMillis first matching moment within the track
 * @param refStopMillis last matching moment within the track
 * @param matchedShare share of the query's seconds that hold at least one consistent vote, [0, 1]
 * @param speed playback speed of the query relative to the track (1.0 = same speed)
 * @param sameRecording other tracks that hold the same audio at this point (copies of the
 *     recording), best first; empty when there are none
 */
public record Match(
    Track track,
    int confidence,
    double score,
    long deltaMillis,
    long queryStartMillis,
    long queryStopMillis,
    long refStartMillis,
    long refStopMillis,
    double matchedShare,
    double speed,
    List<SameRecording> sameRecording) {

  /** A match with no other copy of the recording. */
  public Match(Track track, int confidence, double score, long deltaMillis, long queryStartMillis,
      long queryStopMillis, long refStartMillis, long refStopMillis, double matchedShare,
      double speed) {
    this(track, confidence, score, deltaMillis, queryStartMillis, queryStopMillis, refStartMillis,
        refStopMillis, matchedShare, speed, List.of());
  }

  public Match {
    if (track == null) {
      throw new IllegalArgumentException("track == null");
    }
    if (score < 0 || score > 1 || Double.isNaN(score)) {
      throw new IllegalArgumentException("score out of [0, 1]: " + score);
    }
    if (matchedShare < 0 || matchedShare > 1 || Double.isNaN(matchedShare)) {
      throw new IllegalArgumentException("matchedShare out of [0, 1]: " + matchedShare);
    }
    sameRecording = List.copyOf(sameRecording);
  }

  /** This match with {@code copies} as its other copies of the recording. */
  public Match withSameRecording(List<SameRecording> copies) {
    return new Match(track, confidence, score, deltaMillis, queryStartMillis, queryStopMillis,
        refStartMillis, refStopMillis, matchedShare, speed, copies);
  }
}
