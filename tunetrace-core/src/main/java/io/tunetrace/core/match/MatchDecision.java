package io.tunetrace.core.match;

import java.util.ArrayList;
import java.util.List;

/**
 * The one place that decides whether a candidate is a match, how sure it is, and which other
 * tracks hold the same recording. See docs/MATCHING.md for what is counted, why, and the
 * measurements behind each constant.
 *
 * <p>Thread-safe (stateless).
 */
public final class MatchDecision {
  /** Share of a copy's agreeing peak pairs that also voted for the best candidate. */
  static final double SAME_RECORDING_OVERLAP = 0.5;

  private MatchDecision() {}

  /**
   * An accepted match: the candidate, its score in [0, 1], and the other tracks that hold the
   * same audio at this point (best first).
   */
  public record Accepted(Candidate candidate, double score, List<Candidate> sameRecording) {
    public Accepted {
      sameRecording = List.copyOf(sameRecording);
    }
  }

  /**
   * A recording: its strongest candidate, the other copies, and the runner-up it is judged against:
   * the strongest recording after it (for the best one, the strongest other recording at all).
   */
  public record Group(Candidate leader, List<Candidate> copies, Candidate runnerUp) {}

  /**
   * Groups candidates (best first) into recordings: a candidate whose agreeing peak pairs are
   * largely those of an earlier, stronger candidate is another copy of that recording.
   */
  public static List<Group> group(List<Candidate> candidates) {
    candidates = byStrength(candidates);
    List<Candidate> leaders = new ArrayList<>();
    List<List<Candidate>> copies = new ArrayList<>();
    for (Candidate c : candidates) {
      boolean placed = false;
      for (int g = 0; g < leaders.size() && !placed; g++) {
        if (c.overlap(leaders.get(g)) >= SAME_RECORDING_OVERLAP) {
          copies.get(g).add(c);
          placed = true;
        }
      }
      if (!placed) {
        leaders.add(c);
        copies.add(new ArrayList<>());
      }
    }
    List<Group> groups = new ArrayList<>();
    for (int g = 0; g < leaders.size(); g++) {
      Candidate runnerUp = g + 1 < leaders.size() ? leaders.get(g + 1) : null;
      groups.add(new Group(leaders.get(g), copies.get(g), runnerUp));
    }
    return groups;
  }

  /**
   * The candidates strongest first: by their checks ({@link #checked}) when every one was checked
   * peak by peak (the votes that chose them count agreeing pairs, which noise thins far more than
   * single peaks), else in the order given (by votes).
   */
  static List<Candidate> byStrength(List<Candidate> candidates) {
    for (Candidate c : candidates) {
      if (!c.peakChecked()) {
        return candidates;
      }
    }
    List<Candidate> sorted = new ArrayList<>(candidates);
    sorted.sort((a, b) -> Double.compare(checked(b), checked(a)));
    return sorted;
  }

  /**
   * What a candidate's checks add up to: its peak check ({@link PeakAgreement.Measure#z}) plus,
   * when it was made, its check against the clip's spectrum ({@link SpectralAgreement.Measure#z}).
   * Each is a distance from chance in units of chance's spread; they weigh different evidence
   * (the clip's peaks on the reference's, the reference's peaks on the clip's spectrum), and their
   * sum separated real matches from coincidences better than either alone (docs/MATCHING.md §1c).
   */
  public static double checked(Candidate c) {
    return c.peaks().z() + (c.spectrum().measured() ? c.spectrum().z() : 0);
  }

  /**
   * Decides: the accepted recordings, best first (empty for "no match"). Each is judged against
   * the next: the best must stand far above every other recording, the second (a medley, a mix)
   * far above the third, and so on; the list ends at the first that does not.
   *
   * @param candidates verified candidates from {@link OffsetVoter}, best first
   */
  public static List<Accepted> decide(List<Candidate> candidates, int maxResults,
      double minScore) {
    List<Accepted> out = new ArrayList<>();
    for (Group g : group(candidates)) {
      double score = score(g.leader(), g.runnerUp());
      if (score < threshold() || out.size() == maxResults) {
        break; // a recording that is not far above the next one ends the list
      }
      if (score >= minScore) {
        List<Candidate> same = new ArrayList<>();
        for (Candidate c : g.copies()) {
          if (score(c, g.runnerUp()) >= threshold()) {
            same.add(c);
          }
        }
        out.add(new Accepted(g.leader(), score, same));
      }
    }
    return out;
  }

  /**
   * The chance level a runner-up is never taken to be below, in anchor frames. In a library of a
   * few tracks the runner-up is the best of a handful and says little; in a realistic one the
   * runner-up of unknown clips held 2–4 moments (97% of 1,140 tune clips), so a floor of 3 changes
   * little there and keeps a small library from accepting 6-moment coincidences.
   */
  static final int CHANCE_FLOOR_ANCHORS = 3;

