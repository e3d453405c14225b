package io.tunetrace.server.jobs;

import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.Track;
import io.tunetrace.server.db.TrackRow;
import io.tunetrace.server.db.TrackStore;
import io.tunetrace.server.index.RedisFingerprintIndex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts READY tracks of this queue whose index entry is missing back in the queue, so that they are fingerprinted
 * again: after a Redis restart without persistence (or a flush) every READY row points at
 * nothing. A track's entry is missing when the index has no track under the row's index id with
 * the row's object key as its source, or (Redis) when the track's hash list is gone. Run at
 * start-up by processes with workers and by {@code POST /admin/reindex}; see docs/JOBS.md.
 *
 * <p>Thread-safe; two processes reconciling at once re-queue each track once (the re-queue is
 * conditional on the row still being READY under the index id found missing).
 */
public final class IndexReconciler {
  private static final Logger LOG = LoggerFactory.getLogger(IndexReconciler.class);
  /** The last error of a re-queued track until it is READY again. */
  public static final String REASON = "index entry missing (the index lost its data?):"
      + " queued to fingerprint again";

  private final TrackStore tracks;
  private final JobQueue queue;
  private final FingerprintIndex index;

  public IndexReconciler(TrackStore tracks, JobQueue queue, FingerprintIndex index) {
    this.tracks = tracks;
    this.queue = queue;
    this.index = index;
  }

  /**
   * Re-queues every READY track whose index entry is missing; returns their ids, oldest first.
   *
   * @throws io.tunetrace.server.index.IndexUnavailableException when Redis is down (nothing is
   *     re-queued)
   */
  public List<UUID> reconcile() {
    // Rows first, then the index: a row READY now was published to the index before it became
    // READY, so reading the index afterwards never takes a track being added for a missing one.
    List<TrackRow> ready = tracks.readyInQueue();
    Map<Integer, Track> indexed = new HashMap<>();
    for (Track t : index.tracks()) {
      indexed.put(t.id(), t);
    }
    List<Integer> candidates = new ArrayList<>();
    for (TrackRow row : ready) {
      if (row.indexId() != null) {
        candidates.add(row.indexId());
      }
    }
    Set<Integer> withPostings = index instanceof RedisFingerprintIndex redis
        ? redis.withHashLists(candidates) : null;
    List<UUID> requeued = new ArrayList<>();
    for (TrackRow row : ready) {
      Integer id = row.indexId();
      if (id == null) {
        continue; // READY is only ever set together with the index id
      }
      Track t = indexed.get(id);
      boolean present = t != null && t.metadata().sourcePath().equals(row.s3Key())
          && (withPostings == null || t.postingCount() == 0 || withPostings.contains(id));
      if (!present && queue.requeueReady(row.id(), id, REASON)) {
        requeued.add(row.id());
      }
    }
    if (!requeued.isEmpty()) {
      LOG.warn("re-queued {} READY track(s) whose index entry was missing: {}", requeued.size(),
          requeued);
    }
    return requeued;
  }
}
