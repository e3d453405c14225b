package io.tunetrace.core.peaks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LocalMaximaTest {
  private static final int BINS = 257;

  /** Ten frames of a low, flat spectrum above the floor, with a few loud bins. */
  private static LocalMaxima of(int[][] loud) {
    LocalMaxima.Builder b = new LocalMaxima.Builder();
    for (int f = 0; f < 10; f++) {
      float[] power = new float[BINS];
      for (int i = 0; i < BINS; i++) {
        // A gentle slope down from bin 0: no maxima but at bin 0.
        power[i] = 0.01f + 1e-6f * (BINS - i);
      }
      for (int[] l : loud) {
        if (l[0] == f) {
          power[l[1]] = l[2];
        }
      }
      b.push(power);
    }
    return b.build();
  }

  @Test
  void aLoudBinIsAMaximumWithinItsToleranceAndNowhereElse() {
    LocalMaxima m = of(new int[][] {{5, 100, 1}});
    assertEquals(10, m.frameCount());
    assertEquals(BINS, m.binCount());
    for (int f = 0; f < 10; f++) {
      for (int bin = 2; bin < BINS; bin++) { // bin 0, the top of the slope, is one everywhere
        boolean one = Math.abs(f - 5) <= 1 && Math.abs(bin - 100) <= 1;
        boolean two = Math.abs(f - 5) <= 2 && Math.abs(bin - 100) <= 1;
        assertEquals(one, m.near(f, bin, 1), "frame " + f + " bin " + bin);
        assertEquals(two, m.near(f, bin, 2), "frame " + f + " bin " + bin);
      }
    }
    assertFalse(m.near(-1, 100, 1));
    assertFalse(m.near(10, 100, 2));
    assertFalse(m.near(5, BINS, 1));
    assertThrows(IllegalArgumentException.class, () -> m.near(5, 100, 3));
  }

  @Test
  void maximaSpreadAcrossTheWordsOfABitmap() {
    // Bins 63 and 64 sit in two words; each reaches over to the other's neighbour.
    LocalMaxima m = of(new int[][] {{2, 63, 1}, {7, 128, 1}});
    assertTrue(m.near(2, 62, 1));
    assertTrue(m.near(2, 64, 1));
    assertFalse(m.near(2, 65, 1));
    assertTrue(m.near(7, 127, 1));
    assertTrue(m.near(7, 129, 1));
    assertFalse(m.near(7, 126, 1));
  }

  @Test
  void aLouderNeighbourInTheNextFrameOrTheLastFrameDecides() {
    // Bin 50 of frame 3 is outshone by bin 51 of frame 4; bin 80 of the last frame stands alone.
    LocalMaxima m = of(new int[][] {{3, 50, 1}, {4, 51, 2}, {9, 80, 1}});
    assertTrue(m.near(4, 51, 1));
    assertFalse(m.near(2, 49, 1), "bin 50 of frame 3 is no maximum");
    assertTrue(m.near(9, 80, 1));
  }

  @Test
  void silenceHasNoMaxima() {
    LocalMaxima.Builder b = new LocalMaxima.Builder();
    for (int f = 0; f < 5; f++) {
      float[] power = new float[BINS];
      power[40] = PeakPicker.POWER_FLOOR; // at the floor: not above it
      b.push(power);
    }
    LocalMaxima m = b.build();
    for (int f = 0; f < 5; f++) {
      for (int bin = 0; bin < BINS; bin++) {
        assertFalse(m.near(f, bin, 2), "frame " + f + " bin " + bin);
      }
    }
    assertEquals(0, new LocalMaxima.Builder().build().frameCount());
  }
}
