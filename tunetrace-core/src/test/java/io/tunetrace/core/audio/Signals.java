package io.tunetrace.core.audio;

import java.io.IOException;
import java.util.Arrays;

/** Test signals and measurements: sines, Goertzel tone amplitude, draining a source. */
final class Signals {
  private Signals() {}

  static float[] sine(double hz, int rateHz, double seconds, double amplitude) {
    float[] s = new float[(int) Math.round(seconds * rateHz)];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rateHz));
    }
    return s;
  }

  /**
   * The amplitude of the {@code hz} component in {@code x[from, to)} (Goertzel with a Hann
   * window, so a pure sine of amplitude A reads A).
   */
  static double toneAmplitude(float[] x, int from, int to, double hz, int rateHz) {
    int n = to - from;
    double w = 2 * Math.PI * hz / rateHz;
    double re = 0;
    double im = 0;
    double windowSum = 0;
    for (int i = 0; i < n; i++) {
      double win = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1));
      windowSum += win;
      double v = x[from + i] * win;
      re += v * Math.cos(w * i);
      im -= v * Math.sin(w * i);
    }
    return 2 * Math.hypot(re, im) / windowSum;
  }

  /** Amplitude of {@code hz} over the middle 80% of the signal. */
  static double toneAmplitude(float[] x, double hz, int rateHz) {
    int margin = x.length / 10;
    return toneAmplitude(x, margin, x.length - margin, hz, rateHz);
  }

  static double db(double ratio) {
    return 20 * Math.log10(ratio);
  }

  static float[] readAll(PcmSource source) throws IOException {
    float[] out = new float[4096];
    int n = 0;
    float[] chunk = new float[1000];
    int r;
    while ((r = source.read(chunk, 0, chunk.length)) >= 0) {
      if (r == 0) {
        throw new AssertionError("read returned 0 for a non-empty request");
      }
      if (n + r > out.length) {
        out = Arrays.copyOf(out, Math.max(out.length * 2, n + r));
      }
      System.arraycopy(chunk, 0, out, n, r);
      n += r;
    }
    return Arrays.copyOf(out, n);
  }

  static boolean ffmpegAvailable() {
    try {
      Process p = new ProcessBuilder(java.util.List.of("ffmpeg", "-version"))
          .redirectErrorStream(true)
          .start();
      p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs ffmpeg with the given arguments (test-data creation only). */
  static void ffmpeg(String... args) throws IOException, InterruptedException {
    java.util.List<String> cmd = new java.util.ArrayList<>();
    cmd.add("ffmpeg");
    cmd.add("-nostdin");
    cmd.add("-v");
    cmd.add("error");
    cmd.add("-y");
    cmd.addAll(java.util.List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("ffmpeg failed: " + out);
    }
  }
}
