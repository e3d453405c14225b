package io.tunetrace.core.audio;

/**
 * Audio container formats recognized by their leading bytes (magic numbers), never by a file
 * extension. {@link #UNKNOWN} means the bytes are not audio we recognize.
 */
public enum AudioContainer {
  WAV("audio/wav"),
  MP3("audio/mpeg"),
  OGG("audio/ogg"),
  FLAC("audio/flac"),
  MP4("audio/mp4"),
  WEBM("audio/webm"),
  AIFF("audio/aiff"),
  UNKNOWN("application/octet-stream");

  private final String mimeType;

  AudioContainer(String mimeType) {
    this.mimeType = mimeType;
  }

  /** The MIME type to store with such bytes, for example {@code audio/mpeg}. */
  public String mimeType() {
    return mimeType;
  }
}
