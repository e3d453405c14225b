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
    if (!sha256.isEmpty() && !sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("sha256 is not 64 hex digits: " + sha256);
    }
  }

  public TrackMetadata withTitle(String newTitle) {
    return new TrackMetadata(newTitle, artist, album, sourcePath, durationMillis, sha256);
  }

  public TrackMetadata withArtist(String newArtist) {
    return new TrackMetadata(title, newArtist, album, sourcePath, durationMillis, sha256);
  }
}
