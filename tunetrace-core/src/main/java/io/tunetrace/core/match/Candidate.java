package io.tunetrace.core.match;

/**
 * A verified (track, alignment) hypothesis from {@link OffsetVoter}.
 *
 * @param trackId the track
 * @param deltaFrames reference frame minus query frame of the alignment
 * @param confidence distinct query hashes that agree with the alignment (within the tolerance)
 * @param anchorFrames distinct query frames among the agreeing hashes: moments of the clip that
 *     agree, so one loud onset that pairs with itself many times counts once
 * @param queryFirstFrame first agreeing query frame
 * @param queryLastFrame last agreeing query frame
 * @param matchedShare share of the query's seconds holding at least one agreeing hash
 * @param runnerUp the most votes any other track received: how many votes coincidence alone
 *     reaches for this query
 */
public record Candidate(
    int trackId,
    int deltaFrames,
    int confidence,
    int anchorFrames,
    int queryFirstFrame,
    int queryLastFrame,
    double matchedShare,
    int runnerUp) {

  /**
   * The winner's margin over coincidence, in [0, 1): {@code 1 - (runnerUp + 1) / (confidence + 1)},
   * or 0 when the runner-up has as many votes.
   */
  public double score() {
    return Math.max(0, 1 - (runnerUp + 1.0) / (confidence + 1.0));
  }
}
