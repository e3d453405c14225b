package io.tunetrace.core.match;

import io.tunetrace.core.index.TrackPeaks;
import io.tunetrace.core.peaks.Peaks;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies a candidate alignment peak by peak: how many of the clip's spectral peaks land on one of
 * the reference's peaks (within a frame or two and a bin) once the clip is placed where the votes
 * say, against how many land when it is placed elsewhere in the same track.
 *
 * <p>Votes need both peaks of a pair to survive noise; a single peak survives far more often, so
 * a real match in heavy noise that has only a few agreeing pairs still has many agreeing peaks. And
 * chance is measured, not assumed: the same count at {@link #CHANCE_SHIFTS} other alignments of the
 * same clip on the same track gives what this clip and this track's density, key and loops produce
 * by coincidence.
 *
 * <p>Thread-safe (stateless).
 */
public final class PeakAgreement {
  /**
   * Alignments (in frames from the candidate's) at which chance agreement is measured: 0.28 to
   * 1.9 s either side, spaced unevenly so that no beat period lines up with many of them.
   */
  static final int[] CHANCE_SHIFTS = {
    -240, -203, -171, -139, -111, -83, -59, -37, 37, 59, 83, 111, 139, 171, 203, 240
  };

  private static final int MAX_SHIFT = 240;

  /**
   * A check ({@link Measure#z}) from which every other alignment within {@value #MAX_SHIFT} frames
   * is counted for {@link Measure#chanceMax}, not only {@link #CHANCE_SHIFTS}: a piece that shares a
   * drum loop or a riff with a track agrees about as well one bar away, at whatever tempo, and so
   * does a track that repeats itself exactly (looping game music); {@link MatchDecision} then weighs
   * the candidate by its moments instead (docs/MATCHING.md §1b). A candidate below it is refused by
   * the peak rule anyway (it needs 2.4 above a floor of 4), so the full scan (about 0.2 ms) is spent
   * on the few that may be accepted.
   */
  static final double SCAN_ALL_FROM_Z = 6.0;

  /** Alignments nearer than this (in frames) are the candidate's own, blurred; not counted. */
  private static final int NEAR = 8;

  /** See {@link Measure#clearOfOtherAlignments()}. */
  static final int CLEAR_BY = 3;

  private PeakAgreement() {}

  /**
   * What the peak check found.
   *
   * @param agreeing the clip's peaks that land on a reference peak at the candidate's alignment
   * @param chanceMean the mean of the same count at the other alignments
   * @param chanceMax the largest count at the other alignments (at every frame within 1.9 s for a
   *     candidate that may be accepted)
   * @param compared the clip's peaks that fall within the reference at the alignment
   */
  public record Measure(int agreeing, double chanceMean, int chanceMax, int compared) {
    /** No peaks to compare (an index without stored peaks, or an empty clip). */
    public static final Measure NONE = new Measure(0, 0, 0, 0);

    /** Agreeing peaks beyond what chance gives this clip on this track. */
    public double excess() {
      return agreeing - chanceMean;
    }

    /**
     * The excess in units of chance's spread: {@code (agreeing − chanceMean) / √(chanceMean + 1)}
     * (a count of coincidences spreads about as the square root of its mean).
     */
    public double z() {
      return excess() / Math.sqrt(chanceMean + 1);
    }

    /**
     * Whether the alignment stands clear of the best of the other alignments: at least {@value
     * #CLEAR_BY} more agreeing peaks and half as many again. Music repeats: a drum loop or a riff
     * shared with another piece agrees at every bar, so such a coincidence agrees about as well one
     * bar away, where a real match does not.
     */
    public boolean clearOfOtherAlignments() {
      return agreeing >= chanceMax + CLEAR_BY && agreeing >= 1.5 * chanceMax;
    }
  }

  /**
   * Measures the agreement of {@code query}'s peaks, moved by {@code variant} and placed at
   * {@code deltaFrames}, with {@code reference}.
   */
  public static Measure measure(Peaks query, TrackPeaks reference, Variant variant,
      int deltaFrames) {
    return measure(query, reference, variant, deltaFrames, true, Double.NEGATIVE_INFINITY);
  }

  /**
   * The check; with {@code scanAll}, {@link Measure#chanceMax} of a candidate that may be accepted
   * ({@link #SCAN_ALL_FROM_Z}) is searched at every other alignment, otherwise only at {@link
   * #CHANCE_SHIFTS} (the rest of the measure is the same either way). Returns null, without
   * measuring chance, when the alignment cannot check above {@code toBeat}: its z is at most its
   * agreeing count.
   */
  private static Measure measure(Peaks query, TrackPeaks reference, Variant variant,
      int deltaFrames, boolean scanAll, double toBeat) {
    if (query.size() == 0 || reference.size() == 0) {
      return Measure.NONE;
    }
    double timeScale = variant.timeScale();
    double freqScale = variant.freqScale();
    int tol = variant.timeScale() == 1.0 ? 1 : 2;
    int clipFrames = (int) Math.round(query.frameCount() * timeScale);
    int base = deltaFrames - MAX_SHIFT - tol - 1;
    int rows = clipFrames + 2 * (MAX_SHIFT + tol + 1) + 1;
    int lastRefFrame = reference.frame(reference.size() - 1);
    int first = reference.firstAtOrAfter(Math.max(0, base - tol));
    // A row holds bins 0..64·words − 1: as many as the reference's peaks here reach (+1).
    int topBin = 0;
    for (int i = first; i < reference.size() && reference.frame(i) <= base + rows + tol; i++) {
      topBin = Math.max(topBin, reference.bin(i));
    }
    int words = (Math.min(511, topBin + 1) >>> 6) + 1;
    long[] bits = new long[rows * words];
    for (int i = first; i < reference.size() && reference.frame(i) <= base + rows + tol; i++) {
      int f = reference.frame(i);
      int b = reference.bin(i);
      for (int r = f - tol - base; r <= f + tol - base; r++) {
        if (r < 0 || r >= rows) {
          continue;
        }
        for (int bb = Math.max(0, b - 1); bb <= Math.min(511, b + 1); bb++) {
          bits[r * words + (bb >>> 6)] |= 1L << (bb & 63);
        }
      }
    }
    int n = query.size();
    int[] rowAt = new int[n];
    int[] binAt = new int[n];
    int compared = 0;
    for (int i = 0; i < n; i++) {
      rowAt[i] = (int) Math.round(query.frame(i) * timeScale) + deltaFrames - base;
      int bin = Math.min(511, Math.max(0, Math.round(query.frequencyBins(i) / (float) freqScale)));
      binAt[i] = bin < 64 * words ? bin : -1; // above every reference peak here: agrees with none
      int refFrame = rowAt[i] + base;
      if (refFrame >= 0 && refFrame <= lastRefFrame) {
        compared++;
      }
    }
    int agreeing = count(bits, rows, words, rowAt, binAt, 0);
    if (agreeing <= toBeat) {
      return null;
    }
    long sum = 0;
    int max = 0;
    for (int shift : CHANCE_SHIFTS) {
      int c = count(bits, rows, words, rowAt, binAt, shift);
      sum += c;
      max = Math.max(max, c);
    }
    double mean = (double) sum / CHANCE_SHIFTS.length;
    if (scanAll && (agreeing - mean) / Math.sqrt(mean + 1) >= SCAN_ALL_FROM_Z) {
      // A candidate that may be accepted: the best other alignment is searched at every frame,
      // so that a drum loop or riff shared with another piece is found one bar away, whatever
      // the tempo.
      for (int shift = -MAX_SHIFT; shift <= MAX_SHIFT; shift++) {
        if (Math.abs(shift) >= NEAR) {
          max = Math.max(max, count(bits, rows, words, rowAt, binAt, shift));
        }
      }
    }
    return new Measure(agreeing, mean, max, compared);
  }

  /**
   * Checks a candidate's alignment and the other alignments of its track that the votes offered
   * ({@link OffsetVoter.Votes#alternatives}, those of other tracks are ignored) and keeps the one
   * that agrees best ({@link Measure#z} less the decision's penalty for an alignment found in a
   * variant, {@link MatchDecision#PEAK_VARIANT_PENALTY_Z}, so that the one the decision will rate
   * highest is kept; a tie keeps the candidate's own) if it is {@linkplain
   * Measure#clearOfOtherAlignments() clear of the alignments around it}; otherwise (a loop) the
   * candidate's own. Chance is measured the same way for every candidate, so a runner-up gets the
   * same choice.
   */
  public static Candidate checkBest(Peaks query, TrackPeaks reference, Candidate candidate,
      List<Candidate> alternatives) {
    return checkBest(query, reference, candidate, alternatives, new Memo());
  }

  /**
   * {@link #checkBest(Peaks, TrackPeaks, Candidate, List)}, reusing the checks of {@code memo}:
   * the steps of one clip's search check many of the same alignments again.
   */
  public static Candidate checkBest(Peaks query, TrackPeaks reference, Candidate candidate,
      List<Candidate> alternatives, Memo memo) {
    Measure own = memo.measure(query, reference, candidate, false, Double.NEGATIVE_INFINITY);
    Candidate best = candidate;
    Measure bestMeasure = own;
    for (Candidate other : alternatives) {
      if (other.trackId() == candidate.trackId()) {
        Measure m = memo.measure(query, reference, other, false,
            bestMeasure.z() - variantPenalty(best) + variantPenalty(other));
        if (m != null && m.z() - variantPenalty(other) > bestMeasure.z() - variantPenalty(best)) {
          best = other;
          bestMeasure = m;
        }
      }
    }
    Measure kept = memo.scanned(query, reference, best, bestMeasure);
    if (best != candidate && !kept.clearOfOtherAlignments()) {
      // Another alignment about as good nearby: a loop, which the votes' own alignment, weighed
      // by its moments, answers for (docs/MATCHING.md §1b); a second try must not turn it into one.
      return candidate.withPeaks(memo.scanned(query, reference, candidate, own));
    }
    return best.withPeaks(kept);
  }

  /** What the decision takes off the peak check of an alignment found in a variant. */
  private static double variantPenalty(Candidate c) {
    return c.variant().isIdentity() ? 0 : MatchDecision.PEAK_VARIANT_PENALTY_Z;
  }

  /**
   * The checks made for one clip, by (track, variant, alignment), to be reused by the later steps
   * of its search. Not thread-safe.
   */
  public static final class Memo {
    private record Key(int trackId, Variant variant, int deltaFrames, boolean scanAll) {
      // written out, as Variant's: the generated ones bootstrap method handles at their first call
      @Override
      public boolean equals(Object o) {
        return o instanceof Key k && trackId == k.trackId && deltaFrames == k.deltaFrames
            && scanAll == k.scanAll && variant.equals(k.variant);
      }

      @Override
      public int hashCode() {
        return ((trackId * 31 + deltaFrames) * 31 + Boolean.hashCode(scanAll)) * 31
            + variant.hashCode();
      }
    }

    private final Map<Key, Measure> measures = new HashMap<>();

    /** Nothing checked yet. */
    public Memo() {}

    Measure measure(Peaks query, TrackPeaks reference, Candidate c, boolean scanAll,
        double toBeat) {
      Key key = new Key(c.trackId(), c.variant(), c.deltaFrames(), scanAll);
      Measure m = measures.get(key);
      if (m == null) {
        m = PeakAgreement.measure(query, reference, c.variant(), c.deltaFrames(), scanAll,
            toBeat);
        if (m != null) {
          measures.put(key, m);
        }
      }
      return m == null || m.agreeing() <= toBeat ? null : m;
    }

    /**
     * {@code quick} (the check of {@code c} without the scan), with every other alignment scanned
     * for its chanceMax when it may be accepted ({@link #SCAN_ALL_FROM_Z}); the scan changes
     * nothing else.
     */
    Measure scanned(Peaks query, TrackPeaks reference, Candidate c, Measure quick) {
      return quick.z() >= SCAN_ALL_FROM_Z
          ? measure(query, reference, c, true, Double.NEGATIVE_INFINITY) : quick;
    }
  }

  private static int count(long[] bits, int rows, int words, int[] rowAt, int[] binAt,
      int shift) {
    int c = 0;
    for (int i = 0; i < rowAt.length; i++) {
      int r = rowAt[i] + shift;
      int b = binAt[i];
      if (r >= 0 && r < rows && b >= 0) {
        if ((bits[r * words + (b >>> 6)] & (1L << (b & 63))) != 0) {
          c++;
        }
      }
    }
    return c;
  }
}
