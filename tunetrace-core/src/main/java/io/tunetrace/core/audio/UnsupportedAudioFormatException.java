package io.tunetrace.core.audio;

import io.tunetrace.core.TuneTraceException;

/** The bytes are not audio the library can decode (or need a tool that is not installed). */
public class UnsupportedAudioFormatException extends TuneTraceException {
  public UnsupportedAudioFormatException(String message) {
    super(message);
  }

  public UnsupportedAudioFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
