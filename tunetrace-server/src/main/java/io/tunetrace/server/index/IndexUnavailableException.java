package io.tunetrace.server.index;

import io.tunetrace.core.index.IndexException;

/** The index's store (Redis) cannot be reached; the request may succeed later. */
public final class IndexUnavailableException extends IndexException {
  public IndexUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
