package io.tunetrace.core.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.index.TrackPeaks;
import io.tunetrace.core.peaks.Peaks;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PeakAgreementTest {
  private static final int TRACK_FRAMES = 20_000;

  /** A reference of about 20 peaks a second (125 frames) over bins 4..230. */
  private static TrackPeaks reference(Random random, int[] frames, int[] bins) {
    for (int i = 0; i < frames.length; i++) {
      frames[i] = random.nextInt(TRACK_FRAMES);
      bins[i] = 4 + random.nextInt(226);
    }
    return TrackPeaks.of(frames, bins);
  }

  /**
   * A 5 s clip starting at reference frame {@code start}: each reference peak kept with
   * probability {@code kept} (moved by the variant), plus noise peaks, 40 a second in all.
   */
  private static Peaks clip(Random random, TrackPeaks ref, int start, double kept, Variant v) {
    int clipFrames = 625;
    Peaks.Collector c = new Peaks.Collector();
    int from = ref.firstAtOrAfter(start);
    int real = 0;
    for (int i = from; i < ref.size() && ref.frame(i) < start + clipFrames * v.timeScale(); i++) {
      if (random.nextDouble() < kept) {
        int q = (int) Math.round((ref.frame(i) - start) / v.timeScale());
        c.peak(q, (int) Math.round(ref.bin(i) * v.freqScale()), 0f, -10f);
        real++;
      }
    }
    for (int i = real; i < 200; i++) {
      c.peak(random.nextInt(clipFrames), 4 + random.nextInt(226), 0f, -20f);
    }
    return c.toPeaks(clipFrames);
  }

  @Test
  void aNoisyClipAgreesFarBeyondChanceAtItsAlignmentAndNotElsewhere() {
    Random random = new Random(7);
    int n = TRACK_FRAMES * 20 / 125;
    TrackPeaks ref = reference(random, new int[n], new int[n]);
    Peaks noisy = clip(random, ref, 5_000, 0.3, Variant.IDENTITY);

    PeakAgreement.Measure at = PeakAgreement.measure(noisy, ref, Variant.IDENTITY, 5_000);
    assertTrue(at.agreeing() >= 25, "agreeing " + at);
    assertTrue(at.chanceMean() < 6, "chance " + at);
    assertTrue(at.chanceMax() < at.agreeing() / 2, "chance max " + at);
    assertEquals(noisy.size(), at.compared());

    PeakAgreement.Measure elsewhere = PeakAgreement.measure(noisy, ref, Variant.IDENTITY, 9_000);
    assertTrue(elsewhere.agreeing() <= elsewhere.chanceMax() + 3, "elsewhere " + elsewhere);
    assertTrue(at.excess() > 5 * Math.max(1, elsewhere.excess()), at + " vs " + elsewhere);
  }

  @Test
  void checkBestKeepsTheAlignmentOfTheTrackThatAgreesBest() {
    Random random = new Random(13);
    int n = TRACK_FRAMES * 20 / 125;
    TrackPeaks ref = reference(random, new int[n], new int[n]);
    Peaks noisy = clip(random, ref, 6_000, 0.3, Variant.IDENTITY);
    // The votes' best alignment is wrong; the right one is among the track's others.
    Candidate byVotes = candidate(1, 12_000, 9);
    List<Candidate> others = List.of(candidate(2, 6_000, 8), candidate(1, 3_000, 7),
        candidate(1, 6_000, 5));

    Candidate best = PeakAgreement.checkBest(noisy, ref, byVotes, others);

    assertEquals(1, best.trackId());
    assertEquals(6_000, best.deltaFrames());
    assertEquals(5, best.confidence());
    assertTrue(best.peaks().z() > 6, best.toString());
    // Without the right alignment among the others, the candidate stays as the votes placed it.
    Candidate alone = PeakAgreement.checkBest(noisy, ref, byVotes, others.subList(0, 2));
    assertEquals(12_000, alone.deltaFrames());
    assertTrue(alone.peaks().z() < 3, alone.toString());
  }

  /** A track that repeats itself every bar agrees as well a bar away: no second try for it. */
  @Test
  void checkBestKeepsTheVotedAlignmentWhenTheBetterOneIsALoop() {
    Random random = new Random(17);
    int bar = 120;
    int[] patternBins = new int[24];
    int[] patternFrames = new int[24];
    for (int i = 0; i < 24; i++) {
      patternFrames[i] = i * bar / 24;
      patternBins[i] = 4 + random.nextInt(226);
    }
    int n = TRACK_FRAMES / bar * 24;
    int[] frames = new int[n];
    int[] bins = new int[n];
    for (int i = 0; i < n; i++) {
      frames[i] = (i / 24) * bar + patternFrames[i % 24];
      bins[i] = patternBins[i % 24];
    }
    TrackPeaks ref = TrackPeaks.of(frames, bins);
    Peaks clip = clip(random, ref, 6_000, 0.6, Variant.IDENTITY);
    Candidate byVotes = candidate(1, 6_050, 9);

    Candidate kept = PeakAgreement.checkBest(clip, ref, byVotes, List.of(candidate(1, 6_000, 5)));

    assertEquals(6_050, kept.deltaFrames(), kept.toString());
    PeakAgreement.Measure right = PeakAgreement.measure(clip, ref, Variant.IDENTITY, 6_000);
    assertTrue(right.z() > kept.peaks().z() && !right.clearOfOtherAlignments(), right.toString());
  }

  private static Candidate candidate(int track, int delta, int votes) {
    return new Candidate(track, Variant.IDENTITY, delta, votes, votes, votes, 0, 600, 1.0,
        new long[0]);
  }

  @Test
  void aSpedUpClipAgreesWhenCheckedThroughItsVariantOnly() {
    Random random = new Random(11);
    int n = TRACK_FRAMES * 20 / 125;
    TrackPeaks ref = reference(random, new int[n], new int[n]);
    Variant faster = Variant.speed(1.03);
    Peaks clip = clip(random, ref, 8_000, 0.6, faster);

    PeakAgreement.Measure through = PeakAgreement.measure(clip, ref, faster, 8_000);
    PeakAgreement.Measure asIs = PeakAgreement.measure(clip, ref, Variant.IDENTITY, 8_000);
    assertTrue(through.excess() > 40, "through the variant " + through);
    assertTrue(asIs.excess() < through.excess() / 3, "as it is " + asIs);
  }

  /** Peaks above every reference peak's bin, and right next to the highest, at any bin. */
  @Test
  void agreesWithinOneBinAtTheTopOfTheReferenceAndNotAboveIt() {
    for (int top : new int[] {62, 63, 127, 200, 510, 511}) {
      TrackPeaks ref = TrackPeaks.of(new int[] {50, 60}, new int[] {10, top});
      Peaks.Collector c = new Peaks.Collector();
      c.peak(0, 10, 0f, 0f); // agrees
      c.peak(10, Math.min(511, top + 1), 0f, 0f); // one bin above the top: agrees
      c.peak(10, Math.min(511, top + 2), 0f, 0f); // two above: agrees only at bin 511
      c.peak(10, 511 - top > 64 ? top + 65 : top - 3, 0f, 0f); // far from it: never
      PeakAgreement.Measure m = PeakAgreement.measure(c.toPeaks(100), ref, Variant.IDENTITY, 50);
      assertEquals(top >= 510 ? 3 : 2, m.agreeing(), "top bin " + top);
    }
  }

  @Test
  void peaksBeyondTheEndOfTheTrackAreNotCompared() {
    TrackPeaks ref = TrackPeaks.of(new int[] {0, 100, 200}, new int[] {10, 20, 30});
    Peaks.Collector c = new Peaks.Collector();
    c.peak(0, 20, 0f, 0f);
    c.peak(100, 30, 0f, 0f);
    c.peak(300, 30, 0f, 0f);
    PeakAgreement.Measure m = PeakAgreement.measure(c.toPeaks(400), ref, Variant.IDENTITY, 100);
    assertEquals(2, m.agreeing());
    assertEquals(2, m.compared());
    assertEquals(PeakAgreement.Measure.NONE,
        PeakAgreement.measure(c.toPeaks(400), TrackPeaks.empty(), Variant.IDENTITY, 0));
  }
}
