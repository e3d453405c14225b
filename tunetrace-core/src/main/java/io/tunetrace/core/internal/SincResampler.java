package io.tunetrace.core.internal;

/**
 * Band-limited resampling by any real ratio (windowed sinc from a finely sampled kernel table, with
 * linear interpolation between table entries). Used where ratios are not simple fractions, such as
 * undoing a 2% speed change; fixed rational conversions use the faster polyphase
 * {@code io.tunetrace.core.audio.Resampler}.
 *
 * <p>Thread-safe (immutable tables).
 */
public final class SincResampler {
  private static final int ZERO_CROSSINGS = 12;
  private static final int TABLE_STEPS = 256;
  private static final float[] KERNEL = kernel();

  private SincResampler() {}

  private static float[] kernel() {
    int n = ZERO_CROSSINGS * TABLE_STEPS + 2;
    float[] k = new float[n];
    double beta = 8.0;
    double i0Beta = besselI0(beta);
    for (int i = 0; i < n; i++) {
      double x = (double) i / TABLE_STEPS;
      double sinc = x == 0 ? 1.0 : Math.sin(Math.PI * x) / (Math.PI * x);
      double r = x / ZERO_CROSSINGS;
      double w = r >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
      k[i] = (float) (sinc * w);
    }
    return k;
  }

  private static double besselI0(double x) {
    double sum = 1;
    double term = 1;
    for (int k = 1; k < 50; k++) {
      term *= (x / (2 * k)) * (x / (2 * k));
      sum += term;
      if (term < 1e-12 * sum) {
        break;
      }
    }
    return sum;
  }

  /**
   * Resamples {@code in}, whose samples are {@code step} output-sample periods apart... precisely:
   * output sample m is the band-limited value of the input at position {@code m * inputPerOutput}.
   *
   * @param inputPerOutput input samples advanced per output sample (from rate / to rate)
   */
  public static float[] resample(float[] in, double inputPerOutput) {
    if (!(inputPerOutput > 0)) {
      throw new IllegalArgumentException("inputPerOutput <= 0: " + inputPerOutput);
    }
    int outLength = (int) Math.floor((in.length - 1) / inputPerOutput) + 1;
    if (in.length == 0) {
      return new float[0];
    }
    float[] out = new float[outLength];
    double cutoff = Math.min(1.0, 1.0 / inputPerOutput) * 0.95;
    double halfWidth = ZERO_CROSSINGS / cutoff;
    double tableScale = cutoff * TABLE_STEPS;
    for (int m = 0; m < outLength; m++) {
      double pos = m * inputPerOutput;
      int first = Math.max(0, (int) Math.ceil(pos - halfWidth));
      int last = Math.min(in.length - 1, (int) Math.floor(pos + halfWidth));
      double acc = 0;
      for (int k = first; k <= last; k++) {
        double t = Math.abs(pos - k) * tableScale;
        int ti = (int) t;
        if (ti >= KERNEL.length - 1) {
          continue;
        }
        float frac = (float) (t - ti);
        float kv = KERNEL[ti] + frac * (KERNEL[ti + 1] - KERNEL[ti]);
        acc += in[k] * kv;
      }
      out[m] = (float) (acc * cutoff);
    }
    return out;
  }

  /** Converts between sample rates. */
  public static float[] resample(float[] in, int fromHz, int toHz) {
    if (fromHz == toHz) {
      return in.clone();
    }
    return resample(in, (double) fromHz / toHz);
  }
}
