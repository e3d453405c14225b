package io.tunetrace.core.match;

import io.tunetrace.core.index.Track;
import java.util.List;

/**
 * Indexed tracks that share audio, directly or through one another (A holds part of B, B is a
 * re-encoding of C).
 *
 * @param tracks at least two tracks, ordered by id
 * @param overlaps the shared stretches found, ordered by the first track's id, then the second's,
 *     then where they start in the first
 */
public record SameAudioGroup(List<Track> tracks, List<AudioOverlap> overlaps) {
  public SameAudioGroup {
    tracks = List.copyOf(tracks);
    overlaps = List.copyOf(overlaps);
    if (tracks.size() < 2) {
      throw new IllegalArgumentException("a group needs two tracks, got " + tracks.size());
    }
  }
}
