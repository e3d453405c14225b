package io.tunetrace.core.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class MatchDecisionTest {

  /** A candidate whose agreeing peak pairs are {@code firstPair .. firstPair + anchors * 2 - 1}. */
  private static Candidate candidate(int trackId, int anchors, long firstPair) {
    long[] pairs = LongStream.range(firstPair, firstPair + anchors * 2L).toArray();
    return new Candidate(trackId, Variant.IDENTITY, 100, anchors * 2, anchors, anchors * 2, 0,
        anchors * 10, 0.8, pairs);
  }

  @Test
  void aCoincidenceThreeMomentsAboveTheRunnerUpIsRefusedAndFourAreAccepted() {
    Candidate runnerUp = candidate(2, 3, 1_000);
    assertTrue(MatchDecision.decide(List.of(candidate(1, 6, 0), runnerUp), 1, 0).isEmpty());
    List<MatchDecision.Accepted> accepted =
        MatchDecision.decide(List.of(candidate(1, 7, 0), runnerUp), 1, 0);
    assertEquals(1, accepted.size());
    assertEquals(1, accepted.get(0).candidate().trackId());
    assertTrue(accepted.get(0).score() >= MatchDecision.THRESHOLD);
  }

  @Test
  void aRealMatchInHeavyNoiseIsAcceptedWhereChanceIsLowButNotWhereItIsHigh() {
    Candidate noisyMatch = candidate(1, 9, 0);
    assertEquals(1, MatchDecision.decide(
        List.of(noisyMatch, candidate(2, 3, 1_000), candidate(3, 2, 2_000)), 1, 0).size());
    // The same votes among many strong coincidences (a long clip in a big library) are not enough.
    assertTrue(MatchDecision.decide(
        List.of(noisyMatch, candidate(2, 7, 1_000), candidate(3, 6, 2_000)), 1, 0).isEmpty());
  }

  @Test
  void smallLibrariesStillNeedSevenMomentsWhateverTheRunnerUp() {
    assertTrue(MatchDecision.decide(List.of(candidate(1, 6, 0)), 1, 0).isEmpty());
    assertEquals(1, MatchDecision.decide(List.of(candidate(1, 7, 0)), 1, 0).size());
  }

  @Test
  void aCandidateFoundInAnotherVariantNeedsOneMomentMore() {
    Candidate runnerUp = candidate(2, 3, 1_000);
    Candidate tempo = new Candidate(1, Variant.tempo(1.04), 100, 14, 7, 14, 0, 70, 0.8,
        LongStream.range(0, 14).toArray());
    assertTrue(MatchDecision.decide(List.of(tempo, runnerUp), 1, 0).isEmpty());
    Candidate stronger = new Candidate(1, Variant.tempo(1.04), 100, 16, 8, 16, 0, 80, 0.8,
        LongStream.range(0, 16).toArray());
    assertEquals(1, MatchDecision.decide(List.of(stronger, runnerUp), 1, 0).size());
  }

  @Test
  void twoCopiesOfOneRecordingNameTheBestAndListTheOther() {
    Candidate original = candidate(1, 20, 0);
    Candidate copy = candidate(2, 19, 2); // the same peak pairs, two short
    Candidate chance = candidate(3, 3, 5_000);
    List<MatchDecision.Accepted> accepted =
        MatchDecision.decide(List.of(original, copy, chance), 5, 0);
    assertEquals(1, accepted.size(), "one recording");
    assertEquals(1, accepted.get(0).candidate().trackId());
    assertEquals(List.of(copy), accepted.get(0).sameRecording());
  }

  @Test
  void twoDifferentRecordingsThatBothAlignAreAmbiguous() {
    // As strong as each other and sharing no peak pairs: neither is far above the other.
    assertTrue(MatchDecision.decide(
        List.of(candidate(1, 12, 0), candidate(2, 11, 10_000)), 5, 0).isEmpty());
  }

  @Test
  void aMixOfTwoIndexedSongsNamesBothWhenAskedForMore() {
    Candidate loud = candidate(1, 30, 0);
    Candidate quiet = candidate(2, 12, 10_000);
    Candidate chance = candidate(3, 3, 20_000);
    List<MatchDecision.Accepted> top = MatchDecision.decide(List.of(loud, quiet, chance), 5, 0);
    assertEquals(List.of(1, 2), top.stream().map(a -> a.candidate().trackId()).toList());
    assertEquals(1, MatchDecision.decide(List.of(loud, quiet, chance), 1, 0).size());
  }

  @Test
  void minScoreOnlyMakesItStricter() {
    List<Candidate> candidates = List.of(candidate(1, 8, 0), candidate(2, 3, 1_000));
    double score = MatchDecision.decide(candidates, 1, 0).get(0).score();
    assertEquals(1, MatchDecision.decide(candidates, 1, score).size());
    assertTrue(MatchDecision.decide(candidates, 1, Math.min(1, score + 0.01)).isEmpty());
  }

  @Test
  void scoreIsMinusLog10OfTheChanceOverSix() {
    Candidate c = candidate(1, 10, 0);
    Candidate r = candidate(2, 3, 1_000);
    double chance = 1.3 * Math.exp(-1.87 * 7);
    assertEquals(chance, MatchDecision.chance(c, r), 1e-12);
    assertEquals(-Math.log10(chance) / 6, MatchDecision.score(c, r), 1e-12);
    assertEquals(1.0, MatchDecision.score(candidate(1, 40, 0), r));
    assertEquals(0.0, MatchDecision.score(r, candidate(1, 10, 0)));
  }

  /** {@link #candidate} checked peak by peak: {@code agreeing} of 200 peaks, chance as given. */
  private static Candidate checked(int trackId, int anchors, long firstPair, int agreeing,
      double chanceMean, int chanceMax) {
    return candidate(trackId, anchors, firstPair)
        .withPeaks(new PeakAgreement.Measure(agreeing, chanceMean, chanceMax, 200));
  }

  @Test
  void aRealMatchInHeavyNoiseWithFewMomentsIsNamedByItsPeaks() {
    // Four moments: the moment rule alone refuses it against a runner-up of three.
    Candidate noisy = candidate(1, 4, 0);
    Candidate runnerUp = candidate(2, 3, 1_000);
    assertTrue(MatchDecision.decide(List.of(noisy, runnerUp), 1, 0).isEmpty());
    // Its peaks: 18 of the clip's land on the track's, 1.5 at other alignments (at most 4).
    List<MatchDecision.Accepted> named = MatchDecision.decide(
        List.of(checked(1, 4, 0, 18, 1.5, 4), checked(2, 3, 1_000, 6, 1.2, 3)), 1, 0);
    assertEquals(1, named.size());
    assertEquals(1, named.get(0).candidate().trackId());
  }

  @Test
  void aPeakCoincidenceAtTheThresholdIsRefusedAndJustAboveItAccepted() {
    Candidate runnerUp = checked(2, 3, 1_000, 7, 1.0, 3); // z = 4.24
    // z = (agreeing - 1) / sqrt(2): 2.3 above the runner-up is the threshold.
    Candidate below = checked(1, 5, 0, 10, 1.0, 3); // z = 6.36, excess 2.12
    Candidate above = checked(1, 5, 0, 11, 1.0, 3); // z = 7.07, excess 2.83
    assertTrue(MatchDecision.decide(List.of(below, runnerUp), 1, 0).isEmpty());
    assertEquals(1, MatchDecision.decide(List.of(above, runnerUp), 1, 0).size());
    // The same peaks from two moments only: an alignment one of very many.
    assertTrue(MatchDecision.decide(List.of(checked(1, 2, 0, 11, 1.0, 3), runnerUp), 1, 0)
        .isEmpty());
  }

  @Test
  void aCandidateOfTwoMomentsCannotBeAcceptedWhateverItsPeakCheck() {
    assertFalse(MatchDecision.couldBeAccepted(candidate(1, 2, 0)));
    assertTrue(MatchDecision.couldBeAccepted(candidate(1, 3, 0)));
    // Two moments and every one of 200 peaks agreeing: no match, alone or against a weak runner-up.
    Candidate two = checked(1, 2, 0, 200, 1.0, 3);
    assertTrue(MatchDecision.decide(List.of(two), 1, 0).isEmpty());
    assertTrue(MatchDecision.decide(List.of(two, checked(2, 1, 1_000, 2, 1.0, 3)), 1, 0).isEmpty());
    // ...nor weighed by its moments as a loop would be.
    assertTrue(MatchDecision.decide(List.of(checked(1, 2, 0, 200, 100, 198)), 1, 0).isEmpty());
    // Three moments with the same peaks are named.
    assertEquals(1, MatchDecision.decide(List.of(checked(1, 3, 0, 200, 1.0, 3)), 1, 0).size());
    // In a variant the same holds: its moments are weighed with one more on top.
    Candidate tempo = new Candidate(1, Variant.tempo(1.04), 100, 4, 2, 4, 0, 20, 0.8,
        new long[] {0, 1, 2, 3});
    assertFalse(MatchDecision.couldBeAccepted(tempo));
  }

  @Test
  void aLoopAboutAsGoodOneBarAwayIsWeighedByItsMoments() {
    Candidate runnerUp = checked(2, 3, 1_000, 5, 1.0, 3);
    // 25 peaks agree, but 23 agree one bar away: a shared drum loop with five moments is refused...
    Candidate sharedLoop = checked(1, 5, 0, 25, 3.0, 23);
    assertTrue(MatchDecision.decide(List.of(sharedLoop, runnerUp), 1, 0).isEmpty());
    // ...and a looping track that the clip really comes from, with its 30 moments, is named.
    Candidate ownLoop = checked(1, 30, 0, 120, 8.0, 118);
    assertEquals(1, MatchDecision.decide(List.of(ownLoop, runnerUp), 1, 0).size());
  }

  @Test
  void candidatesCheckedPeakByPeakAreRankedByTheirCheck() {
    Candidate moreVotes = checked(1, 12, 0, 9, 2.0, 5);
    Candidate betterPeaks = checked(2, 8, 1_000, 40, 2.0, 6);
    List<MatchDecision.Accepted> named =
        MatchDecision.decide(List.of(moreVotes, betterPeaks), 1, 0);
    assertEquals(2, named.get(0).candidate().trackId());
  }
  /**
   * {@link #checked} whose alignment was also checked against the clip's spectrum: the clip has a
   * local maximum at {@code share} of the track's 100 peaks over it, 0.3 at other alignments with
   * a spread of 0.1 (a check of (share − 0.3) / 0.1).
   */
  private static Candidate bothChecked(int trackId, int anchors, long firstPair, int agreeing,
      double chanceMean, int chanceMax, double share) {
    return checked(trackId, anchors, firstPair, agreeing, chanceMean, chanceMax)
        .withSpectrum(new SpectralAgreement.Measure(share, 0.3, 0.1, 100));
  }

  @Test
  void aRealMatchInHeavyNoiseIsNamedByBothChecksWhereItsPeaksAloneFallShort() {
    // Peak check 5.66 against a runner-up's 4.24: 1.4 above the floor of 4, refused by the peaks.
    Candidate noisy = checked(1, 5, 0, 9, 1.0, 3);
    Candidate runnerUp = checked(2, 3, 1_000, 7, 1.0, 3);
    assertTrue(MatchDecision.decide(List.of(noisy, runnerUp), 1, 0).isEmpty());
    // The clip's spectrum peaks at 80 % of the track's peaks there (a check of 5); the runner-up's
    // at 35 % (0.5): 10.66 against the floor of 6, 4.66 above it.
    List<MatchDecision.Accepted> named = MatchDecision.decide(List.of(
        bothChecked(1, 5, 0, 9, 1.0, 3, 0.8), bothChecked(2, 3, 1_000, 7, 1.0, 3, 0.35)), 1, 0);
    assertEquals(1, named.size());
    assertEquals(1, named.get(0).candidate().trackId());
    // The same peaks where the spectrum shows nothing beyond chance: refused.
    assertTrue(MatchDecision.decide(List.of(bothChecked(1, 5, 0, 9, 1.0, 3, 0.3),
        bothChecked(2, 3, 1_000, 7, 1.0, 3, 0.35)), 1, 0).isEmpty());
  }

  @Test
  void aCoincidenceOfBothChecksAtTheThresholdIsRefusedAndJustAboveItAccepted() {
    // Runner-up: peaks 4.24 + spectrum 3.0 = 7.24; the threshold is ln(0.1 / 10^-2.7) / 1.26 =
    // 3.10 above it.
    Candidate runnerUp = bothChecked(2, 3, 1_000, 7, 1.0, 3, 0.6);
    Candidate below = bothChecked(1, 5, 0, 9, 1.0, 3, 0.75); // 5.66 + 4.5 = 10.16, 2.91 above
    Candidate above = bothChecked(1, 5, 0, 9, 1.0, 3, 0.77); // 5.66 + 4.7 = 10.36, 3.11 above
    assertTrue(MatchDecision.decide(List.of(below, runnerUp), 1, 0).isEmpty());
    List<MatchDecision.Accepted> named = MatchDecision.decide(List.of(above, runnerUp), 1, 0);
    assertEquals(1, named.size());
    assertEquals(MatchDecision.THRESHOLD, named.get(0).score(), 0.01);
    // Alone, against the floor of 6, the lower one stands 4.16 above it: named.
    assertEquals(1, MatchDecision.decide(List.of(below), 1, 0).size());
  }

  @Test
  void candidatesCheckedBothWaysAreRankedByTheSumOfTheirChecks() {
    // More peaks agree for track 1 (z 9.9), but the spectrum agrees far better with track 2.
    Candidate morePeaks = bothChecked(1, 8, 0, 15, 1.0, 5, 0.3);
    Candidate betterSpectrum = bothChecked(2, 8, 1_000, 12, 1.0, 5, 0.9); // 7.8 + 6.0
    assertEquals(List.of(betterSpectrum, morePeaks),
        MatchDecision.byStrength(List.of(morePeaks, betterSpectrum)));
    assertEquals(2, MatchDecision.decide(List.of(morePeaks, betterSpectrum), 1, 0).get(0)
        .candidate().trackId());
  }
}
