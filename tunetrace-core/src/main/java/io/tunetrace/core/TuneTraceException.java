package io.tunetrace.core;

/**
 * Root of the core's unchecked exceptions. Every failure the library raises on purpose is one of
 * these (I/O failures at the edges stay {@link java.io.IOException}); the cause is always kept.
 */
public class TuneTraceException extends RuntimeException {
  public TuneTraceException(String message) {
    super(message);
  }

  public TuneTraceException(String message, Throwable cause) {
    super(message, cause);
  }
}
