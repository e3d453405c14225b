package io.tunetrace.core.index;

import io.tunetrace.core.hash.Fingerprints;

/** One entry of a batched {@link FingerprintIndex#add}: metadata and the track's fingerprints. */
public record NewTrack(TrackMetadata metadata, Fingerprints fingerprints) {
  public NewTrack {
    if (metadata == null || fingerprints == null) {
      throw new IllegalArgumentException("metadata and fingerprints are required");
    }
  }
}
