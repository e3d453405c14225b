package io.tunetrace.core;

/** A query holds less audio than recognition needs (one second). Record a longer clip. */
public class ClipTooShortException extends TuneTraceException {
  public ClipTooShortException(String message) {
    super(message);
  }
}
