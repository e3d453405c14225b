package io.tunetrace.server.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One row of the {@code tracks} table. Immutable. */
public record TrackRow(
    UUID id,
    String title,
    String artist,
    String album,
    String s3Key,
    String contentType,
    long sizeBytes,
    String sha256,
    TrackStatus status,
    int attempts,
    String lastError,
    Long durationMillis,
    Long postingCount,
    Integer indexId,
    OffsetDateTime createdAt,
    OffsetDateTime updatedAt) {

  static TrackRow map(ResultSet rs) throws SQLException {
    return new TrackRow(
        rs.getObject("id", UUID.class),
        rs.getString("title"),
        rs.getString("artist"),
        rs.getString("album"),
        rs.getString("s3_key"),
        rs.getString("content_type"),
        rs.getLong("size_bytes"),
        rs.getString("sha256"),
        TrackStatus.valueOf(rs.getString("status")),
        rs.getInt("attempts"),
        rs.getString("last_error"),
        (Long) rs.getObject("duration_ms", Long.class),
        (Long) rs.getObject("posting_count", Long.class),
        (Integer) rs.getObject("index_id", Integer.class),
        rs.getObject("created_at", OffsetDateTime.class),
        rs.getObject("updated_at", OffsetDateTime.class));
  }
}
