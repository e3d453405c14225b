package io.tunetrace.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.tunetrace.core.audio.CorruptAudioException;
import io.tunetrace.server.index.IndexUnavailableException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.sql.SQLException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;

class ErrorResponsesTest {
  @Test
  void aDatabaseErrorNeverShowsItsSqlOrValues() {
    var e = new UnableToExecuteStatementException(
        new SQLException("ERROR: invalid byte sequence [statement:\"INSERT INTO tracks\", title:x]"),
        null);
    ApiException api = ErrorResponses.toApi(e);
    assertEquals(500, api.status());
    assertEquals("internal", api.code());
    assertEquals("internal error", api.getMessage());
  }

  @Test
  void clientErrorsKeepTheirStatusAndMessage() {
    ApiException own = ApiException.notFound("no track x");
    assertSame(own, ErrorResponses.toApi(own));
    ApiException corrupt = ErrorResponses.toApi(new CorruptAudioException("WAV: fmt chunk has 0 channels"));
    assertEquals(400, corrupt.status());
    assertEquals("corrupt_audio", corrupt.code());
    assertEquals("WAV: fmt chunk has 0 channels", corrupt.getMessage());
    ApiException redis = ErrorResponses.toApi(new IndexUnavailableException("redis at 10.0.0.7:6379 refused",
        new IOException("refused")));
    assertEquals(503, redis.status());
    assertEquals("index unavailable: redis is not reachable", redis.getMessage());
  }

  @Test
  void anAbortedRequestIsAClientError() {
    ApiException api = ErrorResponses.toApi(new ClosedChannelException());
    assertEquals(400, api.status());
    assertEquals("request body ended early or is malformed", api.getMessage());
  }

  @Test
  void multipartFailuresAre400OrTheSizeLimit() {
    ApiException tooBig = ErrorResponses.malformedMultipart(
        new IllegalStateException("Multipart Mime part file exceeds max filesize"), 1024);
    assertEquals(413, tooBig.status());
    assertEquals("upload larger than 1024 bytes", tooBig.getMessage());
    ApiException broken = ErrorResponses.malformedMultipart(
        new IOException("Missing initial multi part boundary"), 1024);
    assertEquals(400, broken.status());
    assertEquals("invalid_request", broken.code());
    assertEquals("malformed multipart body: send multipart/form-data with a boundary and complete"
        + " parts", broken.getMessage());
  }
}
