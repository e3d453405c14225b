package io.tunetrace.core.index;

import java.util.Locale;

/**
 * What is known about a track besides its fingerprints.
 *
 * @param title required, non-blank
 * @param artist may be empty, never null
 * @param album may be empty, never null
 * @param sourcePath where the audio was added from (a file path or an object key); may be empty
 * @param durationMillis the audio's duration
 * @param sha256 lowercase hex SHA-256 of the source bytes (64 chars), or empty when unknown
 */
public record TrackMetadata(
    String title, String artist, String album, String sourcePath, long durationMillis, String sha256) {

  public TrackMetadata {
    if (title == null || title.isBlank()) {
      throw new IllegalArgumentException("title is blank");
    }
    artist = artist == null ? "" : artist;
    album = album == null ? "" : album;
    sourcePath = sourcePath == null ? "" : sourcePath;
    sha256 = sha256 == null ? "" : sha256.toLowerCase(Locale.ROOT);
    if (durationMillis < 0) {
      throw new IllegalArgumentException("durationMillis < 0: " + durationMillis);
    }
    if (!sha256.isEmpty() && !isSha256Hex(sha256)) {
      throw new IllegalArgumentException("sha256 is not 64 hex digits: " + sha256);
    }
  }

  /**
   * 64 lowercase hex digits; by hand, not a regular expression: an index's every track is checked
   * when it opens (150,000 at 10,000 h).
   */
  private static boolean isSha256Hex(String s) {
    if (s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  public TrackMetadata withTitle(String newTitle) {
    return new TrackMetadata(newTitle, artist, album, sourcePath, durationMillis, sha256);
  }

  public TrackMetadata withArtist(String newArtist) {
    return new TrackMetadata(title, newArtist, album, sourcePath, durationMillis, sha256);
  }
}
