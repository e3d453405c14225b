package io.tunetrace.core.index;

/**
 * Size figures of an index.
 *
 * @param tracks number of tracks
 * @param durationMillis total duration of the indexed audio
 * @param postings number of postings stored
 * @param bytes bytes the index occupies in its store (disk or memory)
 */
public record IndexStats(long tracks, long durationMillis, long postings, long bytes) {
  /** Hours of indexed audio. */
  public double hours() {
    return durationMillis / 3_600_000.0;
  }

  /** Bytes per posting, or 0 for an empty index. */
  public double bytesPerPosting() {
    return postings == 0 ? 0 : (double) bytes / postings;
  }

  /** Bytes per hour of indexed audio, or 0 for an empty index. */
  public double bytesPerHour() {
    return durationMillis == 0 ? 0 : bytes / hours();
  }
}
