package io.tunetrace.core.match;

import java.util.Arrays;

/**
 * A verified (track, variant, alignment) hypothesis from {@link OffsetVoter}, before the decision.
 *
 * @param trackId the track
 * @param variant the variant of the query that aligned
 * @param deltaFrames reference frame of query frame 0 (reference minus scaled query frame)
 * @param confidence distinct query hashes (peak pairs) that agree with the alignment
 * @param anchorFrames distinct query frames among them: moments of the clip that agree, so one
 *     loud onset that pairs with itself many times counts once
 * @param distinctHashes distinct hash values among them: a drone or a repeated note that makes the
 *     same hash again and again counts once
 * @param queryFirstFrame first agreeing query frame (in the clip's own time)
 * @param queryLastFrame last agreeing query frame
 * @param matchedShare share of the query's seconds holding at least one agreeing hash
 * @param pairs the agreeing peak pairs (see {@link #overlap})
 * @param peaks the peak-by-peak check of the alignment ({@link PeakAgreement}); {@link
 *     PeakAgreement.Measure#NONE} when the index holds no peaks for the track
 * @param spectrum the check of the reference's peaks against the clip's spectrum ({@link
 *     SpectralAgreement}); {@link SpectralAgreement.Measure#NONE} when not made (no peaks stored,
 *     or a query without its spectrum)
 */
public record Candidate(
    int trackId,
    Variant variant,
    int deltaFrames,
    int confidence,
    int anchorFrames,
    int distinctHashes,
    int queryFirstFrame,
    int queryLastFrame,
    double matchedShare,
    long[] pairs,
    PeakAgreement.Measure peaks,
    SpectralAgreement.Measure spectrum) {

  public Candidate {
    pairs = pairs.clone();
    Arrays.sort(pairs);
    peaks = peaks == null ? PeakAgreement.Measure.NONE : peaks;
    spectrum = spectrum == null ? SpectralAgreement.Measure.NONE : spectrum;
  }

  /** A candidate checked peak by peak only. */
  public Candidate(int trackId, Variant variant, int deltaFrames, int confidence, int anchorFrames,
      int distinctHashes, int queryFirstFrame, int queryLastFrame, double matchedShare,
      long[] pairs, PeakAgreement.Measure peaks) {
    this(trackId, variant, deltaFrames, confidence, anchorFrames, distinctHashes, queryFirstFrame,
        queryLastFrame, matchedShare, pairs, peaks, SpectralAgreement.Measure.NONE);
  }

  /** A candidate not (yet) checked peak by peak. */
  public Candidate(int trackId, Variant variant, int deltaFrames, int confidence, int anchorFrames,
      int distinctHashes, int queryFirstFrame, int queryLastFrame, double matchedShare,
      long[] pairs) {
    this(trackId, variant, deltaFrames, confidence, anchorFrames, distinctHashes, queryFirstFrame,
        queryLastFrame, matchedShare, pairs, PeakAgreement.Measure.NONE);
  }

  /**
   * This candidate with the peak-by-peak check of its alignment (a check of the clip's spectrum
   * made for another alignment is dropped).
   */
  public Candidate withPeaks(PeakAgreement.Measure measure) {
    return new Candidate(trackId, variant, deltaFrames, confidence, anchorFrames, distinctHashes,
        queryFirstFrame, queryLastFrame, matchedShare, pairs, measure,
        SpectralAgreement.Measure.NONE);
  }

  /** This candidate with the check of its alignment against the clip's spectrum. */
  public Candidate withSpectrum(SpectralAgreement.Measure measure) {
    return new Candidate(trackId, variant, deltaFrames, confidence, anchorFrames, distinctHashes,
        queryFirstFrame, queryLastFrame, matchedShare, pairs, peaks, measure);
  }

  /** Whether the alignment was checked peak by peak (the index holds the track's peaks). */
  public boolean peakChecked() {
    return peaks.compared() > 0;
  }

  /** Share of the smaller candidate's agreeing peak pairs that also voted for {@code other}. */
  public double overlap(Candidate other) {
    long[] a = pairs;
    long[] b = other.pairs;
    int i = 0;
    int j = 0;
    int common = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        common++;
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    int smaller = Math.min(a.length, b.length);
    return smaller == 0 ? 0 : (double) common / smaller;
  }

  @Override
  public long[] pairs() {
    return pairs.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Candidate c && trackId == c.trackId && variant.equals(c.variant)
        && deltaFrames == c.deltaFrames && confidence == c.confidence
        && Arrays.equals(pairs, c.pairs);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * trackId + deltaFrames) + Arrays.hashCode(pairs);
  }

  @Override
  public String toString() {
    return "Candidate{track=" + trackId + ", variant=" + variant + ", delta=" + deltaFrames
        + ", confidence=" + confidence + ", anchors=" + anchorFrames + ", distinct="
        + distinctHashes + ", share=" + matchedShare
        + (peakChecked() ? ", peaks=" + peaks.agreeing() + "/" + peaks.compared() + " (chance "
            + peaks.chanceMean() + ")" : "")
        + (spectrum.measured() ? ", spectrum z=" + spectrum.z() : "") + "}";
  }
}
