package io.tunetrace.server.http;

/**
 * The one error shape of HTTP and WebSocket: {@code {"ok": false, "error": {"code": "...",
 * "message": "..."}}}. Immutable.
 */
public record ErrorBody(boolean ok, Detail error) {

  /** The {@code error} object. */
  public record Detail(String code, String message) {}

  public static ErrorBody of(ApiException e) {
    return new ErrorBody(false, new Detail(e.code(), e.getMessage()));
  }
}
