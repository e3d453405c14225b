package io.tunetrace.core;

import io.tunetrace.core.index.Track;
import java.util.List;

/**
 * A track heard in a long recording by {@link Recognizer#monitor}.
 *
 * @param track the track
 * @param queryStartMillis where it starts being heard in the recording
 * @param queryStopMillis where it stops being heard in the recording
 * @param refStartMillis the matching start within the track
 * @param refStopMillis the matching stop within the track
 * @param score the best window score of this detection, in [0, 1]
 * @param sameRecording other tracks holding the same audio, as first found for this detection
 *     (see {@link Match#sameRecording()})
 */
public record Detection(
    Track track,
    long queryStartMillis,
    long queryStopMillis,
    long refStartMillis,
    long refStopMillis,
    double score,
    List<SameRecording> sameRecording) {

  /** A detection with no other copy of the recording. */
  public Detection(Track track, long queryStartMillis, long queryStopMillis, long refStartMillis,
      long refStopMillis, double score) {
    this(track, queryStartMillis, queryStopMillis, refStartMillis, refStopMillis, score,
        List.of());
  }

  public Detection {
    sameRecording = List.copyOf(sameRecording);
  }
}
