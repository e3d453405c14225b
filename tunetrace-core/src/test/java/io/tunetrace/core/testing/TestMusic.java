package io.tunetrace.core.testing;

import java.util.Random;

/**
 * Synthesized "music" for tests: notes with harmonics and decaying envelopes, a bass line and
 * percussive noise bursts, all from a seed, so every test makes its own audio and no file needs to be
 * downloaded. Different seeds give unrelated pieces.
 */
public final class TestMusic {
  private TestMusic() {}

  /**
   * A mono piece in [-1, 1]: notes at irregular onsets whose pitches are drawn from a continuous
   * range (so unrelated pieces do not share exact pitches, as unrelated recordings do not), each
   * with its own harmonic mix, plus a bass line and noise bursts.
   */
  public static float[] piece(long seed, double seconds, int sampleRateHz) {
    Random random = new Random(seed);
    int n = (int) (seconds * sampleRateHz);
    float[] out = new float[n];
    double beat = 60.0 / (80 + random.nextDouble() * 90);
    double root = 70 + random.nextDouble() * 80;
    double t = 0;
    while (t < seconds) {
      double hz = root * Math.pow(2, 1 + random.nextDouble() * 3);
      addNote(out, sampleRateHz, t, beat * (0.3 + random.nextDouble()), hz, 0.25, random);
      if (random.nextInt(3) == 0) {
        addNote(out, sampleRateHz, t, beat * 2, root * Math.pow(2, random.nextDouble()), 0.3, random);
      }
      if (random.nextInt(3) == 0) {
        addNoiseBurst(out, sampleRateHz, t, 0.05, 0.2, random);
      }
      t += beat * (0.25 + random.nextDouble() * 0.75);
    }
    normalize(out, 0.8f);
    return out;
  }

  private static void addNote(float[] out, int rate, double start, double length, double hz,
      double gain, Random random) {
    int from = (int) (start * rate);
    int to = Math.min(out.length, (int) ((start + length) * rate));
    double h2 = random.nextDouble() * 0.8;
    double h3 = random.nextDouble() * 0.5;
    double inharmonic = 1 + random.nextDouble() * 0.01;
    for (int i = from; i < to; i++) {
      double time = (double) (i - from) / rate;
      double env = Math.exp(-3 * time / length) * Math.min(1, time * 200);
      double v = Math.sin(2 * Math.PI * hz * time) + h2 * Math.sin(4 * Math.PI * hz * inharmonic * time)
          + h3 * Math.sin(6 * Math.PI * hz * inharmonic * time);
      out[i] += (float) (gain * env * v);
    }
  }

  private static void addNoiseBurst(float[] out, int rate, double start, double length, double gain, Random random) {
    int from = (int) (start * rate);
    int to = Math.min(out.length, (int) ((start + length) * rate));
    for (int i = from; i < to; i++) {
      double env = Math.exp(-8.0 * (i - from) / (to - from));
      out[i] += (float) (gain * env * (random.nextDouble() * 2 - 1));
    }
  }

  private static void normalize(float[] x, float peak) {
    float max = 1e-9f;
    for (float v : x) {
      max = Math.max(max, Math.abs(v));
    }
    for (int i = 0; i < x.length; i++) {
      x[i] = x[i] * peak / max;
    }
  }

  /** A copy of {@code length} samples from {@code offset}. */
  public static float[] clip(float[] x, int offset, int length) {
    float[] out = new float[length];
    System.arraycopy(x, offset, out, 0, Math.min(length, x.length - offset));
    return out;
  }

  /** Adds white noise at the given signal-to-noise ratio (dB, by RMS). */
  public static float[] withWhiteNoise(float[] x, double snrDb, long seed) {
    Random random = new Random(seed);
    double signal = rms(x);
    double noiseRms = signal / Math.pow(10, snrDb / 20);
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (float) (x[i] + random.nextGaussian() * noiseRms);
    }
    return out;
  }

  public static double rms(float[] x) {
    double sum = 0;
    for (float v : x) {
      sum += v * v;
    }
    return Math.sqrt(sum / Math.max(1, x.length));
  }
}
