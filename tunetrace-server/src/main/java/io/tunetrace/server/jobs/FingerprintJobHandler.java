package io.tunetrace.server.jobs;

import io.tunetrace.core.Fingerprinter;
import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.AudioTooLongException;
import io.tunetrace.core.audio.CorruptAudioException;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.audio.UnsupportedAudioFormatException;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackIdInUseException;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.server.blob.BlobStore;
import io.tunetrace.server.blob.BlobUnavailableException;
import io.tunetrace.server.db.TrackRow;
import io.tunetrace.server.db.TrackStatus;
import io.tunetrace.server.db.TrackStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Runs one fingerprint job: download the object, decode it (ffmpeg for what the core does not
 * decode in Java), fingerprint, write the postings to the index under an id from the database's
 * sequence ({@link TrackStore#nextIndexId}). Re-running a job never duplicates
 * postings: before adding, it removes whatever an earlier attempt of the same track left in the
 * index (found by the row's index id and by the object key stored as the track's source).
 *
 * <p>Thread-safe (stateless apart from its collaborators).
 */
public final class FingerprintJobHandler implements JobHandler {
  /** Job downloads are named after this process, so that a sweep knows when they are orphans. */
  private static final String JOB_FILE_PREFIX = TempSweeper.jobFilePrefix();
  /** Ids taken from the sequence before an add gives up because the index holds them all. */
  private static final int MAX_ID_TRIES = 1000;

  private final BlobStore blobs;
  private final TrackStore tracks;
  private final FingerprintIndex index;
  private final Fingerprinter fingerprinter;
  private final Path tempDir;
  private final long maxTrackMillis;

  /** @param maxTrackMillis longer tracks FAIL as soon as decoding passes this length */
  public FingerprintJobHandler(BlobStore blobs, TrackStore tracks, FingerprintIndex index,
      Path tempDir, long maxTrackMillis) {
    this.blobs = blobs;
    this.tracks = tracks;
    this.index = index;
    this.fingerprinter = new Fingerprinter(index.params());
    this.tempDir = tempDir;
    this.maxTrackMillis = maxTrackMillis;
  }

  public FingerprintIndex index() {
    return index;
  }

  /**
   * Runs the job; returns empty when the track was deleted meanwhile.
   *
   * @throws PermanentJobException when the audio cannot be decoded, is longer than the limit or
   *     yields no fingerprints (silence, a few samples)
   * @throws BlobUnavailableException when the download fails on the way (not the track's fault)
   * @throws Exception on other transient failures (Redis, I/O), which are retried
   */
  @Override
  public Optional<Result> run(Job job) throws Exception {
    Optional<TrackRow> found = tracks.find(job.trackId());
    if (found.isEmpty()) {
      return Optional.empty();
    }
    TrackRow row = found.get();
    if (row.status() == TrackStatus.DELETING) {
      return Optional.empty();
    }
    cleanEarlierAttempts(row, job);
    Files.createDirectories(tempDir);
    Path tmp = Files.createTempFile(tempDir, JOB_FILE_PREFIX, ".audio");
    try {
      download(job.s3Key(), tmp);
      Fingerprints fp;
      // decoded near the analysis rate, as TuneTrace.add does: ffmpeg resamples in its own
      // process, and an MP3 is decoded only in the subbands the analysis reads
      try (PcmSource pcm = AudioDecoders.limitDuration(
          AudioDecoders.open(tmp, index.params().sampleRateHz()), maxTrackMillis)) {
        fp = fingerprinter.fingerprint(pcm);
      } catch (AudioTooLongException e) {
        throw new PermanentJobException("track too long: " + e.getMessage() + " (the limit is"
            + " MAX_TRACK_SECONDS=" + maxTrackMillis / 1000 + "; split the file or raise it)", e);
      } catch (UnsupportedAudioFormatException | CorruptAudioException e) {
        throw new PermanentJobException(e.getMessage(), e);
      }
      long durationMillis = Math.round(fp.frameCount() * index.params().frameMillis());
      if (fp.size() == 0) {
        throw new PermanentJobException("no fingerprints: " + durationMillis + " ms of audio without"
            + " a single landmark (silence, or too short to recognize); upload the song itself", null);
      }
      TrackMetadata meta = new TrackMetadata(row.title(), row.artist(), row.album(), job.s3Key(),
          durationMillis, row.sha256());
      Track stored = addUnderNewId(meta, fp);
      return Optional.of(new Result(stored.id(), durationMillis, stored.postingCount()));
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Adds the track under a fresh id from the database's sequence, never one the index hands out: an
   * index that lost its data (Redis restarted without persistence) would hand out old tracks' ids
   * again, and a later {@code DELETE} of the old track would remove the new one's postings. An id
   * the index holds already (left by an index written before the ids came from the database) is
   * skipped.
   */
  private Track addUnderNewId(TrackMetadata meta, Fingerprints fp) {
    for (int tries = 1; ; tries++) {
      int id = tracks.nextIndexId();
      try {
        return index.addAs(id, meta, fp);
      } catch (TrackIdInUseException e) {
        if (tries == MAX_ID_TRIES) {
          throw e;
        }
      }
    }
  }

  /**
   * Copies the object to {@code tmp}. Connection failures (a stale pooled connection, a reset, S3
   * down) become {@link BlobUnavailableException}: they say nothing about the track.
   */
  private void download(String key, Path tmp) throws IOException {
    try (InputStream in = blobs.get(key)) {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      if (BlobUnavailableException.isConnectionFailure(e)) {
        throw new BlobUnavailableException("object storage unavailable while reading " + key
            + ": " + e.getMessage(), e);
      }
      throw e;
    }
  }

  /** Removes postings an earlier attempt of this track may have written. */
  private void cleanEarlierAttempts(TrackRow row, Job job) {
    if (row.indexId() != null) {
      index.remove(row.indexId());
    }
    if (job.attempt() > 1 || job.lostLeases() > 0) {
      for (Track t : index.tracks()) {
        if (t.metadata().sourcePath().equals(job.s3Key())) {
          index.remove(t.id());
        }
      }
    }
  }

  @Override
  public void undo(Result result) {
    index.remove(result.indexId());
  }
}
