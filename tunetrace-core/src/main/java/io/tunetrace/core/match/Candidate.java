package io.tunetrace.core.match;

/**
 * A verified (track, alignment) hypothesis from {@link OffsetVoter}.
 *
 * @param trackId the track
 * @param deltaFrames reference frame minus query frame of the alignment
 * @param confidence distinct query hashes that agree with the alignment (within the tolerance)
 * @param queryFirstFrame first agreeing query frame
 * @param queryLastFrame last agreeing query frame
 * @param matchedShare share of the query's seconds holding at least one agreeing hash
 * @param significance -log10 of the chance of this many agreeing votes by coincidence, corrected
 *     for the number of alignments that received votes (higher is surer; 2 means 1 in 100)
 */
public record Candidate(
    int trackId,
    int deltaFrames,
    int confidence,
    int queryFirstFrame,
    int queryLastFrame,
    double matchedShare,
    double significance) {}
