package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProportionTest {
  private static final double EPS = 1e-7;

  @Test
  void wilsonIntervalMatchesPublishedValues() {
    // R: prop.test(x, n, correct = FALSE)$conf.int, i.e. the Wilson score interval at 95%.
    assertEquals(0.0, new Proportion(0, 10).wilsonLow(), EPS);
    assertEquals(0.2775328, new Proportion(0, 10).wilsonHigh(), EPS);
    assertEquals(0.2365931, new Proportion(5, 10).wilsonLow(), EPS);
    assertEquals(0.7634069, new Proportion(5, 10).wilsonHigh(), EPS);
    assertEquals(0.7503389, new Proportion(23, 25).wilsonLow(), EPS);
    assertEquals(0.9777796, new Proportion(23, 25).wilsonHigh(), EPS);
    assertEquals(0.0019641, new Proportion(1, 90).wilsonLow(), EPS);
    assertEquals(0.0602841, new Proportion(1, 90).wilsonHigh(), EPS);
    assertEquals(0.7224672, new Proportion(10, 10).wilsonLow(), EPS);
    assertEquals(1.0, new Proportion(10, 10).wilsonHigh(), EPS);
  }

  @Test
  void noTrialsHaveNoRateAndNoInterval() {
    Proportion none = new Proportion(0, 0);
    assertTrue(Double.isNaN(none.rate()));
    assertTrue(Double.isNaN(none.wilsonLow()));
    assertTrue(Double.isNaN(none.wilsonHigh()));
    assertEquals("—", none.share());
    assertEquals("—", none.shareWithInterval());
    assertEquals("{\"count\": 0, \"total\": 0, \"rate\": null, \"ci_low\": null, \"ci_high\": null}",
        JsonOutput.write(none.json()));
  }

  @Test
  void formatsCountsAndIntervals() {
    assertEquals("92.0% (23/25)", new Proportion(23, 25).share());
    assertEquals("0.0% (0/10) [0.0–27.8%]", new Proportion(0, 10).shareWithInterval());
    assertEquals("{\"count\": 5, \"total\": 10, \"rate\": 0.5, \"ci_low\": 0.236593,"
        + " \"ci_high\": 0.763407}", JsonOutput.write(new Proportion(5, 10).json()));
  }

  @Test
  void rejectsImpossibleCounts() {
    assertEquals("total < 0: -1",
        assertThrows(IllegalArgumentException.class, () -> new Proportion(0, -1)).getMessage());
    assertEquals("count not in [0, 3]: 4",
        assertThrows(IllegalArgumentException.class, () -> new Proportion(4, 3)).getMessage());
  }
}
