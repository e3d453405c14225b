package io.tunetrace.cli;

import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.PcmSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/** Whole decoded clips for the demo and tests: mono samples in [-1, 1] at a sample rate. */
record Pcm(float[] samples, int sampleRateHz) {
  /** Decodes a (short) file whole. */
  static Pcm read(Path file) throws IOException {
    try (PcmSource source = AudioDecoders.open(file)) {
      return new Pcm(PcmSource.readAll(source, Integer.MAX_VALUE - 8), source.sampleRateHz());
    }
  }

  long durationMillis() {
    return Math.round(samples.length * 1000.0 / sampleRateHz);
  }

  /** The samples from {@code startMillis} for {@code lengthMillis} (shorter at the end). */
  Pcm cut(long startMillis, long lengthMillis) {
    int from = (int) Math.min(samples.length, startMillis * sampleRateHz / 1000);
    int to = (int) Math.min(samples.length, from + lengthMillis * sampleRateHz / 1000);
    return new Pcm(Arrays.copyOfRange(samples, from, to), sampleRateHz);
  }

  /** Adds Gaussian white noise at the given signal-to-noise ratio (in dB, by RMS). */
  Pcm withWhiteNoise(double snrDb, long seed) {
    double rms = rms();
    double noiseRms = rms / Math.pow(10, snrDb / 20);
    Random random = new Random(seed);
    float[] out = new float[samples.length];
    for (int i = 0; i < out.length; i++) {
      double v = samples[i] + random.nextGaussian() * noiseRms;
      out[i] = (float) Math.max(-1, Math.min(1, v));
    }
    return new Pcm(out, sampleRateHz);
  }

  double rms() {
    double sum = 0;
    for (float s : samples) {
      sum += s * s;
    }
    return samples.length == 0 ? 0 : Math.sqrt(sum / samples.length);
  }

  /** Concatenates clips of the same sample rate. */
  static Pcm concat(Pcm... parts) {
    int total = 0;
    for (Pcm p : parts) {
      if (p.sampleRateHz != parts[0].sampleRateHz) {
        throw new IllegalArgumentException(
            "sample rates differ: " + p.sampleRateHz + " != " + parts[0].sampleRateHz);
      }
      total += p.samples.length;
    }
    float[] out = new float[total];
    int at = 0;
    for (Pcm p : parts) {
      System.arraycopy(p.samples, 0, out, at, p.samples.length);
      at += p.samples.length;
    }
    return new Pcm(out, parts[0].sampleRateHz);
  }
}
