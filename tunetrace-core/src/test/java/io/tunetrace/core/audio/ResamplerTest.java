package io.tunetrace.core.audio;

import static io.tunetrace.core.audio.Signals.db;
import static io.tunetrace.core.audio.Signals.readAll;
import static io.tunetrace.core.audio.Signals.sine;
import static io.tunetrace.core.audio.Signals.toneAmplitude;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResamplerTest {
  @ParameterizedTest
  @CsvSource({"44100,16000", "48000,16000", "22050,16000", "8000,16000", "16000,44100", "44100,44099"})
  void keepsTheFrequencyAndAmplitudeOfA1kHzSine(int from, int to) {
    float[] in = sine(1000, from, 1, 0.5);
    float[] out = Resampler.resample(in, from, to);
    assertEquals(Resampler.outputLength(in.length, from, to), out.length);
    assertEquals((long) Math.ceil(in.length * (double) to / from), out.length);
    double amplitude = toneAmplitude(out, 1000, to);
    assertEquals(0, db(amplitude / 0.5), 0.5, from + "->" + to);
    assertTrue(toneAmplitude(out, 1100, to) < 0.005);
    // sample-accurate alignment: output k is the input at time k / to
    for (int k = to / 4; k < to / 4 + 50; k++) {
      double expected = 0.5 * Math.sin(2 * Math.PI * 1000 * k / to);
      assertEquals(expected, out[k], 0.005, "sample " + k);
    }
  }

  @ParameterizedTest
  @CsvSource({"44100,16000,8100", "44100,16000,9000", "44100,16000,12000", "44100,16000,20000",
      "48000,16000,8500", "22050,16000,10000"})
  void attenuatesTonesAboveTheNewNyquistByAtLeast50dB(int from, int to, double toneHz) {
    float[] in = sine(toneHz, from, 1, 0.9);
    float[] out = Resampler.resample(in, from, to);
    double alias = to - toneHz % to; // where the tone folds to
    alias = alias > to / 2.0 ? to - alias : alias;
    double aliasDb = db(toneAmplitude(out, alias, to) / 0.9);
    assertTrue(aliasDb < -50, toneHz + " Hz folds to " + alias + " Hz at " + aliasDb + " dB");
    double rmsDb = db(rms(out, out.length / 10, out.length * 9 / 10) * Math.sqrt(2) / 0.9);
    assertTrue(rmsDb < -50, "total output " + rmsDb + " dB");
  }

  @Test
  @org.junit.jupiter.api.Timeout(60)
  void filterTablesAndTheirCacheStayBoundedForHostileRates() {
    // A 10 MHz header once built a 355 MB table (and the cache kept 64 such tables).
    Resampler.Filter f = Resampler.Filter.design(9_999_991, 16_000);
    assertTrue(f.bytes() <= 4L * Resampler.MAX_TABLE_COEFFICIENTS, f.bytes() + " bytes");
    assertEquals(Resampler.MAX_TABLE_COEFFICIENTS / f.taps, f.phases);
    float[] tenMillis = Resampler.resample(new float[99_999], 9_999_991, 16_000);
    assertEquals(160, tenMillis.length);
    for (int rate = 383_994; rate < 384_000; rate++) {
      Resampler.resample(new float[rate / 100], rate, 16_000);
      Resampler.resample(new float[rate / 100], rate, 11_025, Resampler.Quality.ANALYSIS);
      assertTrue(Resampler.cachedBytes() <= Resampler.MAX_CACHED_BYTES,
          "cache holds " + Resampler.cachedBytes() + " bytes");
    }
  }

  @Test
  void aTableWithFewerPhasesStillConvertsAccurately() {
    // 383,999 -> 16,000 has 16,000 phases of 1,040 taps; the table keeps 4,032 of them.
    int from = 383_999;
    Resampler.Filter f = Resampler.Filter.design(from, 16_000);
    assertTrue(f.phases < Resampler.MAX_EXACT_PHASES, "phases " + f.phases);
    float[] out = Resampler.resample(sine(1000, from, 0.5, 0.5), from, 16_000);
    assertEquals(0, db(toneAmplitude(out, 1000, 16_000) / 0.5), 0.5);
    for (int k = 4000; k < 4050; k++) {
      assertEquals(0.5 * Math.sin(2 * Math.PI * 1000 * k / 16_000.0), out[k], 0.005, "sample " + k);
    }
  }

  @Test
  void upsamplingLeavesNoImageAboveTheOldNyquist() {
    float[] in = sine(1000, 8000, 1, 0.5);
    float[] out = Resampler.resample(in, 8000, 16000);
    assertTrue(db(toneAmplitude(out, 7000, 16000) / 0.5) < -50);
  }

  @Test
  void streamingInRaggedChunksEqualsArrayConversion() throws IOException {
    Random random = new Random(11);
    float[] in = new float[44100 * 2 + 123];
    for (int i = 0; i < in.length; i++) {
      in[i] = (float) (random.nextGaussian() * 0.2);
    }
    float[] expected = Resampler.resample(in, 44100, 16000);
    PcmSource ragged =
        new PcmSource() {
          int position;

          @Override
          public int sampleRateHz() {
            return 44100;
          }

          @Override
          public int read(float[] buffer, int offset, int length) {
            if (position == in.length) {
              return -1;
            }
            int n = Math.min(Math.min(length, 1 + random.nextInt(3000)), in.length - position);
            System.arraycopy(in, position, buffer, offset, n);
            position += n;
            return n;
          }

          @Override
          public void close() {}
        };
    try (PcmSource s = Resampler.resample(ragged, 16000)) {
      assertEquals(16000, s.sampleRateHz());
      float[] got = new float[expected.length + 10];
      int n = 0;
      int r;
      while ((r = s.read(got, n, Math.min(1 + random.nextInt(700), got.length - n))) > 0) {
        n += r;
      }
      assertEquals(-1, r);
      assertEquals(expected.length, n);
      assertArrayEquals(expected, java.util.Arrays.copyOf(got, n));
    }
  }

  @Test
  void returnsTheSameSourceOrACopyWhenTheRatesMatch() throws IOException {
    float[] in = {0.1f, 0.2f};
    Resampler.ArraySource src = new Resampler.ArraySource(in, 16000);
    assertSame(src, Resampler.resample(src, 16000));
    float[] copy = Resampler.resample(in, 16000, 16000);
    assertNotSame(in, copy);
    assertArrayEquals(in, copy);
    assertArrayEquals(new float[0], Resampler.resample(new float[0], 44100, 16000));
    assertArrayEquals(new float[0], readAll(Resampler.resample(new Resampler.ArraySource(new float[0], 8000), 16000)));
  }

  @Test
  void rejectsNonPositiveRates() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Resampler.resample(new float[1], 0, 16000));
    assertEquals("fromHz <= 0: 0", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Resampler.resample(new Resampler.ArraySource(new float[1], 8000), -5));
    assertEquals("targetRateHz <= 0: -5", e.getMessage());
  }

  private static double rms(float[] x, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += x[i] * x[i];
    }
    return Math.sqrt(s / (to - from));
  }
}
