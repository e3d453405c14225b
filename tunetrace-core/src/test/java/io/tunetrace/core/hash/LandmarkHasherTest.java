package io.tunetrace.core.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LandmarkHasherTest {
  @Test
  void pairsEachAnchorWithTheNearestTargetsInItsZone() {
    List<int[]> out = new ArrayList<>();
    LandmarkHasher hasher = new LandmarkHasher(2, 1, 10, 20, (h, f) -> out.add(new int[] {h, f}));
    hasher.peak(0, 100, 0);
    hasher.peak(3, 110, 0);
    hasher.peak(3, 150, 0); // outside ±20 bins of the anchor at 100
    hasher.peak(5, 90, 0);
    hasher.peak(8, 101, 0);
    hasher.peak(20, 100, 0); // outside the 10-frame zone of frame 0
    hasher.advanceTo(100);
    hasher.finish();
    assertEquals(HashLayout.encode(100, 10, 3), out.get(0)[0]);
    assertEquals(HashLayout.encode(100, -10, 5), out.get(1)[0]);
    assertEquals(HashLayout.encode(110, -20, 2), out.get(2)[0]);
    assertEquals(HashLayout.encode(110, -9, 5), out.get(3)[0]);
    assertEquals(HashLayout.encode(90, 11, 3), out.get(4)[0]);
    assertEquals(5, out.get(4)[1]);
    assertEquals(5, out.size());
  }

  @Test
  void layoutRoundTripsAndIsStable() {
    int h = HashLayout.encode(511, -127, 63);
    assertEquals(511, HashLayout.anchorBin(h));
    assertEquals(-127, HashLayout.deltaBins(h));
    assertEquals(63, HashLayout.deltaFrames(h));
    // Golden values: a change here is a format change and needs a new HashLayout.VERSION.
    assertEquals(0x1A04A, HashLayout.encode(6, 1, 10));
    assertEquals(0x7FFFFF, HashLayout.encode(511, 127, 63));
    assertEquals(0, HashLayout.encode(0, -128 + 1, 1) >>> HashLayout.BITS);
  }

  @Test
  void rejectsOutOfRangeFields() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HashLayout.encode(512, 0, 1));
    assertEquals("anchorBin out of [0, 511]: 512", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> HashLayout.encode(1, 0, 0));
    assertEquals("deltaFrames out of [1, 63]: 0", e.getMessage());
  }
}
