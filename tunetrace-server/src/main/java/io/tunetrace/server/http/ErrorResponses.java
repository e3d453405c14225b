package io.tunetrace.server.http;

import io.tunetrace.core.TuneTraceException;
import io.tunetrace.core.audio.CorruptAudioException;
import io.tunetrace.core.audio.UnsupportedAudioFormatException;
import io.tunetrace.core.index.IncompatibleParamsException;
import io.tunetrace.server.index.IndexUnavailableException;
import jakarta.validation.ConstraintViolationException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps every failure to one {@link ApiException}: the single place where errors get a status. */
public final class ErrorResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

  private ErrorResponses() {}

  /** The API error a throwable stands for. */
  public static ApiException toApi(Throwable e) {
    if (e instanceof ApiException a) {
      return a;
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
      return ApiException.unavailable("index unavailable: redis is not reachable", e);
    }
    if (e instanceof IncompatibleParamsException) {
      return new ApiException(500, "internal", "index parameters do not match the server's", e);
    }
    if (e instanceof UnsupportedAudioFormatException) {
      return ApiException.notAudio(e.getMessage());
    }
    if (e instanceof io.tunetrace.core.ClipTooShortException) {
      return new ApiException(400, "clip_too_short", e.getMessage(), e);
    }
    if (e instanceof CorruptAudioException) {
      return new ApiException(400, "corrupt_audio", e.getMessage(), e);
    }
    if (e instanceof TuneTraceException && e.getCause() instanceof java.io.IOException) {
      return ApiException.unavailable(e.getMessage(), e);
    }
    if (e instanceof org.jdbi.v3.core.ConnectionException
        || e instanceof org.jdbi.v3.core.statement.UnableToExecuteStatementException
            && e.getCause() instanceof java.sql.SQLTransientConnectionException) {
      return ApiException.unavailable("database unavailable", e);
    }
    LOG.error("unexpected error", e);
    return new ApiException(500, "internal", "internal error", e);
  }

  /** The JSON body of an error. */
  public static Map<String, Object> body(ApiException e) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", e.code());
    error.put("message", e.getMessage());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", false);
    body.put("error", error);
    return body;
  }
}
