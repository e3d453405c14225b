package io.tunetrace.core.audio;

import io.tunetrace.core.TuneTraceException;

/** The bytes claim to be a known format but cannot be decoded (truncated, hostile, inconsistent). */
public class CorruptAudioException extends TuneTraceException {
  public CorruptAudioException(String message) {
    super(message);
  }

  public CorruptAudioException(String message, Throwable cause) {
    super(message, cause);
  }
}
