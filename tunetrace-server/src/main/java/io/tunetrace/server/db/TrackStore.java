package io.tunetrace.server.db;

import io.tunetrace.server.jobs.JobQueue;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * The {@code tracks} table. A new track and its fingerprint job are inserted in one transaction, so
 * a track can never sit in QUEUED without a job.
 *
 * <p>Thread-safe.
 */
public final class TrackStore {
  /** SQLSTATE of a unique constraint violation, in PostgreSQL and H2. */
  private static final String UNIQUE_VIOLATION = "23505";

  private final Jdbi jdbi;
  private final JobQueue queue;

  public TrackStore(Database db, JobQueue queue) {
    this.jdbi = db.jdbi();
    this.queue = queue;
  }

  /** What an upload knows about a new track. */
  public record NewTrackRow(UUID id, String title, String artist, String album, String s3Key,
      String contentType, long sizeBytes, String sha256) {}

  /**
   * Another track holds the same bytes: the unique content hash refused the insert (an upload of
   * the same bytes to another API process at the same instant won).
   */
  public static final class DuplicateContentException extends RuntimeException {
    DuplicateContentException(String sha256, Throwable cause) {
      super("a track with sha256 " + sha256 + " exists", cause);
    }
  }

  /**
   * Inserts the track as QUEUED and enqueues its job, atomically.
   *
   * @throws DuplicateContentException when a track with the same sha256 exists (nothing inserted)
   */
  public TrackRow insertQueued(NewTrackRow t) {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    try {
      insert(t, now);
    } catch (UnableToExecuteStatementException e) {
      if (e.getCause() instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())
          && findBySha256(t.sha256()).isPresent()) {
        throw new DuplicateContentException(t.sha256(), e);
      }
      throw e;
    }
    return find(t.id()).orElseThrow();
  }

  private void insert(NewTrackRow t, OffsetDateTime now) {
    jdbi.useTransaction(h -> {
      h.createUpdate("INSERT INTO tracks (id, title, artist, album, s3_key, content_type, size_bytes,"
              + " sha256, content_sha256, status, attempts, created_at, updated_at) VALUES (:id,"
              + " :title, :artist, :album, :s3Key, :contentType, :size, :sha, :sha, 'QUEUED', 0,"
              + " :now, :now)")
          .bind("id", t.id())
          .bind("title", t.title())
          .bind("artist", t.artist())
          .bind("album", t.album())
          .bind("s3Key", t.s3Key())
          .bind("contentType", t.contentType())
          .bind("size", t.sizeBytes())
          .bind("sha", t.sha256())
          .bind("now", now)
          .execute();
      queue.enqueue(h, t.id(), t.s3Key());
    });
  }

  /**
   * A new index id for a track about to be added to the index, from the sequence {@code
   * track_index_ids}: never handed out twice, whatever the index lost.
   */
  public int nextIndexId() {
    long id = jdbi.withHandle(h -> h.createQuery("SELECT nextval('track_index_ids')")
        .mapTo(Long.class).one());
    if (id > Integer.MAX_VALUE) {
      throw new IllegalStateException("track index ids exhausted: " + id);
    }
    return (int) id;
  }

  /**
   * Every READY track fingerprinted through this store's queue, oldest first: its postings are in
   * the index under the same prefix ({@code QUEUE_PREFIX} names both). Processes with another
   * prefix on the same database keep their tracks in another index.
   */
  public List<TrackRow> readyInQueue() {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tracks t WHERE t.status = 'READY'"
            + " AND EXISTS (SELECT 1 FROM jobs j WHERE j.track_id = t.id AND j.queue = :q)"
            + " ORDER BY t.created_at, t.id")
        .bind("q", queue.name())
        .map((rs, ctx) -> TrackRow.map(rs))
        .list());
  }

  public Optional<TrackRow> find(UUID id) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tracks WHERE id = :id")
        .bind("id", id)
        .map((rs, ctx) -> TrackRow.map(rs))
        .findOne());
  }

  /** The oldest track holding exactly these bytes (same SHA-256), if any. */
  public Optional<TrackRow> findBySha256(String sha256) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM tracks WHERE sha256 = :sha ORDER BY created_at, id LIMIT 1")
        .bind("sha", sha256)
        .map((rs, ctx) -> TrackRow.map(rs))
        .findOne());
  }

  /**
   * The track whose index entry has id {@code indexId} and source {@code s3Key} (the worker stores
   * the object key as the index track's source path; both must agree).
   */
  public Optional<TrackRow> findIndexed(int indexId, String s3Key) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tracks WHERE s3_key = :k AND index_id = :i"
            + " AND status <> 'DELETING'")
        .bind("k", s3Key)
        .bind("i", indexId)
        .map((rs, ctx) -> TrackRow.map(rs))
        .findOne());
  }

  /** A page of tracks, newest first, optionally of one status. */
  public List<TrackRow> list(Optional<TrackStatus> status, int limit, int offset) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tracks"
            + (status.isPresent() ? " WHERE status = :status" : "")
            + " ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset")
        .bind("status", status.map(Enum::name).orElse(null))
        .bind("limit", limit)
        .bind("offset", offset)
        .map((rs, ctx) -> TrackRow.map(rs))
        .list());
  }

  public long count(Optional<TrackStatus> status) {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM tracks"
            + (status.isPresent() ? " WHERE status = :status" : ""))
        .bind("status", status.map(Enum::name).orElse(null))
        .mapTo(Long.class)
        .one());
  }

  /**
   * First step of a delete: marks the track DELETING and drops its job (a worker running it then
   * finds its acknowledgement refused and undoes its postings); returns the row as it was before,
   * or empty when there is no such track.
   */
  public Optional<TrackRow> markDeleting(UUID id) {
    return jdbi.inTransaction(h -> {
      Optional<TrackRow> row = h.createQuery("SELECT * FROM tracks WHERE id = :id FOR UPDATE")
          .bind("id", id)
          .map((rs, ctx) -> TrackRow.map(rs))
          .findOne();
      if (row.isPresent()) {
        h.createUpdate("DELETE FROM jobs WHERE track_id = :id").bind("id", id).execute();
        h.createUpdate("UPDATE tracks SET status = 'DELETING', updated_at = :now WHERE id = :id")
            .bind("now", OffsetDateTime.now(ZoneOffset.UTC)).bind("id", id).execute();
      }
      return row;
    });
  }

  /** Tracks left DELETING (a delete that could not finish), oldest first. */
  public List<TrackRow> deleting(int limit) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tracks WHERE status = 'DELETING'"
            + " ORDER BY updated_at, id LIMIT :limit")
        .bind("limit", limit)
        .map((rs, ctx) -> TrackRow.map(rs))
        .list());
  }

  /** Deletes the row (its jobs go with it); false if there was none. */
  public boolean delete(UUID id) {
    return jdbi.withHandle(h -> h.createUpdate("DELETE FROM tracks WHERE id = :id")
        .bind("id", id)
        .execute()) > 0;
  }
}
