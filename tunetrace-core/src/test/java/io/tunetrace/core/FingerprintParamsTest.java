package io.tunetrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FingerprintParamsTest {
  /** The defaults, which every index was built with before the neighbourhood could narrow. */
  private static final String FIRST_DEFAULTS = "sampleRateHz=8000,fftSize=512,hopSamples=64,"
      + "minBin=4,maxBin=230,peakBinRadius=12,peakFrameRadius=12,peaksPerSecond=20,fanOut=4,"
      + "minDeltaFrames=2,maxDeltaFrames=63,maxDeltaBins=63,hashVersion=1";

  @Test
  void anIndexOfTheFirstDefaultsReadsTheSame() {
    FingerprintParams first = FingerprintParams.fromConfigString(FIRST_DEFAULTS);
    assertEquals(0, first.peakBinRadiusDivisor());
    assertEquals(0, first.peakBinRadiusMin());
    assertEquals(FIRST_DEFAULTS, first.toConfigString());
    for (int bin = first.minBin(); bin < first.maxBin(); bin++) {
      assertEquals(12, first.peakBinRadiusAt(bin));
    }
    assertEquals(first, new FingerprintParams(8000, 512, 64, 4, 230, 12, 12, 20, 4, 2, 63, 63, 1));
    assertEquals(FingerprintParams.DEFAULT, first);
  }

  @Test
  void aNeighbourhoodNarrowingTowardsTheBassRoundTrips() {
    FingerprintParams d =
        new FingerprintParams(8000, 512, 64, 4, 230, 12, 12, 20, 4, 2, 63, 63, 1, 8, 3);
    assertEquals(FIRST_DEFAULTS + ",peakBinRadiusDivisor=8,peakBinRadiusMin=3",
        d.toConfigString());
    assertEquals(d, FingerprintParams.fromConfigString(d.toConfigString()));
    assertTrue(!d.equals(FingerprintParams.fromConfigString(FIRST_DEFAULTS)));
    // round(bin / 8), within [3, 12]
    assertEquals(3, d.peakBinRadiusAt(4));
    assertEquals(3, d.peakBinRadiusAt(27));
    assertEquals(4, d.peakBinRadiusAt(28));
    assertEquals(5, d.peakBinRadiusAt(40));
    assertEquals(11, d.peakBinRadiusAt(91));
    assertEquals(12, d.peakBinRadiusAt(92));
    assertEquals(12, d.peakBinRadiusAt(229));
    // A query's smaller neighbourhood narrows by the same rule, never below its own size.
    assertEquals(2, d.binRadiusAt(4, 2));
    assertEquals(5, d.binRadiusAt(40, 10));
    assertEquals(10, d.binRadiusAt(200, 10));
  }

  @Test
  void refusesANarrowingWithoutItsBounds() {
    FingerprintParams d =
        new FingerprintParams(8000, 512, 64, 4, 230, 12, 12, 20, 4, 2, 63, 63, 1, 8, 3);
    IllegalArgumentException noMin = assertThrows(IllegalArgumentException.class,
        () -> new FingerprintParams(8000, 512, 64, 4, 230, 12, 12, 20, 4, 2, 63, 63, 1, 8, 0));
    assertEquals("peakBinRadiusMin out of [1, peakBinRadius]: 0", noMin.getMessage());
    IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
        () -> new FingerprintParams(8000, 512, 64, 4, 230, 12, 12, 20, 4, 2, 63, 63, 1, 8, 13));
    assertEquals("peakBinRadiusMin out of [1, peakBinRadius]: 13", wide.getMessage());
    IllegalArgumentException stray = assertThrows(IllegalArgumentException.class,
        () -> new FingerprintParams(8000, 512, 64, 4, 230, 12, 12, 20, 4, 2, 63, 63, 1, 0, 3));
    assertEquals("peakBinRadiusMin out of {0} (the neighbourhood does not narrow): 3",
        stray.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FingerprintParams.fromConfigString(
        d.toConfigString().replace("peakBinRadiusDivisor=8", "peakBinRadiusDivisor=-1")));
  }
}
