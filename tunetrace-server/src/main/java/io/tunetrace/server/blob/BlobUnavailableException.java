package io.tunetrace.server.blob;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/**
 * Object storage could not be reached or the connection broke (refused, reset, ended early, timed
 * out): a failure of the storage, never of the object, so a job that hits it is put back without
 * counting an attempt.
 */
public final class BlobUnavailableException extends IOException {
  public BlobUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * True when {@code e} or one of its causes is a connection failure: refused, reset, no route,
   * unknown host, a timeout, or a connection that ended before its response ("unexpected end of
   * stream", as a stale pooled connection does).
   */
  public static boolean isConnectionFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BlobUnavailableException
          || t instanceof ConnectException
          || t instanceof NoRouteToHostException
          || t instanceof UnknownHostException
          || t instanceof SocketTimeoutException
          || t instanceof SocketException
          || t instanceof EOFException
          || (t instanceof InterruptedIOException && "timeout".equals(t.getMessage()))) {
        return true;
      }
      String m = t.getMessage();
      if (t instanceof IOException && m != null && (m.startsWith("unexpected end of stream")
          || m.contains("Connection reset") || m.contains("Broken pipe"))) {
        return true;
      }
    }
    return false;
  }
}
