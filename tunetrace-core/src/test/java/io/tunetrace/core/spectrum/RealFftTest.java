package io.tunetrace.core.spectrum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RealFftTest {
  @Test
  void sineLandsInItsBin() {
    int n = 1024;
    RealFft fft = new RealFft(n);
    for (int bin : new int[] {1, 37, 100, 255, 511}) {
      float[] frame = new float[n];
      for (int i = 0; i < n; i++) {
        frame[i] = (float) Math.sin(2 * Math.PI * bin * i / n);
      }
      float[] power = new float[n / 2 + 1];
      fft.powerSpectrum(frame, power);
      int best = 0;
      for (int k = 1; k < power.length; k++) {
        if (power[k] > power[best]) {
          best = k;
        }
      }
      assertEquals(bin, best);
      // A unit sine of an exact bin has |X| = n/2.
      assertEquals((n / 2.0) * (n / 2.0), power[bin], 1e-3 * (n / 2.0) * (n / 2.0));
    }
  }

  @Test
  void matchesNaiveDft() {
    int n = 64;
    RealFft fft = new RealFft(n);
    java.util.Random random = new java.util.Random(7);
    float[] frame = new float[n];
    for (int i = 0; i < n; i++) {
      frame[i] = (float) random.nextGaussian();
    }
    float[] power = new float[n / 2 + 1];
    fft.powerSpectrum(frame, power);
    for (int k = 0; k <= n / 2; k++) {
      double re = 0;
      double im = 0;
      for (int i = 0; i < n; i++) {
        re += frame[i] * Math.cos(2 * Math.PI * k * i / n);
        im -= frame[i] * Math.sin(2 * Math.PI * k * i / n);
      }
      assertEquals(re * re + im * im, power[k], 1e-3 * Math.max(1, re * re + im * im), "bin " + k);
    }
  }

  /** The faster code computes the same float operations: every bit equals the reference's. */
  @Test
  void bitForBitTheReferenceImplementation() {
    java.util.Random random = new java.util.Random(11);
    for (int n = 4; n <= 4096; n <<= 1) {
      RealFft fft = new RealFft(n);
      ReferenceRealFft reference = new ReferenceRealFft(n);
      float[] window = Stft.hann(n);
      float[] expected = new float[n / 2 + 1];
      float[] plain = new float[n / 2 + 1];
      float[] windowed = new float[n / 2 + 1];
      for (int trial = 0; trial < 50; trial++) {
        float[] samples = new float[n];
        for (int i = 0; i < n; i++) {
          samples[i] = trial % 5 == 0 ? (float) random.nextGaussian() * 1e-20f
              : trial % 5 == 1 ? (random.nextInt(3) - 1) * 1e-3f * i
              : (float) random.nextGaussian();
        }
        float[] frame = new float[n];
        for (int i = 0; i < n; i++) {
          frame[i] = samples[i] * window[i];
        }
        reference.powerSpectrum(frame, expected);
        fft.powerSpectrum(frame, plain);
        fft.powerSpectrum(samples, window, windowed);
        for (int k = 0; k <= n / 2; k++) {
          assertEquals(Float.floatToRawIntBits(expected[k]), Float.floatToRawIntBits(plain[k]),
              "n " + n + " bin " + k);
          assertEquals(Float.floatToRawIntBits(expected[k]), Float.floatToRawIntBits(windowed[k]),
              "n " + n + " bin " + k + " (windowed on load)");
        }
      }
    }
  }

  @Test
  void rejectsSizeThatIsNotAPowerOfTwo() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RealFft(100));
    assertEquals("n not a power of two >= 4: 100", e.getMessage());
  }
}
