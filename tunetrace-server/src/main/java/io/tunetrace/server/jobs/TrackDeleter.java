package io.tunetrace.server.jobs;

import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.Track;
import io.tunetrace.server.blob.BlobStore;
import io.tunetrace.server.db.TrackRow;
import io.tunetrace.server.db.TrackStatus;
import io.tunetrace.server.db.TrackStore;
import java.io.IOException;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes a track completely, in an order that survives any step failing: the row is marked
 * DELETING and its job dropped, then its postings leave the index, then its object leaves the
 * store, and the row goes last. When Redis or S3 is down the row stays DELETING: a second {@code
 * DELETE} (or {@link #finishPending}, run in the background) picks up where the first stopped, and
 * says 404 only once nothing is left.
 *
 * <p>Thread-safe; every step is idempotent, so two processes finishing one delete do no harm.
 */
public final class TrackDeleter {
  private static final Logger LOG = LoggerFactory.getLogger(TrackDeleter.class);

  /** A delete stopped on the way; the track stays DELETING and the delete can be retried. */
  public static final class IncompleteDeleteException extends RuntimeException {
    IncompleteDeleteException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final TrackStore tracks;
  private final FingerprintIndex index;
  private final BlobStore blobs;

  public TrackDeleter(TrackStore tracks, FingerprintIndex index, BlobStore blobs) {
    this.tracks = tracks;
    this.index = index;
    this.blobs = blobs;
  }

  /**
   * Deletes the track; returns the row as it was, or empty when there is no such track.
   *
   * @throws IncompleteDeleteException when the index or the object store failed; the track is
   *     left DELETING and a retry finishes the delete
   */
  public Optional<TrackRow> delete(UUID id) {
    Optional<TrackRow> row = tracks.markDeleting(id);
    row.ifPresent(this::finish);
    return row;
  }

  /** Finishes deletes that stopped on the way (Redis or S3 was down); returns how many. */
  public int finishPending() {
    int done = 0;
    for (TrackRow row : tracks.deleting(100)) {
      try {
        finish(row);
        done++;
      } catch (IncompleteDeleteException e) {
        LOG.warn("track {} still DELETING: {}", row.id(), e.getMessage());
        break; // the dependency is still down: try again on the next round
      }
    }
    return done;
  }

  private void finish(TrackRow row) {
    try {
      if (row.indexId() != null) {
        index.remove(row.indexId());
      }
      if (row.status() != TrackStatus.READY) {
        // An attempt that was running, crashed or lost its lease may have left postings.
        Optional<Track> left;
        while ((left = index.findByPath(row.s3Key())).isPresent()) {
          index.remove(left.get().id());
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("track {}: postings not removed: {}", row.id(), e.toString());
      throw new IncompleteDeleteException("delete of track " + row.id() + " incomplete: the index"
          + " is unavailable; the track stays DELETING and is finished when the index is back, or"
          + " retry DELETE", e);
    }
    try {
      blobs.delete(row.s3Key());
    } catch (IOException e) {
      LOG.warn("track {}: object {} not removed: {}", row.id(), row.s3Key(), e.toString());
      throw new IncompleteDeleteException("delete of track " + row.id() + " incomplete: object"
          + " storage is unavailable; the track stays DELETING and is finished when storage is"
          + " back, or retry DELETE", e);
    }
    tracks.delete(row.id());
  }
}