  /**
   * Moments a candidate found in a variant other than the clip as it is (another speed, tempo or
   * pitch) must have on top: its alignment was one of many more searched. On the tune set this cost
   * 0.1 point of accuracy, and it refuses the tempo-shifted coincidences of synthetic music played on
   * one synthesizer.
   */
  static final int VARIANT_PENALTY_ANCHORS = 1;

  /**
   * How fast the chance of a coincidence falls with each moment it has beyond the runner-up: the
   * tail P(best − runner-up ≥ k) ≈ {@link #CHANCE_AT_ZERO} · e^(−{@value}·k) fitted on unknown clips
   * of the tune music (k = 1: 20%, 2: 3.4%, 3: 0.47%).
   */
  static final double CHANCE_DECAY_PER_ANCHOR = 1.87;

  /** See {@link #CHANCE_DECAY_PER_ANCHOR}. */
  static final double CHANCE_AT_ZERO = 1.3;

  /** A score of 1 stands for a chance of a coincidence of 10^−{@value} or less. */
  static final double SCORE_DECADES = 6;

  /**
   * The score an accepted match needs: 0.45, a chance of coincidence of 10^−2.7 = 0.2% per clip,
   * which held false positives under 0.1% of 1,140 unknown tune clips while accepting 98% of the
   * indexed ones.
   */
  public static final double THRESHOLD = 0.45;

  /**
   * A score so far beyond doubt (a chance of 10^−4.8) that searching the variants could not change
   * the answer: a clip that scores this as it is is answered without them.
   */
  public static final double SURE = 0.8;

  /** The score an accepted match needs. */
  public static double threshold() {
    return THRESHOLD;
  }

  /**
   * The runner-up's peak check ({@link PeakAgreement.Measure#z}) is never taken to be below this.
   * The runner-up of unknown tune clips held 2.1 / 2.8 / 3.4 / 4.2 at the 10th / 50th / 90th / 99th
   * percentile: a floor of 4 is the runner-up of a large library, and keeps a library of a few
   * tracks (where the runner-up is the best of a handful) from lowering the bar.
   */
  static final double PEAK_FLOOR_Z = 4.0;

  /**
   * Distinct moments of the clip whose pairs voted for the alignment that a candidate checked peak
   * by peak needs at least: the peak check weighs an alignment the votes chose, and an alignment
   * chosen by one or two moments is one of very many. Every right answer among the tune clips had
   * three or more (430 of 442 had six or more); a synthetic piece played on the library's own
   * synthesizer reached a peak check of 7 from one moment.
   */
  static final int PEAK_MIN_ANCHORS = 3;

  /**
   * How far above the runner-up (in z) a candidate found in another variant than the clip as it is
   * must stand on top: its alignment was one of many more searched. On 615 unknown clips of the
   * tune music's speed, tempo, pitch, codec and mix conditions (leave-one-out), a penalty of 1
   * instead of 0.5 refused one of the three coincidences at the threshold (a clip pitch-shifted by
   * a semitone, matched to another track) and cost none of the 525 indexed clips.
   */
  static final double PEAK_VARIANT_PENALTY_Z = 1.0;

  /**
   * The tail of chance for the peak check: P(best − max(floor, runner-up) ≥ x) ≈ {@link
   * #PEAK_CHANCE_AT_ZERO} · e^(−{@value}·x), fitted on 540 unknown tune clips when one alignment
   * per track was checked (x = 0: 16 %, 1: 2.2 %, 2: 0.37 %). With three ({@link
   * OffsetVoter#ALIGNMENTS}) the best chance candidate is the best of more tries and stands a
   * little higher: on 800 unknown tune clips, x ≥ 1 in 2.9 % and ≥ 2 in 0.5 % (one alignment:
   * 1.9 % and 0.25 %), so the tail's level is 0.2 instead of 0.16, with the same decay.
   */
  static final double PEAK_CHANCE_DECAY = 1.9;

  /** See {@link #PEAK_CHANCE_DECAY}. */
  static final double PEAK_CHANCE_AT_ZERO = 0.2;

  /**
   * The runner-up's two checks together ({@link #checked}) are never taken to be below this: the
   * runner-up of 1,065 unknown tune clips (wesnoth's noise and variants sets, leave-one-out
   * included) held 3.1 / 4.2 / 5.5 / 6.4 at the 10th / 50th / 90th / 99th percentile.
   */
  static final double CHECKS_FLOOR = 6.0;

