package io.tunetrace.server.jobs;

import io.tunetrace.server.db.Database;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A persistent, reliable job queue in the {@code jobs} table (see docs/JOBS.md).
 *
 * <ul>
 *   <li>Enqueue happens in the caller's transaction, together with the track row.
 *   <li>{@link #claim} takes the oldest due job with {@code FOR UPDATE SKIP LOCKED}, so several
 *       processes share the queue and never run one job twice at the same time; it puts a lease
 *       ({@code locked_until}) on it that the worker renews with {@link #renew} while it runs.
 *   <li>A job whose lease ran out (its worker died) is due again and is claimed by another worker.
 *   <li>{@link #complete} acknowledges a job only while its lease is still held; {@link #fail}
 *       schedules a retry with exponential backoff or marks it FAILED after the last attempt.
 * </ul>
 *
 * <p>Track status follows the job in the same transactions. Thread-safe.
 */
public final class JobQueue {
  /** What {@link #fail} did with a job. */
  public enum FailOutcome { RETRY_SCHEDULED, FAILED, LEASE_LOST }

  private static final long MAX_BACKOFF_MILLIS = 10 * 60_000L;
  /** Lost leases (worker killed while running the job) before a job is FAILED: a crash loop. */
  public static final int DEFAULT_MAX_LOST_LEASES = 10;

  private final Jdbi jdbi;
  private final String queue;
  private final int maxAttempts;
  private final long leaseMillis;
  private final long backoffMillis;
  private final int maxLostLeases;
  private final String skipLocked;

  public JobQueue(Database db, String prefix, int maxAttempts, long leaseMillis, long backoffMillis) {
    this(db, prefix, maxAttempts, leaseMillis, backoffMillis, DEFAULT_MAX_LOST_LEASES);
  }

  /**
   * @param maxLostLeases how many times a job's lease may run out (its worker killed or cut off
   *     mid-run) before the job is FAILED; such runs do not count as attempts
   */
  public JobQueue(Database db, String prefix, int maxAttempts, long leaseMillis, long backoffMillis,
      int maxLostLeases) {
    this.maxLostLeases = maxLostLeases;
    this.jdbi = db.jdbi();
    this.queue = prefix + ":fingerprint";
    this.maxAttempts = maxAttempts;
    this.leaseMillis = leaseMillis;
    this.backoffMillis = backoffMillis;
    // H2 (embedded mode: one process) has no SKIP LOCKED; a plain row lock is enough there.
    this.skipLocked = db.embedded() ? " FOR UPDATE" : " FOR UPDATE SKIP LOCKED";
  }

  public String name() {
    return queue;
  }

  public long leaseMillis() {
    return leaseMillis;
  }

  private static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }

  /** Enqueues the fingerprint job of a track inside the caller's transaction. */
  public void enqueue(Handle h, UUID trackId, String s3Key) {
    OffsetDateTime now = now();
    h.createUpdate("INSERT INTO jobs (queue, track_id, s3_key, state, attempts, max_attempts, run_at,"
            + " created_at, updated_at) VALUES (:q, :t, :k, 'WAITING', 0, :max, :now, :now, :now)")
        .bind("q", queue)
        .bind("t", trackId)
        .bind("k", s3Key)
        .bind("max", maxAttempts)
        .bind("now", now)
        .execute();
  }

  /**
   * Claims the oldest due job (waiting and due, or active with an expired lease) for {@code
   * workerId}. A run whose lease expired (its worker was killed) does not count as an attempt: the
   * job is taken over under the same attempt number, and only after {@code maxLostLeases} such
   * losses is it marked FAILED (a track that crashes its worker every time).
   */
  public Optional<Job> claim(String workerId) {
    for (int i = 0; i < 100; i++) {
      ClaimResult r = jdbi.inTransaction(h -> claimOnce(h, workerId));
      if (r.job != null) {
        return Optional.of(r.job);
      }
      if (!r.again) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private record ClaimResult(Job job, boolean again) {}

  private ClaimResult claimOnce(Handle h, String workerId) {
    OffsetDateTime now = now();
    Optional<Long> id = h.createQuery("SELECT id FROM jobs WHERE queue = :q AND ((state = 'WAITING'"
            + " AND run_at <= :now) OR (state = 'ACTIVE' AND locked_until < :now))"
            + " ORDER BY run_at, id LIMIT 1" + skipLocked)
        .bind("q", queue)
        .bind("now", now)
        .mapTo(Long.class)
        .findOne();
    if (id.isEmpty()) {
      return new ClaimResult(null, false);
    }
    var row = h.createQuery("SELECT track_id, s3_key, state, attempts, max_attempts, lost_leases"
            + " FROM jobs WHERE id = :id")
        .bind("id", id.get())
        .mapToMap()
        .one();
    UUID trackId = (UUID) row.get("track_id");
    String s3Key = (String) row.get("s3_key");
    int attempts = ((Number) row.get("attempts")).intValue();
    int max = ((Number) row.get("max_attempts")).intValue();
    int lost = ((Number) row.get("lost_leases")).intValue();
    boolean stalled = "ACTIVE".equals(row.get("state"));
    String error = null;
    if (stalled) {
      lost++;
      error = "lease expired: the worker stopped renewing it (killed or cut off) on attempt "
          + attempts + "; lost leases: " + lost + " of " + maxLostLeases;
      if (lost >= maxLostLeases) {
        String message = error + "; the track crashes its workers? POST /tracks/" + trackId
            + "/retry to try again";
        h.createUpdate("UPDATE jobs SET state = 'FAILED', locked_by = NULL, locked_until = NULL,"
                + " lost_leases = :l, last_error = :e, updated_at = :now WHERE id = :id")
            .bind("l", lost).bind("e", message).bind("now", now).bind("id", id.get()).execute();
        updateTrack(h, trackId, "FAILED", attempts, message, now);
        return new ClaimResult(null, true);
      }
    }
    // A stalled run is taken over under its own attempt number: the loss does not count.
    int attempt = stalled ? Math.max(1, attempts) : attempts + 1;
    h.createUpdate("UPDATE jobs SET state = 'ACTIVE', attempts = :a, lost_leases = :l,"
            + " locked_by = :w, locked_until = :until, updated_at = :now"
            + (stalled ? ", last_error = :e" : "") + " WHERE id = :id")
        .bind("a", attempt)
        .bind("l", lost)
        .bind("w", workerId)
        .bind("until", now.plusNanos(leaseMillis * 1_000_000))
        .bind("now", now)
        .bind("e", error)
        .bind("id", id.get())
        .execute();
    updateTrack(h, trackId, "FINGERPRINTING", attempt, error, now);
    return new ClaimResult(new Job(id.get(), trackId, s3Key, attempt, max, workerId, lost), false);
  }

  /** What {@link #retry} did. */
  public enum RetryOutcome { QUEUED, NOT_FAILED, NO_TRACK }

  /**
   * Puts a FAILED track's job back in the queue with a fresh set of attempts (and lost leases),
   * due now; the track goes back to QUEUED with its last error kept until the next run.
   */
  public RetryOutcome retry(UUID trackId) {
    return jdbi.inTransaction(h -> {
      OffsetDateTime now = now();
      Optional<String> status = h.createQuery("SELECT status FROM tracks WHERE id = :t FOR UPDATE")
          .bind("t", trackId).mapTo(String.class).findOne();
      if (status.isEmpty()) {
        return RetryOutcome.NO_TRACK;
      }
      if (!status.get().equals("FAILED")) {
        return RetryOutcome.NOT_FAILED;
      }
      int n = h.createUpdate("UPDATE jobs SET state = 'WAITING', attempts = 0, lost_leases = 0,"
              + " max_attempts = :max, locked_by = NULL, locked_until = NULL, run_at = :now,"
              + " updated_at = :now WHERE track_id = :t AND queue = :q")
          .bind("max", maxAttempts).bind("now", now).bind("t", trackId).bind("q", queue)
          .execute();
      if (n == 0) {
        String key = h.createQuery("SELECT s3_key FROM tracks WHERE id = :t").bind("t", trackId)
            .mapTo(String.class).one();
        enqueue(h, trackId, key);
      }
      h.createUpdate("UPDATE tracks SET status = 'QUEUED', attempts = 0, updated_at = :now"
              + " WHERE id = :t")
          .bind("now", now).bind("t", trackId).execute();
      return RetryOutcome.QUEUED;
    });
  }

  /**
   * Puts a READY track whose index entry is gone (an index that lost its data) back in the queue:
   * its job due now with fresh attempts, the track QUEUED with {@code reason} as its last error.
   * False, and nothing changed, unless the track is still READY under {@code indexId} (deleted,
   * re-queued or fingerprinted again meanwhile) and has its job in this queue.
   */
  public boolean requeueReady(UUID trackId, int indexId, String reason) {
    return jdbi.inTransaction(h -> {
      OffsetDateTime now = now();
      Optional<String> status = h.createQuery("SELECT status FROM tracks WHERE id = :t"
              + " AND index_id = :i FOR UPDATE")
          .bind("t", trackId).bind("i", indexId).mapTo(String.class).findOne();
      if (status.isEmpty() || !status.get().equals("READY")) {
        return false;
      }
      int n = h.createUpdate("UPDATE jobs SET state = 'WAITING', attempts = 0, lost_leases = 0,"
              + " max_attempts = :max, locked_by = NULL, locked_until = NULL, run_at = :now,"
              + " last_error = :e, updated_at = :now WHERE track_id = :t AND queue = :q")
          .bind("max", maxAttempts).bind("now", now).bind("e", reason).bind("t", trackId)
          .bind("q", queue)
          .execute();
      if (n == 0) {
        return false; // fingerprinted through another queue, into another index
      }
      h.createUpdate("UPDATE tracks SET status = 'QUEUED', attempts = 0, last_error = :e,"
              + " updated_at = :now WHERE id = :t")
          .bind("e", reason).bind("now", now).bind("t", trackId).execute();
      return true;
    });
  }

  /** Updates a track's status with its job's, unless the track is being deleted. */
  private static void updateTrack(Handle h, UUID trackId, String status, int attempts, String error,
      OffsetDateTime now) {
    h.createUpdate("UPDATE tracks SET status = :s, attempts = :a, updated_at = :now"
            + (error != null ? ", last_error = :e" : "") + " WHERE id = :t AND status <> 'DELETING'")
        .bind("s", status).bind("a", attempts).bind("now", now).bind("e", error).bind("t", trackId)
        .execute();
  }

  /** Extends the lease; false when the lease was lost (another worker may own the job now). */
  public boolean renew(Job job) {
    OffsetDateTime now = now();
    return jdbi.withHandle(h -> h.createUpdate("UPDATE jobs SET locked_until = :until, updated_at ="
            + " :now WHERE id = :id AND state = 'ACTIVE' AND locked_by = :w")
        .bind("until", now.plusNanos(leaseMillis * 1_000_000))
        .bind("now", now)
        .bind("id", job.id())
        .bind("w", job.lockedBy())
        .execute()) == 1;
  }

  /**
   * Acknowledges a finished job and marks its track READY, atomically; false (and nothing
   * changed) when the lease was lost or the track was deleted meanwhile.
   */
  public boolean complete(Job job, int indexId, long durationMillis, long postingCount) {
    return jdbi.inTransaction(h -> {
      OffsetDateTime now = now();
      int jobs = h.createUpdate("UPDATE jobs SET state = 'DONE', locked_by = NULL, locked_until = NULL,"
              + " updated_at = :now WHERE id = :id AND state = 'ACTIVE' AND locked_by = :w")
          .bind("now", now).bind("id", job.id()).bind("w", job.lockedBy())
          .execute();
      if (jobs != 1) {
        return false;
      }
      int tracks = h.createUpdate("UPDATE tracks SET status = 'READY', index_id = :i, duration_ms = :d,"
              + " posting_count = :p, last_error = NULL, updated_at = :now WHERE id = :t"
              + " AND status <> 'DELETING'")
          .bind("i", indexId).bind("d", durationMillis).bind("p", postingCount).bind("now", now)
          .bind("t", job.trackId())
          .execute();
      if (tracks != 1) {
        h.rollback();
        return false;
      }
      return true;
    });
  }

  /**
   * Records a failed attempt: schedules a retry after {@code backoff * 2^(attempt-1)} (capped at
   * ten minutes), or marks job and track FAILED when {@code permanent} or out of attempts.
   */
  public FailOutcome fail(Job job, String error, boolean permanent) {
    String message = error.length() > 1900 ? error.substring(0, 1900) : error;
    return jdbi.inTransaction(h -> {
      OffsetDateTime now = now();
      boolean last = permanent || job.attempt() >= job.maxAttempts();
      int n;
      if (last) {
        n = h.createUpdate("UPDATE jobs SET state = 'FAILED', locked_by = NULL, locked_until = NULL,"
                + " last_error = :e, updated_at = :now WHERE id = :id AND state = 'ACTIVE'"
                + " AND locked_by = :w")
            .bind("e", message).bind("now", now).bind("id", job.id()).bind("w", job.lockedBy())
            .execute();
      } else {
        n = h.createUpdate("UPDATE jobs SET state = 'WAITING', locked_by = NULL, locked_until = NULL,"
                + " last_error = :e, run_at = :runAt, updated_at = :now WHERE id = :id"
                + " AND state = 'ACTIVE' AND locked_by = :w")
            .bind("e", message).bind("runAt", now.plusNanos(backoffMillis(job.attempt()) * 1_000_000))
            .bind("now", now).bind("id", job.id()).bind("w", job.lockedBy())
            .execute();
      }
      if (n != 1) {
        return FailOutcome.LEASE_LOST;
      }
      updateTrack(h, job.trackId(), last ? "FAILED" : "QUEUED", job.attempt(), message, now);
      return last ? FailOutcome.FAILED : FailOutcome.RETRY_SCHEDULED;
    });
  }

  /**
   * Puts a job back because a dependency (Redis, S3) is down: due again after {@code delayMillis},
   * and the attempt does not count, so an outage longer than all retries cannot fail good tracks.
   */
  public boolean postpone(Job job, String error, long delayMillis) {
    String message = error.length() > 1900 ? error.substring(0, 1900) : error;
    return jdbi.inTransaction(h -> {
      OffsetDateTime now = now();
      int n = h.createUpdate("UPDATE jobs SET state = 'WAITING', attempts = attempts - 1,"
              + " locked_by = NULL, locked_until = NULL, last_error = :e, run_at = :runAt,"
              + " updated_at = :now WHERE id = :id AND state = 'ACTIVE' AND locked_by = :w")
          .bind("e", message).bind("runAt", now.plusNanos(delayMillis * 1_000_000))
          .bind("now", now).bind("id", job.id()).bind("w", job.lockedBy())
          .execute();
      if (n == 1) {
        updateTrack(h, job.trackId(), "QUEUED", job.attempt() - 1, message, now);
      }
      return n == 1;
    });
  }

  /** The delay before retrying after attempt {@code attempt} (1-based). */
  public long backoffMillis(int attempt) {
    long delay = backoffMillis;
    for (int i = 1; i < attempt && delay < MAX_BACKOFF_MILLIS; i++) {
      delay *= 2;
    }
    return Math.min(delay, MAX_BACKOFF_MILLIS);
  }

  /** Hands a job back unfinished (shutdown): due now, and this attempt does not count. */
  public boolean release(Job job) {
    return jdbi.inTransaction(h -> {
      OffsetDateTime now = now();
      int n = h.createUpdate("UPDATE jobs SET state = 'WAITING', attempts = attempts - 1,"
              + " locked_by = NULL, locked_until = NULL, run_at = :now, updated_at = :now"
              + " WHERE id = :id AND state = 'ACTIVE' AND locked_by = :w")
          .bind("now", now).bind("id", job.id()).bind("w", job.lockedBy())
          .execute();
      if (n == 1) {
        updateTrack(h, job.trackId(), "QUEUED", job.attempt() - 1, null, now);
      }
      return n == 1;
    });
  }

  /** Jobs waiting or running. */
  public long depth() {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs WHERE queue = :q AND state IN"
            + " ('WAITING', 'ACTIVE')")
        .bind("q", queue)
        .mapTo(Long.class)
        .one());
  }

  /** The state of the job of a track (the latest one), for tests and diagnostics. */
  public Optional<String> stateOf(UUID trackId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT state FROM jobs WHERE track_id = :t"
            + " ORDER BY id DESC LIMIT 1")
        .bind("t", trackId)
        .mapTo(String.class)
        .findOne());
  }
}
