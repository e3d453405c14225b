package io.tunetrace.server.http;

import io.javalin.http.HttpResponseException;
import io.tunetrace.core.ClipTooShortException;
import io.tunetrace.core.TuneTraceException;
import io.tunetrace.core.audio.CorruptAudioException;
import io.tunetrace.core.audio.UnsupportedAudioFormatException;
import io.tunetrace.core.index.IncompatibleParamsException;
import io.tunetrace.server.index.IndexUnavailableException;
import jakarta.validation.ConstraintViolationException;
import java.io.IOException;
import java.util.Locale;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.io.EofException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a failure gets its HTTP status, code and message, for HTTP and WebSocket
 * alike. Messages never carry SQL, bound values, host names or stack traces: whatever is not a
 * known client error is logged here with its cause and answered with a fixed message.
 */
public final class ErrorResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

  private ErrorResponses() {}

  /** The API error a throwable stands for. */
  public static ApiException toApi(Throwable e) {
    if (e instanceof ApiException a) {
      if (a.status() >= 500) {
        LOG.warn("{}: {}", a.getMessage(), a.getCause() == null ? "-" : a.getCause().toString());
      }
      return a;
    }
    if (e instanceof HttpResponseException h) {
      return fromJavalin(h);
    }
    if (e instanceof ConstraintViolationException v) {
      String msg = v.getConstraintViolations().stream()
          .map(c -> c.getPropertyPath() + " " + c.getMessage())
          .sorted()
          .collect(Collectors.joining("; "));
      return ApiException.badRequest(msg);
    }
    if (e instanceof io.tunetrace.server.ws.RecognitionPool.BusyException) {
      return new ApiException(503, "busy", e.getMessage(), e);
    }
    if (e instanceof io.tunetrace.server.jobs.TrackDeleter.IncompleteDeleteException) {
      return ApiException.unavailable(e.getMessage(), e);
    }
    if (e instanceof IndexUnavailableException) {
      LOG.warn("index unavailable: {}", e.toString());
      return ApiException.unavailable("index unavailable: redis is not reachable", e);
    }
    if (e instanceof IncompatibleParamsException) {
      LOG.error("index parameters do not match the server's", e);
      return new ApiException(500, "internal", "index parameters do not match the server's", e);
    }
    if (e instanceof UnsupportedAudioFormatException) {
      return ApiException.notAudio(e.getMessage());
    }
    if (e instanceof ClipTooShortException) {
      return new ApiException(400, "clip_too_short", e.getMessage(), e);
    }
    if (e instanceof CorruptAudioException) {
      return new ApiException(400, "corrupt_audio", e.getMessage(), e);
    }
    if (e instanceof TuneTraceException && e.getCause() instanceof IOException) {
      LOG.warn("decoding failed: {}", e.toString());
      return ApiException.unavailable("audio decoding failed on the server; retry later", e);
    }
    if (e instanceof EofException || e instanceof BadMessageException
        || e instanceof java.nio.channels.ClosedChannelException) {
      // The client closed the connection or sent a broken request: nothing of ours failed.
      LOG.debug("bad or aborted request: {}", e.toString());
      return ApiException.badRequest("request body ended early or is malformed");
    }
    if (e instanceof org.jdbi.v3.core.ConnectionException
        || e instanceof org.jdbi.v3.core.statement.UnableToExecuteStatementException
            && e.getCause() instanceof java.sql.SQLTransientConnectionException) {
      LOG.warn("database unavailable: {}", e.toString());
      return ApiException.unavailable("database unavailable", e);
    }
    LOG.error("unexpected error", e);
    return new ApiException(500, "internal", "internal error", e);
  }

  /**
   * The error of a multipart body the servlet container could not parse, or refused as larger
   * than {@code maxBytes}.
   */
  public static ApiException malformedMultipart(Throwable e, long maxBytes) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (m.contains("exceed") || m.contains("too large") || m.contains("max file size")) {
        return ApiException.tooLarge("upload larger than " + maxBytes + " bytes");
      }
    }
    LOG.debug("malformed multipart body: {}", e.toString());
    return ApiException.badRequest(
        "malformed multipart body: send multipart/form-data with a boundary and complete parts");
  }

  /** The JSON body of an error. */
  public static ErrorBody body(ApiException e) {
    return ErrorBody.of(e);
  }

  private static ApiException fromJavalin(HttpResponseException h) {
    switch (h.getStatus()) {
      case 400:
        return ApiException.badRequest(h.getMessage());
      case 404:
        return ApiException.notFound(h.getMessage());
      case 405:
        return ApiException.methodNotAllowed(h.getMessage());
      case 413:
        return ApiException.tooLarge(h.getMessage());
      default:
        return new ApiException(h.getStatus(), h.getStatus() >= 500 ? "internal" : "invalid_request",
            h.getMessage());
    }
  }
}
