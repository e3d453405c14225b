package io.tunetrace.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** The JSON bodies of successful answers, as records (snake_case on the wire). */
public final class Replies {
  private Replies() {}

  /** {@code GET /health}. */
  public record Health(boolean ok) {}

  /**
   * {@code GET /ready}: {@code mode} and {@code checks} only for callers allowed to see operations
   * details ({@code OPS_ACCESS}); {@code error} when a dependency is down.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Readiness(boolean ok, String mode, Map<String, String> checks, ErrorBody.Detail error) {}

  /**
   * {@code POST /tracks}: 201 for a new track; 200 with {@code duplicate_of} and the existing
   * {@code track} when the same bytes were uploaded before.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Upload(String id, String s3Key, String status, String duplicateOf, TrackView track) {}

  /** {@code GET /tracks}. */
  public record TrackPage(List<TrackView> tracks, long total, int limit, int offset) {}

  /** {@code DELETE /tracks/{id}}. */
  public record Deleted(boolean ok, String id) {}

  /** {@code POST /tracks/{id}/retry}: the track is queued again. */
  public record Retried(String id, String status) {}

  /** {@code POST /admin/reindex}: the READY tracks re-queued because their index entry was missing. */
  public record Reindexed(boolean ok, int requeued, List<String> ids) {}

  /**
   * {@code POST /recognize} and the WebSocket one-shot: {@code match} is null when none; {@code
   * recognition_id} names the recognition for {@code GET /recognitions/{id}} and its explanation.
   */
  public record Recognition(boolean ok, Map<String, Object> match, String recognitionId) {}
}
