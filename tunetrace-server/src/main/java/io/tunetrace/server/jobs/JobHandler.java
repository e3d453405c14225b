package io.tunetrace.server.jobs;

import java.util.Optional;

/**
 * What a {@link WorkerPool} runs for each claimed job. Implementations are thread-safe (the pool
 * calls them from several worker threads at once).
 */
public interface JobHandler {
  /** A failure that retrying cannot fix (the bytes are not decodable audio, nothing to index). */
  final class PermanentJobException extends Exception {
    public PermanentJobException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** What a finished job produced. */
  record Result(int indexId, long durationMillis, long postings) {}

  /**
   * Runs the job; returns empty when the track was deleted meanwhile.
   *
   * @throws PermanentJobException when retrying cannot help
   * @throws Exception on transient failures (S3, Redis, I/O), which are retried
   */
  Optional<Result> run(Job job) throws Exception;

  /** Undoes an add whose acknowledgement failed (lease lost or track deleted meanwhile). */
  void undo(Result result);
}
