package io.tunetrace.core.index;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import java.io.Closeable;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An inverted index from landmark hash to postings {track, frame}, plus the tracks' metadata.
 * Every implementation passes the same contract test ({@code FingerprintIndexContract} in the
 * core's test jar).
 *
 * <p>Implementations are thread-safe: any number of threads may look up while one adds or removes.
 */
public interface FingerprintIndex extends Closeable {

  /** The parameters every fingerprint in this index was made with. */
  FingerprintParams params();

  /**
   * Adds tracks in one batch. The batch is durable and visible to lookups when this returns; a
   * crash part-way leaves the index as it was before the call.
   *
   * @return the stored tracks, in the order given, with their new ids
   */
  List<Track> add(List<NewTrack> batch);

  /** Adds one track. */
  default Track add(TrackMetadata metadata, Fingerprints fingerprints) {
    return add(List.of(new NewTrack(metadata, fingerprints))).get(0);
  }

  /**
   * Adds one track under {@code trackId}, an id its caller allocates (a server takes its ids from
   * its database, so that an index that lost its data can never hand an old track's id to a new
   * one). Durable and visible when this returns, like {@link #add(List)}; later ids that {@link
   * #add(List)} hands out are above {@code trackId}. The default refuses: implementations that
   * support caller-chosen ids override it.
   *
   * @throws IllegalArgumentException if {@code trackId <= 0}
   * @throws TrackIdInUseException if {@code trackId} is in use (a stored track, or one being
   *     added or removed)
   * @throws IndexException if this implementation does not take caller-chosen ids
   */
  default Track addAs(int trackId, TrackMetadata metadata, Fingerprints fingerprints) {
    throw new IndexException(getClass().getSimpleName() + " does not take caller-chosen track ids");
  }

  /**
   * Finds the postings of each hash and hands them to {@code visitor}. A hash with more than
   * {@code maxPostingsPerHash} postings (a "hot" hash, common to much of the library) is skipped:
   * it says little and would make lookups slow.
   */
  void lookup(int[] hashes, int maxPostingsPerHash, PostingVisitor visitor);

  /**
   * Removes a track and all of its postings.
   *
   * @return false if there was no such track
   */
  boolean remove(int trackId);

  Optional<Track> track(int trackId);

  /** All tracks, ordered by id. */
  List<Track> tracks();

  /**
   * The spectral peaks of each of {@code trackIds} that this index holds, for verifying candidate
   * alignments peak by peak. Tracks without stored peaks (removed ones, or ones stored by an older
   * version) are absent from the map; the default holds none.
   */
  default Map<Integer, TrackPeaks> peaks(int[] trackIds) {
    return Map.of();
  }

  /** The track whose source bytes have this SHA-256, if any. */
  Optional<Track> findBySha256(String sha256);

  /**
   * The most recently added track whose {@link TrackMetadata#sourcePath()} equals {@code
   * sourcePath} exactly, if any; an empty path finds nothing. The default scans {@link #tracks()};
   * implementations that keep the tracks in memory answer from a map.
   */
  default Optional<Track> findByPath(String sourcePath) {
    if (sourcePath == null || sourcePath.isEmpty()) {
      return Optional.empty();
    }
    Track found = null;
    for (Track t : tracks()) {
      if (t.metadata().sourcePath().equals(sourcePath) && (found == null || t.id() > found.id())) {
        found = t;
      }
    }
    return Optional.ofNullable(found);
  }

  IndexStats stats();

  /**
   * The postings the index holds ({@link IndexStats#postings()}), read on every query to scale the
   * cap on common hashes ({@link io.tunetrace.core.match.MatchPolicy#maxPostingsPerHash(long)}):
   * implementations whose {@link #stats()} is costly override it.
   */
  default long postingCount() {
    return stats().postings();
  }

  /**
   * Throws {@link IncompatibleParamsException} unless {@code queryParams} equal {@link #params()}.
   */
  default void checkParams(FingerprintParams queryParams) {
    if (!params().equals(queryParams)) {
      throw new IncompatibleParamsException(
          "index was built with other fingerprint parameters; rebuild it or query with its own.\n"
              + "  index: " + params().toConfigString() + "\n"
              + "  query: " + queryParams.toConfigString());
    }
  }

  @Override
  void close();
}
