package io.tunetrace.core.match;

import io.tunetrace.core.index.TrackPeaks;
import io.tunetrace.core.peaks.LocalMaxima;
import java.util.HashMap;
import java.util.Map;

/**
 * Verifies a candidate alignment the other way round from {@link PeakAgreement}: not whether the
 * clip's peaks land on the reference's, but whether the clip's spectrum has a local maximum
 * ({@link LocalMaxima}, within a bin and a frame or two) where the reference has its peaks, once
 * the clip is placed where the votes say, against the same share at other alignments within 1.9 s
 * of the same clip on the same track.
 *
 * <p>The clip's peaks are the strongest of a wide neighbourhood, so in heavy noise (pink noise at
 * 0 dB, voices over the music) many of the music's partials are outshone by the noise and are not
 * among them; they still stand above the bins around them, so they are still local maxima. A
 * reference peak the clip cannot hold counts as well, so the share also tells how much of the
 * reference is there, not only how much of the clip. The two checks measure different things and
 * {@link MatchDecision} weighs their sum (docs/MATCHING.md §1c).
 *
 * <p>Thread-safe (stateless).
 */
public final class SpectralAgreement {
  /** Other alignments are counted from {@value} frames (1.9 s) before to as many after. */
  static final int MAX_SHIFT = 240;

  /**
   * Chance is measured at every {@value}rd frame of the other alignments (156 of them): the
   * share moves little from one frame to the next, and this is a third of the work.
   */
  static final int SHIFT_STEP = 3;

  /** Alignments nearer than this (in frames) are the candidate's own, blurred; not counted. */
  static final int NEAR = 8;

  /** The spread of chance is never taken to be below this share. */
  private static final double MIN_SPREAD = 1e-3;

  private SpectralAgreement() {}

  /**
   * What the check found.
   *
   * @param share the share of the reference's peaks over the clip at which the clip has a local
   *     maximum, at the candidate's alignment
   * @param chanceMean the mean of that share at the other alignments
   * @param chanceSpread its standard deviation at the other alignments
   * @param compared the reference's peaks over the clip at the candidate's alignment
   */
  public record Measure(double share, double chanceMean, double chanceSpread, int compared) {
    /** Not measured (no spectrum of the clip, or no reference peaks over it). */
    public static final Measure NONE = new Measure(0, 0, 0, 0);

    /** Whether anything was compared. */
    public boolean measured() {
      return compared > 0;
    }

    /** The share beyond chance in units of chance's spread over the other alignments. */
    public double z() {
      return measured() ? (share - chanceMean) / Math.max(MIN_SPREAD, chanceSpread) : 0;
    }
  }

  /**
   * Measures the share of {@code reference}'s peaks at which {@code clip} (moved by {@code
   * variant} and placed at {@code deltaFrames}: reference frame = clip frame × time scale + delta,
   * reference bin = clip bin / frequency scale) has a local maximum, there and at every {@link
   * #SHIFT_STEP}rd alignment from {@link #NEAR} to {@value #MAX_SHIFT} frames either side.
   */
  public static Measure measure(LocalMaxima clip, TrackPeaks reference, Variant variant,
      int deltaFrames) {
    int frames = clip.frameCount();
    if (frames == 0 || reference.size() == 0) {
      return Measure.NONE;
    }
    double timeScale = variant.timeScale();
    double freqScale = variant.freqScale();
    boolean identity = timeScale == 1.0;
    double inverse = 1.0 / timeScale;
    int tol = identity ? 1 : 2;
    int bins = clip.binCount();
    // The reference's peaks that some alignment puts over the clip, in the clip's bins.
    int lo = deltaFrames - MAX_SHIFT;
    int hi = deltaFrames + MAX_SHIFT + (int) Math.ceil(frames * timeScale) + 1;
    int first = reference.firstAtOrAfter(Math.max(0, lo));
    int n = 0;
    int[] refFrames = new int[64];
    int[] clipBins = new int[64];
    for (int i = first; i < reference.size() && reference.frame(i) <= hi; i++) {
      int bin = (int) Math.round(reference.bin(i) * freqScale);
      if (bin < 1 || bin >= bins - 1) {
        continue;
      }
      if (n == refFrames.length) {
        refFrames = java.util.Arrays.copyOf(refFrames, 2 * n);
        clipBins = java.util.Arrays.copyOf(clipBins, 2 * n);
      }
      refFrames[n] = reference.frame(i);
      clipBins[n] = bin;
      n++;
    }
    double sum = 0;
    double squares = 0;
    int counted = 0;
    double own = 0;
    int ownCompared = 0;
    int start = 0;
    for (int step = -MAX_SHIFT / SHIFT_STEP; step <= MAX_SHIFT / SHIFT_STEP; step++) {
      int shift = step * SHIFT_STEP; // the candidate's own alignment (0) is always one of them
      if (shift != 0 && Math.abs(shift) < NEAR) {
        continue;
      }
      int delta = deltaFrames + shift;
      while (start < n && refFrames[start] < delta) {
        start++; // the alignments grow: a peak before this one is before every later one
      }
      int over = 0;
      int hits = 0;
      for (int i = start; i < n; i++) {
        int after = refFrames[i] - delta; // never negative: rounding half up is Math.round's
        int frame = identity ? after : (int) (after * inverse + 0.5);
        if (frame >= frames) {
          break;
        }
        over++;
        if (clip.near(frame, clipBins[i], tol)) {
          hits++;
        }
      }
      double share = over == 0 ? 0 : (double) hits / over;
      if (shift == 0) {
        own = share;
        ownCompared = over;
      } else {
        sum += share;
        squares += share * share;
        counted++;
      }
    }
    if (ownCompared == 0) {
      return Measure.NONE;
    }
    double mean = sum / counted;
    double spread = Math.sqrt(Math.max(0, squares / counted - mean * mean));
    return new Measure(own, mean, spread, ownCompared);
  }

  /** Measures already made for one clip, so that the steps of its search do not repeat them. */
  public static final class Memo {
    private record Key(int trackId, Variant variant, int deltaFrames) {
      // written out, as Variant's: the generated ones bootstrap method handles at their first call
      @Override
      public boolean equals(Object o) {
        return o instanceof Key k && trackId == k.trackId && deltaFrames == k.deltaFrames
            && variant.equals(k.variant);
      }

      @Override
      public int hashCode() {
        return (trackId * 31 + deltaFrames) * 31 + variant.hashCode();
      }
    }

    private final Map<Key, Measure> measures = new HashMap<>();

    /** Nothing measured yet. */
    public Memo() {}

    /** {@code candidate} with its alignment measured against {@code reference}. */
    public Candidate check(LocalMaxima clip, TrackPeaks reference, Candidate candidate) {
      Key key = new Key(candidate.trackId(), candidate.variant(), candidate.deltaFrames());
      Measure m = measures.get(key);
      if (m == null) {
        m = measure(clip, reference, candidate.variant(), candidate.deltaFrames());
        measures.put(key, m);
      }
      return candidate.withSpectrum(m);
    }
  }
}
