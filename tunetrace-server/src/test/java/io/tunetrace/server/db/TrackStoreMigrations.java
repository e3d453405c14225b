package io.tunetrace.server.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunetrace.server.jobs.JobQueue;
import io.tunetrace.server.support.TestTracks;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.flywaydb.core.Flyway;

/**
 * What V3 (index ids from a sequence) and V3_1 (unique content) do to a database that has tracks,
 * shared by the H2 test and the PostgreSQL IT.
 */
final class TrackStoreMigrations {
  private TrackStoreMigrations() {}

  /** Migrates an empty database to V2_1 (before this change), as a deployment of then left it. */
  static void migrateToV2_1(String jdbcUrl, String user, String schema) {
    Flyway.configure().dataSource(jdbcUrl, user, "").schemas(schema).createSchemas(true)
        .target("2.1").load().migrate();
  }

  /**
   * Rows of before: index ids up to 41 (the Redis counter's), and the same bytes stored twice by
   * two API processes (the race the unique content hash now closes).
   */
  static void insertOldRows(String jdbcUrl, String user, UUID older, UUID newer, UUID other)
      throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, "");
        PreparedStatement s = c.prepareStatement("INSERT INTO tracks (id, title, artist, album,"
            + " s3_key, content_type, size_bytes, sha256, status, attempts, index_id, created_at,"
            + " updated_at) VALUES (?, 't', 'a', '', ?, 'audio/wav', 1, ?, 'READY', 1, ?, ?, ?)")) {
      OffsetDateTime t0 = OffsetDateTime.of(2026, 11, 1, 0, 0, 0, 0, ZoneOffset.UTC);
      Object[][] rows = {
          {older, "a".repeat(64), 7, t0},
          {newer, "a".repeat(64), 41, t0.plusMinutes(1)},
          {other, "b".repeat(64), 12, t0.plusMinutes(2)}};
      for (Object[] r : rows) {
        s.setObject(1, r[0]);
        s.setString(2, "tracks/" + r[0] + ".wav");
        s.setString(3, (String) r[1]);
        s.setInt(4, (Integer) r[2]);
        s.setObject(5, r[3]);
        s.setObject(6, r[3]);
        s.executeUpdate();
      }
    }
  }

  /**
   * Checks a database migrated past V3_1 over {@link #insertOldRows}: ids continue above 41, the
   * old duplicates are kept, and new copies of either content are refused.
   */
  static void checkMigrated(Database db, UUID older, UUID newer) {
    TrackStore store = new TrackStore(db, new JobQueue(db, "m", 3, 10_000, 10));
    assertEquals(42, store.nextIndexId());
    assertEquals(43, store.nextIndexId());
    assertEquals(older, store.findBySha256("a".repeat(64)).orElseThrow().id());
    assertEquals(newer, store.find(newer).orElseThrow().id());
    for (String sha : new String[] {"a".repeat(64), "b".repeat(64)}) {
      UUID id = UUID.randomUUID();
      TrackStore.DuplicateContentException e = assertThrows(
          TrackStore.DuplicateContentException.class, () -> store.insertQueued(
              new TrackStore.NewTrackRow(id, "copy", "a", "", "tracks/" + id + ".wav",
                  "audio/wav", 1, sha)));
      assertEquals("a track with sha256 " + sha + " exists", e.getMessage());
      assertEquals(Optional.empty(), store.find(id));
    }
    UUID fresh = UUID.randomUUID();
    store.insertQueued(new TrackStore.NewTrackRow(fresh, "new", "a", "", "tracks/" + fresh + ".wav",
        "audio/wav", 1, TestTracks.sha256Of(fresh)));
    assertEquals(4, store.count(Optional.empty()));
  }
}
