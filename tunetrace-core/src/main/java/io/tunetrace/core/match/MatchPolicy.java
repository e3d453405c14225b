package io.tunetrace.core.match;

import java.util.List;

/**
 * How a {@link io.tunetrace.core.Recognizer} searches and when it accepts a match. Unlike
 * {@link io.tunetrace.core.FingerprintParams} these may differ between queries of one index.
 *
 * @param queryPeaksPerSecond peak density of the query (denser than the index's, to catch its peaks)
 * @param queryFanOut pairs per anchor in the query
 * @param maxPostingsPerHash hashes with more postings than this are skipped as uninformative
 * @param toleranceFrames alignment jitter tolerated when counting votes, in frames
 * @param minConfidence fewest time-consistent votes an accepted match needs
 * @param minAnchorFrames fewest distinct moments (query frames) among those votes
 * @param minMargin how many times the runner-up's votes an accepted match needs: the runner-up
 *     (the best other alignment, of any track) shows how far coincidence reaches for this query in
 *     this library, so the bar rises with library size by itself
 * @param speeds playback speeds tried, in order, until a match is accepted (1.0 first)
 * @param maxResults most distinct recordings returned, best first ({@code match --top N})
 * @param minScore lowest {@link io.tunetrace.core.Match#score()} returned; the acceptance rule's
 *     own bar applies first, so this can only make the recognizer stricter ({@code --min-score})
 */
public record MatchPolicy(
    int queryPeaksPerSecond,
    int queryFanOut,
    int maxPostingsPerHash,
    int toleranceFrames,
    int minConfidence,
    int minAnchorFrames,
    double minMargin,
    List<Double> speeds,
    int maxResults,
    double minScore) {

  /** Calibrated on held-out music so that at most 1% of unknown clips match; see BENCHMARKS.md. */
  public static final MatchPolicy DEFAULT = new MatchPolicy(
      40, 8, 2000, 1, 7, 5, 1.5, List.of(1.0, 1.02, 0.98, 1.01, 0.99, 1.03, 0.97), 5, 0);

  public MatchPolicy {
    if (queryPeaksPerSecond < 1 || queryFanOut < 1) {
      throw new IllegalArgumentException("query density < 1: " + queryPeaksPerSecond + ", " + queryFanOut);
    }
    if (maxPostingsPerHash < 1) {
      throw new IllegalArgumentException("maxPostingsPerHash < 1: " + maxPostingsPerHash);
    }
    if (toleranceFrames < 0 || toleranceFrames > 8) {
      throw new IllegalArgumentException("toleranceFrames out of [0, 8]: " + toleranceFrames);
    }
    if (minConfidence < 2) {
      throw new IllegalArgumentException("minConfidence < 2: " + minConfidence);
    }
    if (minAnchorFrames < 1) {
      throw new IllegalArgumentException("minAnchorFrames < 1: " + minAnchorFrames);
    }
    if (!(minMargin >= 1)) {
      throw new IllegalArgumentException("minMargin < 1: " + minMargin);
    }
    speeds = List.copyOf(speeds);
    if (speeds.isEmpty() || speeds.get(0) != 1.0) {
      throw new IllegalArgumentException("speeds must start with 1.0: " + speeds);
    }
    for (double s : speeds) {
      if (!(s >= 0.8 && s <= 1.25)) {
        throw new IllegalArgumentException("speed out of [0.8, 1.25]: " + s);
      }
    }
    if (maxResults < 1) {
      throw new IllegalArgumentException("maxResults < 1: " + maxResults);
    }
    if (!(minScore >= 0 && minScore <= 1)) {
      throw new IllegalArgumentException("minScore out of [0, 1]: " + minScore);
    }
  }

  public MatchPolicy withMaxResults(int newMaxResults) {
    return new MatchPolicy(queryPeaksPerSecond, queryFanOut, maxPostingsPerHash, toleranceFrames,
        minConfidence, minAnchorFrames, minMargin, speeds, newMaxResults, minScore);
  }

  public MatchPolicy withMinScore(double newMinScore) {
    return new MatchPolicy(queryPeaksPerSecond, queryFanOut, maxPostingsPerHash, toleranceFrames,
        minConfidence, minAnchorFrames, minMargin, speeds, maxResults, newMinScore);
  }

  public MatchPolicy withSpeeds(List<Double> newSpeeds) {
    return new MatchPolicy(queryPeaksPerSecond, queryFanOut, maxPostingsPerHash, toleranceFrames,
        minConfidence, minAnchorFrames, minMargin, newSpeeds, maxResults, minScore);
  }

  public MatchPolicy withThresholds(int newMinConfidence, double newMinMargin) {
    return new MatchPolicy(queryPeaksPerSecond, queryFanOut, maxPostingsPerHash, toleranceFrames,
        newMinConfidence, minAnchorFrames, newMinMargin, speeds, maxResults, minScore);
  }

  public MatchPolicy withMaxPostingsPerHash(int newMaxPostingsPerHash) {
    return new MatchPolicy(queryPeaksPerSecond, queryFanOut, newMaxPostingsPerHash, toleranceFrames,
        minConfidence, minAnchorFrames, minMargin, speeds, maxResults, minScore);
  }

  public MatchPolicy withQueryDensity(int peaksPerSecond, int fanOut) {
    return new MatchPolicy(peaksPerSecond, fanOut, maxPostingsPerHash, toleranceFrames,
        minConfidence, minAnchorFrames, minMargin, speeds, maxResults, minScore);
  }
}
