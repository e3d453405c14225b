package io.tunetrace.core.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.index.TrackPeaks;
import io.tunetrace.core.peaks.LocalMaxima;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpectralAgreementTest {
  private static final int TRACK_FRAMES = 20_000;
  private static final int CLIP_FRAMES = 625;
  private static final int BINS = 257;

  /** A reference of about 20 peaks a second (125 frames) over bins 4..230. */
  private static TrackPeaks reference(Random random) {
    int n = TRACK_FRAMES * 20 / 125;
    int[] frames = new int[n];
    int[] bins = new int[n];
    for (int i = 0; i < n; i++) {
      frames[i] = random.nextInt(TRACK_FRAMES);
      bins[i] = 4 + random.nextInt(226);
    }
    return TrackPeaks.of(frames, bins);
  }

  /**
   * The spectrum of a 5 s clip cut at reference frame {@code start} and moved by {@code v}: noise
   * (exponentially distributed power, as noise's is) everywhere, and of the reference's peaks the
   * share {@code kept} standing out of it, the rest buried.
   */
  private static LocalMaxima clip(Random random, TrackPeaks ref, int start, double kept,
      Variant v) {
    // Noise smooth over 4 bins and 8 frames, as a windowed, overlapping STFT makes it: random
    // powers on a grid, interpolated between.
    double[][] grid = new double[CLIP_FRAMES / 8 + 2][BINS / 4 + 2];
    for (double[] row : grid) {
      for (int b = 0; b < row.length; b++) {
        row[b] = 0.01 * -Math.log(1 - random.nextDouble());
      }
    }
    float[][] power = new float[CLIP_FRAMES][BINS];
    for (int f = 0; f < CLIP_FRAMES; f++) {
      double tf = (f % 8) / 8.0;
      for (int b = 0; b < BINS; b++) {
        double tb = (b % 4) / 4.0;
        double[] r0 = grid[f / 8];
        double[] r1 = grid[f / 8 + 1];
        double lo = r0[b / 4] * (1 - tb) + r0[b / 4 + 1] * tb;
        double hi = r1[b / 4] * (1 - tb) + r1[b / 4 + 1] * tb;
        power[f][b] = (float) (lo * (1 - tf) + hi * tf);
      }
    }
    for (int i = ref.firstAtOrAfter(start); i < ref.size(); i++) {
      int f = (int) Math.round((ref.frame(i) - start) / v.timeScale());
      if (f >= CLIP_FRAMES) {
        break;
      }
      if (random.nextDouble() < kept) {
        power[f][(int) Math.round(ref.bin(i) * v.freqScale())] = 1f;
      }
    }
    LocalMaxima.Builder b = new LocalMaxima.Builder();
    for (float[] row : power) {
      b.push(row);
    }
    return b.build();
  }

  @Test
  void aNoisyClipStandsOutWhereTheReferenceHasItsPeaksAtItsAlignmentOnly() {
    Random random = new Random(3);
    TrackPeaks ref = reference(random);
    LocalMaxima noisy = clip(random, ref, 5_000, 0.4, Variant.IDENTITY);

    SpectralAgreement.Measure at = SpectralAgreement.measure(noisy, ref, Variant.IDENTITY, 5_000);
    // About 100 reference peaks over the clip; 40 % stand out, and the noise has a local maximum
    // near some of the others.
    assertEquals(100, at.compared(), 25);
    assertTrue(at.share() > 0.3, at.toString());
    assertTrue(at.chanceMean() > 0.01 && at.chanceMean() < 0.2, at.toString());
    assertTrue(at.z() > 5, at.toString());

    SpectralAgreement.Measure elsewhere =
        SpectralAgreement.measure(noisy, ref, Variant.IDENTITY, 9_000);
    assertTrue(Math.abs(elsewhere.z()) < 3, elsewhere.toString());
    assertTrue(at.z() > 2 * Math.abs(elsewhere.z()) + 3, at + " vs " + elsewhere);
  }

  @Test
  void aClipPlayedFasterIsMeasuredInItsVariant() {
    Random random = new Random(5);
    TrackPeaks ref = reference(random);
    Variant faster = Variant.speed(1.04);
    LocalMaxima clip = clip(random, ref, 7_000, 0.6, faster);

    SpectralAgreement.Measure moved = SpectralAgreement.measure(clip, ref, faster, 7_000);
    SpectralAgreement.Measure asItIs =
        SpectralAgreement.measure(clip, ref, Variant.IDENTITY, 7_000);
    assertTrue(moved.z() > 5, moved.toString());
    assertTrue(moved.z() > asItIs.z() + 3, moved + " vs " + asItIs);
  }

  @Test
  void nothingToCompareIsNotMeasured() {
    Random random = new Random(9);
    TrackPeaks ref = reference(random);
    LocalMaxima clip = clip(random, ref, 1_000, 0.5, Variant.IDENTITY);
    // Placed after the reference's end: none of its peaks lie over the clip.
    SpectralAgreement.Measure after =
        SpectralAgreement.measure(clip, ref, Variant.IDENTITY, TRACK_FRAMES + 1_000);
    assertEquals(SpectralAgreement.Measure.NONE, after);
    assertEquals(0, after.z());
    assertEquals(SpectralAgreement.Measure.NONE,
        SpectralAgreement.measure(clip, TrackPeaks.empty(), Variant.IDENTITY, 1_000));
  }
}
