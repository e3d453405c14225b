package io.tunetrace.server.support;

import java.util.UUID;

/** Values for track rows inserted by tests. */
public final class TestTracks {
  private TestTracks() {}

  /**
   * A content hash of its own for the track {@code id} (64 hex digits): tracks are unique by
   * content, so rows that stand for different uploads need different hashes.
   */
  public static String sha256Of(UUID id) {
    String hex = id.toString().replace("-", "");
    return hex + hex;
  }
}
