package io.tunetrace.core;

import java.util.List;
import java.util.Optional;

/**
 * The answer to one query: accepted matches ranked best first (empty means "no match"), plus what
 * the query held.
 *
 * @param matches accepted matches, best first; empty when nothing passed the acceptance rule
 * @param queryDurationMillis duration of the query audio
 * @param queryHashes number of hashes computed from the query
 */
public record MatchResult(List<Match> matches, long queryDurationMillis, int queryHashes) {
  public MatchResult {
    matches = List.copyOf(matches);
  }

  /** The best match, or empty for "no match". */
  public Optional<Match> best() {
    return matches.isEmpty() ? Optional.empty() : Optional.of(matches.get(0));
  }

  public boolean matched() {
    return !matches.isEmpty();
  }
}
