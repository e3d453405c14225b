package io.tunetrace.core.index;

/**
 * A track stored in an index.
 *
 * @param id the index's internal id: a small positive integer, never reused within one index
 * @param metadata what is known about the track
 * @param postingCount how many postings (hash occurrences) the track has in the index
 * @param addedAtMillis when it was added, epoch milliseconds
 */
public record Track(int id, TrackMetadata metadata, long postingCount, long addedAtMillis) {
  public Track {
    if (id <= 0) {
      throw new IllegalArgumentException("id <= 0: " + id);
    }
    if (metadata == null) {
      throw new IllegalArgumentException("metadata == null");
    }
    if (postingCount < 0) {
      throw new IllegalArgumentException("postingCount < 0: " + postingCount);
    }
  }
}
