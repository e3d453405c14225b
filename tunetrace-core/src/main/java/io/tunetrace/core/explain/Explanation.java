package io.tunetrace.core.explain;

import java.util.List;
import java.util.Optional;

/**
 * Why a clip matched a track — or why the best candidate was refused: the clip's spectrogram with
 * its peaks, the track's spectrogram over the aligned stretch, the peak pairs (hashes) that voted
 * for the winning alignment, the votes per alignment (Δt), and the numbers the decision weighed.
 * Immutable.
 *
 * @param query the clip's spectrogram (times from the start of the clip)
 * @param queryPeaks every peak the clip was searched with
 * @param candidate the best candidate, or empty when no track shared two time-consistent hashes
 *     with the clip
 * @param reference the track's spectrogram over the stretch the clip aligns with (times from the
 *     start of the track), or empty when there is no candidate or its audio is not reachable
 * @param referenceProblem why {@code reference} is empty, or "" when it is not
 * @param pairs the pairs that voted for the candidate's alignment
 * @param votes votes per Δt for the candidate's track and variant
 * @param accepted whether the decision accepted the candidate
 * @param reason one sentence: why it was accepted or refused
 * @param queryMillis duration of the clip
 * @param searchMillis time the search took (lookups, votes, decision)
 */
public record Explanation(
    Spectrogram query,
    List<Peak> queryPeaks,
    Optional<Candidate> candidate,
    Optional<Spectrogram> reference,
    String referenceProblem,
    List<VotedPair> pairs,
    VoteHistogram votes,
    boolean accepted,
    String reason,
    long queryMillis,
    long searchMillis) {

  public Explanation {
    queryPeaks = List.copyOf(queryPeaks);
    pairs = List.copyOf(pairs);
  }

  /** A spectral peak: time in milliseconds, frequency in Hz. */
  public record Peak(double millis, double hz) {}

  /**
   * A hash that voted for the alignment: its two peaks in the clip, and where the alignment puts
   * them in the track.
   */
  public record VotedPair(Peak queryAnchor, Peak queryTarget, Peak refAnchor, Peak refTarget) {}

  /**
   * The best candidate and what it was judged on.
   *
   * @param trackId the index's track id
   * @param title track title
   * @param artist track artist
   * @param votes time-consistent hashes (the match's confidence)
   * @param moments distinct moments of the clip among them (what the score counts)
   * @param score the decision's score, [0, 1]
   * @param threshold the score an answer needs
   * @param chance the estimated chance of a coincidence this strong
   * @param runnerUpTitle the strongest other recording, or "" when there is none
   * @param runnerUpMoments its distinct agreeing moments (0 when none)
   * @param timeScale reference time per clip time of the variant that aligned (1 = same speed)
   * @param freqScale clip frequency per reference frequency of that variant
   * @param deltaMillis where in the track the clip starts
   * @param matchedShare share of the clip's seconds holding an agreeing hash
   */
  public record Candidate(int trackId, String title, String artist, int votes, int moments,
      double score, double threshold, double chance, String runnerUpTitle, int runnerUpMoments,
      double timeScale, double freqScale, long deltaMillis, double matchedShare) {}

  /**
   * Votes per alignment for the candidate's track: {@code counts[i]} votes fell in Δt bin
   * [{@code firstMillis + i * binMillis}, + binMillis); the bin holding the winning Δt is
   * {@code winningBin} (−1 when there is no candidate).
   */
  public record VoteHistogram(double firstMillis, double binMillis, int[] counts, int winningBin) {
    public VoteHistogram {
      counts = counts.clone();
    }

    @Override
    public int[] counts() {
      return counts.clone();
    }

    public int count(int bin) {
      return counts[bin];
    }

    public int bins() {
      return counts.length;
    }

    /** Largest count outside the winning bin (the background). */
    public int background() {
      int most = 0;
      for (int i = 0; i < counts.length; i++) {
        if (i != winningBin) {
          most = Math.max(most, counts[i]);
        }
      }
      return most;
    }

    static VoteHistogram empty() {
      return new VoteHistogram(0, 1, new int[0], -1);
    }
  }
}
