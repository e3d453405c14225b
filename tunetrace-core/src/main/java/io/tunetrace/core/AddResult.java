package io.tunetrace.core;

import io.tunetrace.core.index.Track;
import java.util.Optional;

/**
 * What {@link TuneTrace#add} did with a file.
 *
 * @param track the stored track (for a duplicate, the track already indexed with the same bytes)
 * @param duplicate true when the content hash was already indexed and nothing was added
 * @param audioMillis duration of the audio that was read
 * @param sameAudioAs for a newly added file, an already indexed track that holds the same audio
 *     (another encoding or tagging of the recording), if any
 * @param replaced for a newly added file, the track that was indexed under the same path before
 *     and was replaced by this one, if any
 */
public record AddResult(
    Track track,
    boolean duplicate,
    long audioMillis,
    Optional<Track> sameAudioAs,
    Optional<Track> replaced) {

  public AddResult(Track track, boolean duplicate, long audioMillis) {
    this(track, duplicate, audioMillis, Optional.empty(), Optional.empty());
  }
}
