package io.tunetrace.core.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Variants are values: equal when both scales are, usable as keys. */
class VariantTest {
  @Test
  void equalScalesMakeEqualVariantsWithEqualHashes() {
    List<Variant> variants = List.of(Variant.IDENTITY, Variant.speed(1.02), Variant.tempo(1.02),
        Variant.pitchCents(100), Variant.speed(0.97), new Variant(1.02, 1.0));
    for (Variant a : variants) {
      for (Variant b : variants) {
        boolean same = a.timeScale() == b.timeScale() && a.freqScale() == b.freqScale();
        assertEquals(same, a.equals(b), a + " " + b);
        if (same) {
          assertEquals(a.hashCode(), b.hashCode(), a + " " + b);
        }
      }
    }
    assertEquals(Variant.tempo(1.02), new Variant(1.02, 1.0));
    assertEquals(Variant.IDENTITY, Variant.speed(1.0));
    assertNotEquals(Variant.speed(1.02), Variant.tempo(1.02));
    assertFalse(Variant.IDENTITY.equals(null));
    assertFalse(Variant.IDENTITY.equals("1.0, 1.0"));
    Set<Variant> keys = new HashSet<>(variants);
    assertEquals(5, keys.size()); // tempo(1.02) and new Variant(1.02, 1.0) are one key
    assertTrue(keys.contains(new Variant(1.0, Math.pow(2, 100 / 1200.0))));
  }

  @Test
  void scalesOutsideTheSearchedRangeAreRefused() {
    assertEquals("timeScale out of [0.8, 1.25]: 1.5",
        assertThrows(IllegalArgumentException.class, () -> new Variant(1.5, 1.0)).getMessage());
    assertEquals("freqScale out of [0.8, 1.25]: NaN",
        assertThrows(IllegalArgumentException.class, () -> new Variant(1.0, Double.NaN))
            .getMessage());
  }
}
