package io.tunetrace.core.testing;

import java.util.Random;

/**
 * Synthesized "music" for tests: notes with harmonics and decaying envelopes, a bass line and
 * percussive noise bursts, all from a seed, so every test makes its own audio and no file needs to be
 * downloaded. Different seeds give unrelated pieces.
 */
public final class TestMusic {
  private TestMusic() {}

  /** A mono piece in [-1, 1]. */
  public static float[] piece(long seed, double seconds, int sampleRateHz) {
    Random random = new Random(seed);
    int n = (int) (seconds * sampleRateHz);
    float[] out = new float[n];
    double beat = 60.0 / (80 + random.nextDouble() * 90);
    int root = 36 + random.nextInt(24);
    // A detune of up to ±3% keeps pieces from sharing exact pitches, as unrelated recordings do.
    double tuning = 1 + (random.nextDouble() * 2 - 1) * 0.03;
    int[][] scales = {{0, 2, 4, 5, 7, 9, 11, 12, 14, 16}, {0, 2, 3, 5, 7, 8, 10, 12, 14, 15},
        {0, 3, 5, 6, 7, 10, 12, 15, 17, 19}, {0, 2, 4, 7, 9, 12, 14, 16, 19, 21}};
    int[] scale = scales[random.nextInt(scales.length)];
    for (double t = 0; t < seconds; t += beat / 2) {
      int note = root + 12 + scale[random.nextInt(scale.length)];
      addNote(out, sampleRateHz, t, beat * (0.4 + random.nextDouble()), midiHz(note) * tuning, 0.25);
      if (random.nextInt(4) == 0) {
        addNote(out, sampleRateHz, t, beat, midiHz(note + 7 + random.nextInt(5)) * tuning, 0.15);
      }
      if (((int) Math.round(t / (beat / 2))) % 4 == 0) {
        addNote(out, sampleRateHz, t, beat * 2, midiHz(root + scale[random.nextInt(5)]) * tuning, 0.3);
      }
      if (random.nextInt(3) == 0) {
        addNoiseBurst(out, sampleRateHz, t, 0.05, 0.2, random);
      }
    }
    normalize(out, 0.8f);
    return out;
  }

  private static double midiHz(int note) {
    return 440 * Math.pow(2, (note - 69) / 12.0);
  }

  private static void addNote(float[] out, int rate, double start, double length, double hz, double gain) {
    int from = (int) (start * rate);
    int to = Math.min(out.length, (int) ((start + length) * rate));
    for (int i = from; i < to; i++) {
      double t = (double) (i - from) / rate;
      double env = Math.exp(-3 * t / length) * Math.min(1, t * 200);
      double v = Math.sin(2 * Math.PI * hz * t) + 0.5 * Math.sin(4 * Math.PI * hz * t)
          + 0.25 * Math.sin(6 * Math.PI * hz * t);
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
