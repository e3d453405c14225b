package io.tunetrace.core.audio;

import java.nio.file.Path;

/**
 * Which optional decoders are usable: the pure-Java MP3 decoder (present on the class path or not)
 * and the ffmpeg/ffprobe executables. Read from the environment on every {@code open}, or built
 * explicitly by tests.
 *
 * <p>Immutable and thread-safe.
 */
record DecoderTools(boolean javaMp3, String ffmpeg, String ffprobe, boolean ffmpegConfigured) {
  static final String JAVAMP3_CLASS = "fr.delthas.javamp3.Sound";
  static final String JAVAMP3_COORDINATES = "fr.delthas:javamp3:1.0.1";

  static DecoderTools fromEnvironment() {
    boolean javaMp3;
    try {
      Class.forName(JAVAMP3_CLASS, false, DecoderTools.class.getClassLoader());
      javaMp3 = true;
    } catch (ClassNotFoundException | LinkageError e) {
      javaMp3 = false;
    }
    String ffmpeg = setting("tunetrace.ffmpeg", "TUNETRACE_FFMPEG");
    String ffprobe = setting("tunetrace.ffprobe", "TUNETRACE_FFPROBE");
    boolean configured = ffmpeg != null;
    if (ffmpeg == null) {
      ffmpeg = "ffmpeg";
    }
    if (ffprobe == null) {
      Path parent = configured ? Path.of(ffmpeg).getParent() : null;
      ffprobe = parent == null ? "ffprobe" : parent.resolve("ffprobe").toString();
    }
    return new DecoderTools(javaMp3, ffmpeg, ffprobe, configured);
  }

  private static String setting(String property, String env) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      v = System.getenv(env);
    }
    return v == null || v.isBlank() ? null : v;
  }

  /** The message for a format that needs ffmpeg when ffmpeg cannot be started. */
  String ffmpegMissing(String what) {
    String where = ffmpegConfigured ? "was not found at " + ffmpeg : "was not found on PATH";
    return what
        + " needs ffmpeg, which "
        + where
        + ": install it (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg)"
        + " or set TUNETRACE_FFMPEG";
  }
}
