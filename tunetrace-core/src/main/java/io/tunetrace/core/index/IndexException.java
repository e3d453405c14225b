package io.tunetrace.core.index;

import io.tunetrace.core.TuneTraceException;

/** An index cannot be opened, read or written. */
public class IndexException extends TuneTraceException {
  public IndexException(String message) {
    super(message);
  }

  public IndexException(String message, Throwable cause) {
    super(message, cause);
  }
}
