package io.tunetrace.server.http;

import io.tunetrace.server.db.TrackRow;

/** A track as {@code GET /tracks/{id}} shows it (snake_case on the wire). Immutable. */
public record TrackView(
    String id,
    String title,
    String artist,
    String album,
    String status,
    int attempts,
    String lastError,
    Long durationMs,
    Long postingCount,
    String s3Key,
    String contentType,
    long sizeBytes,
    String sha256,
    String createdAt,
    String updatedAt) {

  public static TrackView of(TrackRow t) {
    return new TrackView(t.id().toString(), t.title(), t.artist(), t.album(), t.status().name(),
        t.attempts(), t.lastError(), t.durationMillis(), t.postingCount(), t.s3Key(),
        t.contentType(), t.sizeBytes(), t.sha256(),
        t.createdAt() == null ? null : t.createdAt().toInstant().toString(),
        t.updatedAt() == null ? null : t.updatedAt().toInstant().toString());
  }
}
