package io.tunetrace.server.jobs;

import io.tunetrace.core.Fingerprinter;
import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.CorruptAudioException;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.audio.UnsupportedAudioFormatException;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.server.blob.BlobStore;
import io.tunetrace.server.db.TrackRow;
import io.tunetrace.server.db.TrackStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Runs one fingerprint job: download the object, decode it (ffmpeg for what the core does not
 * decode in Java), fingerprint, write the postings to the index. Re-running a job never duplicates
 * postings: before adding, it removes whatever an earlier attempt of the same track left in the
 * index (found by the row's index id and by the object key stored as the track's source).
 *
 * <p>Thread-safe (stateless apart from its collaborators).
 */
public final class FingerprintJobHandler {
  /** A failure that retrying cannot fix (the bytes are not decodable audio). */
  public static final class PermanentJobException extends Exception {
    public PermanentJobException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** What a finished job produced. */
  public record Result(int indexId, long durationMillis, long postings) {}

  private final BlobStore blobs;
  private final TrackStore tracks;
  private final FingerprintIndex index;
  private final Fingerprinter fingerprinter;
  private final Path tempDir;

  public FingerprintJobHandler(BlobStore blobs, TrackStore tracks, FingerprintIndex index,
      Path tempDir) {
    this.blobs = blobs;
    this.tracks = tracks;
    this.index = index;
    this.fingerprinter = new Fingerprinter(index.params());
    this.tempDir = tempDir;
  }

  public FingerprintIndex index() {
    return index;
  }

  /**
   * Runs the job; returns empty when the track was deleted meanwhile.
   *
   * @throws PermanentJobException when the audio cannot be decoded
   * @throws Exception on transient failures (S3, Redis, I/O), which are retried
   */
  public Optional<Result> run(Job job) throws Exception {
    Optional<TrackRow> found = tracks.find(job.trackId());
    if (found.isEmpty()) {
      return Optional.empty();
    }
    TrackRow row = found.get();
    cleanEarlierAttempts(row, job);
    Files.createDirectories(tempDir);
    Path tmp = Files.createTempFile(tempDir, "job-", ".audio");
    try {
      try (InputStream in = blobs.get(job.s3Key())) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      Fingerprints fp;
      try (PcmSource pcm = AudioDecoders.open(tmp)) {
        fp = fingerprinter.fingerprint(pcm);
      } catch (UnsupportedAudioFormatException | CorruptAudioException e) {
        throw new PermanentJobException(e.getMessage(), e);
      }
      long durationMillis = Math.round(fp.frameCount() * index.params().frameMillis());
      TrackMetadata meta = new TrackMetadata(row.title(), row.artist(), row.album(), job.s3Key(),
          durationMillis, row.sha256());
      Track stored = index.add(meta, fp);
      return Optional.of(new Result(stored.id(), durationMillis, stored.postingCount()));
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Removes postings an earlier attempt of this track may have written. */
  private void cleanEarlierAttempts(TrackRow row, Job job) {
    if (row.indexId() != null) {
      index.remove(row.indexId());
    }
    if (job.attempt() > 1) {
      for (Track t : index.tracks()) {
        if (t.metadata().sourcePath().equals(job.s3Key())) {
          index.remove(t.id());
        }
      }
    }
  }

  /** Undoes an add whose acknowledgement failed (lease lost or track deleted meanwhile). */
  public void undo(Result result) {
    index.remove(result.indexId());
  }
}
