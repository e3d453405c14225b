package io.tunetrace.server.http;

/**
 * An HTTP or WebSocket request failed with a status and a stable error code; rendered as {@code
 * {"ok": false, "error": {"code": ..., "message": ...}}} by {@link ErrorResponses}. Handlers throw
 * these (or domain exceptions that {@link ErrorResponses#toApi} maps); nothing else picks a status.
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String code;

  public ApiException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public ApiException(int status, String code, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "invalid_request", message);
  }

  /** A WebSocket text message that is not a valid {@code start} or {@code stop}. */
  public static ApiException invalidMessage(String message) {
    return new ApiException(400, "invalid_message", message);
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(401, "unauthorized", message);
  }

  public static ApiException forbidden(String message) {
    return new ApiException(403, "forbidden", message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "not_found", message);
  }

  public static ApiException methodNotAllowed(String message) {
    return new ApiException(405, "method_not_allowed", message);
  }

  public static ApiException tooLarge(String message) {
    return new ApiException(413, "payload_too_large", message);
  }

  public static ApiException notAudio(String message) {
    return new ApiException(415, "unsupported_media_type", message);
  }

  public static ApiException rateLimited(String message) {
    return new ApiException(429, "rate_limited", message);
  }

  public static ApiException unavailable(String message, Throwable cause) {
    return new ApiException(503, "unavailable", message, cause);
  }
}