  /**
   * The tail of chance for the two checks together: P(best − max(floor, runner-up) − variant
   * penalty ≥ x) ≈ {@link #CHECKS_CHANCE_AT_ZERO} · e^(−{@value}·x), fitted on 1,521 unknown tune
   * clips: the 1,065 of wesnoth (x ≥ 0: 9.4 %, 1: 2.3 %, 2: 0.38 %, 3: 0.09 %) and 456 of warzone
   * (its held-out clips, and its indexed clips with their own track left out, but for the tracks
   * that {@code dedup} finds a copy of), whose tail is heavier; together x ≥ 0: 9.8 %, 1: 2.8 %, 2:
   * 0.79 %. Wesnoth's alone would give 1.5.
   */
  static final double CHECKS_CHANCE_DECAY = 1.26;

  /** See {@link #CHECKS_CHANCE_DECAY}. */
  static final double CHECKS_CHANCE_AT_ZERO = 0.1;

  /**
   * The estimated chance that coincidence alone produces a candidate this far above the strongest
   * other recording (the runner-up). A candidate checked peak by peak is weighed by how far its
   * checks stand above the runner-up's: both checks together ({@link #checked}, the runner-up's
   * taken as at least {@link #CHECKS_FLOOR}) when the clip's spectrum was checked too, else its
   * peak check alone (taken as at least {@link #PEAK_FLOOR_Z}: a query made from stored
   * fingerprints, as the same-audio check's windows are); one that could not be checked (an index
   * without stored peaks) by its moments: the runner-up's taken as at least
   * {@link #CHANCE_FLOOR_ANCHORS}. A candidate found in another variant than the clip's own pays a
   * penalty either way. A candidate checked peak by peak needs {@link #PEAK_MIN_ANCHORS} moments;
   * one whose alignment is not clear of the track's other alignments ({@link
   * PeakAgreement.Measure#clearOfOtherAlignments}: a track that repeats itself bar for bar, or a loop
   * shared with another piece) is weighed by its moments, which the peaks cannot help with there.
   */
  public static double chance(Candidate c, Candidate runnerUp) {
    if (c.peakChecked() && c.peaks().clearOfOtherAlignments()) {
      if (c.anchorFrames() < PEAK_MIN_ANCHORS) {
        return 1;
      }
      double penalty = c.variant().isIdentity() ? 0 : PEAK_VARIANT_PENALTY_Z;
      if (c.spectrum().measured()) {
        double other = Math.max(CHECKS_FLOOR,
            runnerUp == null || !runnerUp.peakChecked() ? 0 : checked(runnerUp));
        double excess = checked(c) - other - penalty;
        return Math.min(1, CHECKS_CHANCE_AT_ZERO * Math.exp(-CHECKS_CHANCE_DECAY * excess));
      }
      double other = Math.max(PEAK_FLOOR_Z,
          runnerUp == null || !runnerUp.peakChecked() ? 0 : runnerUp.peaks().z());
      double excess = c.peaks().z() - other - penalty;
      return Math.min(1, PEAK_CHANCE_AT_ZERO * Math.exp(-PEAK_CHANCE_DECAY * excess));
    }
    // Not checked peak by peak, or about as good one bar away (a track that repeats itself, or a
    // loop shared with another piece): the peaks cannot tell, and the moments decide.
    return chanceByMoments(c, runnerUp);
  }

  private static double chanceByMoments(Candidate c, Candidate runnerUp) {
    int other = Math.max(CHANCE_FLOOR_ANCHORS, runnerUp == null ? 0 : runnerUp.anchorFrames());
    int excess = c.anchorFrames() - other
        - (c.variant().isIdentity() ? 0 : VARIANT_PENALTY_ANCHORS);
    return Math.min(1, CHANCE_AT_ZERO * Math.exp(-CHANCE_DECAY_PER_ANCHOR * excess));
  }

  /**
   * Whether a candidate found by the votes could be accepted at all, whatever its peak check and
   * the runner-up: one checked peak by peak needs {@link #PEAK_MIN_ANCHORS} moments, one weighed
   * by its moments needs the threshold against the lowest runner-up there is (the floor). A clip
   * none of whose candidates could be accepted is "no match" without checking any.
   */
  public static boolean couldBeAccepted(Candidate c) {
    return c.anchorFrames() >= PEAK_MIN_ANCHORS
        || scoreOfChance(chanceByMoments(c, null)) >= threshold();
  }

  /**
   * How sure a candidate is, in [0, 1]: {@code -log10(chance) / 6}, so 0.5 means a one-in-a-
   * thousand coincidence and 1 one in a million or rarer.
   */
  public static double score(Candidate c, Candidate runnerUp) {
    return scoreOfChance(chance(c, runnerUp));
  }

  private static double scoreOfChance(double chance) {
    return Math.max(0, Math.min(1, -Math.log10(chance) / SCORE_DECADES));
  }
}
