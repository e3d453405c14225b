package io.tunetrace.core.audio;

import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Band-limited sample-rate conversion by a rational polyphase filter: a windowed-sinc low-pass
 * (Kaiser window, 70 dB design attenuation) evaluated at {@code L} fractional phases, where
 * {@code to/from = L/M} in lowest terms (44100 → 16000 is 160/441). The cutoff sits at 0.9 of the
 * lower Nyquist frequency and the stopband starts at that Nyquist frequency, so nothing above it
 * folds back (aliasing) and the passband (up to 0.8 of it) is flat. When {@code L} is above {@value
 * #MAX_EXACT_PHASES} the phase is rounded down to one of {@value #MAX_EXACT_PHASES} (a timing error
 * below 1/{@value #MAX_EXACT_PHASES} of a sample).
 *
 * <p>Output sample {@code k} is the band-limited input at time {@code k / to} seconds, so input
 * and output are aligned at sample 0 (no delay) and {@code ceil(n * to / from)} samples come out of
 * {@code n}. Streaming and array conversion give identical samples.
 *
 * <p>Thread-safe (stateless); each {@link PcmSource} it returns is not thread-safe. Filter tables
 * are built per call (a few hundred microseconds at most), so convert whole streams, not tiny
 * arrays in a loop.
 */
public final class Resampler {
  static final double CUTOFF = 0.9;
  static final double STOPBAND_EDGE = 1.0;
  static final double ATTENUATION_DB = 70.0;
  static final int MAX_EXACT_PHASES = 4096;
  private static final int CHUNK = 8192;

  private Resampler() {}

  /**
   * Converts a stream to {@code targetRateHz}. Returns {@code in} itself when the rates are equal;
   * otherwise the returned source owns {@code in} and closes it.
   */
  public static PcmSource resample(PcmSource in, int targetRateHz) {
    Objects.requireNonNull(in, "in == null");
    requireRate("targetRateHz", targetRateHz);
    int from = in.sampleRateHz();
    requireRate("in.sampleRateHz()", from);
    if (from == targetRateHz) {
      return in;
    }
    return new Stream(in, Filter.design(from, targetRateHz));
  }

  /** Converts a whole array; returns a copy when the rates are equal. */
  public static float[] resample(float[] in, int fromHz, int toHz) {
    Objects.requireNonNull(in, "in == null");
    requireRate("fromHz", fromHz);
    requireRate("toHz", toHz);
    if (fromHz == toHz) {
      return in.clone();
    }
    Filter f = Filter.design(fromHz, toHz);
    long n = f.outputLength(in.length);
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("output too long: " + n + " samples");
    }
    float[] out = new float[(int) n];
    try (Stream s = new Stream(new ArraySource(in, fromHz), f)) {
      int done = 0;
      while (done < out.length) {
        int r = s.read(out, done, out.length - done);
        if (r < 0) {
          break;
        }
        done += r;
      }
    } catch (IOException e) {
      throw new AssertionError("array sources do not fail", e);
    }
    return out;
  }

  /** How many samples {@code inputSamples} become: {@code ceil(inputSamples * toHz / fromHz)}. */
  public static long outputLength(long inputSamples, int fromHz, int toHz) {
    requireRate("fromHz", fromHz);
    requireRate("toHz", toHz);
    if (fromHz == toHz) {
      return inputSamples;
    }
    return Filter.design(fromHz, toHz).outputLength(inputSamples);
  }

  private static void requireRate(String name, int hz) {
    if (hz <= 0) {
      throw new IllegalArgumentException(name + " <= 0: " + hz);
    }
  }

  /** The polyphase table: {@code phases} rows of {@code taps} coefficients. Immutable. */
  static final class Filter {
    final int up; // L
    final int down; // M
    final int phases;
    final int taps; // K, a multiple of 4
    final float[] coefficients;

    private Filter(int up, int down, int phases, int taps, float[] coefficients) {
      this.up = up;
      this.down = down;
      this.phases = phases;
      this.taps = taps;
      this.coefficients = coefficients;
    }

    long outputLength(long inputSamples) {
      return Math.addExact(Math.multiplyExact(inputSamples, (long) up), down - 1) / down;
    }

    static Filter design(int fromHz, int toHz) {
      int g = gcd(fromHz, toHz);
      int up = toHz / g;
      int down = fromHz / g;
      double lowerNyquist = Math.min(fromHz, toHz) / 2.0;
      double cutoff = CUTOFF * lowerNyquist / fromHz; // cycles per input sample
      double transition = 2 * (STOPBAND_EDGE - CUTOFF) * lowerNyquist / fromHz;
      int taps = (int) Math.ceil((ATTENUATION_DB - 7.95) / (14.36 * transition));
      taps = Math.max(8, (taps + 3) & ~3);
      double beta = 0.1102 * (ATTENUATION_DB - 8.7);
      int phases = Math.min(up, MAX_EXACT_PHASES);
      double half = taps / 2.0;
      double i0Beta = besselI0(beta);
      float[] h = new float[phases * taps];
      double[] row = new double[taps];
      for (int q = 0; q < phases; q++) {
        double frac = (double) q / phases;
        double sum = 0;
        for (int j = 0; j < taps; j++) {
          double t = frac + (half - 1) - j; // input-sample distance from the output instant
          double r = t / half;
          double w = r >= 1 || r <= -1 ? 0 : besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
          double x = 2 * cutoff * t;
          double sinc = x == 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
          row[j] = 2 * cutoff * sinc * w;
          sum += row[j];
        }
        for (int j = 0; j < taps; j++) {
          h[q * taps + j] = (float) (row[j] / sum); // unity gain at DC for every phase
        }
      }
      return new Filter(up, down, phases, taps, h);
    }

    private static double besselI0(double x) {
      double sum = 1;
      double term = 1;
      double q = x * x / 4;
      for (int k = 1; k < 200; k++) {
        term *= q / ((double) k * k);
        sum += term;
        if (term < sum * 1e-17) {
          break;
        }
      }
      return sum;
    }

    private static int gcd(int a, int b) {
      while (b != 0) {
        int t = a % b;
        a = b;
        b = t;
      }
      return a;
    }
  }

  /** The streaming converter. Not thread-safe. */
  private static final class Stream implements PcmSource {
    private final PcmSource in;
    private final Filter f;
    private final int rateHz;
    private final float[] x;
    private final int lead; // taps/2 - 1: inputs needed before the output instant
    private long base; // absolute input index of x[0]
    private int filled;
    private long inputCount;
    private boolean inputEnded;
    private long outputLimit = Long.MAX_VALUE;
    private long outputIndex;
    private long time; // integer part of the output instant, in input samples
    private int phase; // fractional part, in 1/up
    private final int stepInt;
    private final int stepFrac;

    Stream(PcmSource in, Filter f) {
      this.in = in;
      this.f = f;
      this.rateHz = (int) ((long) in.sampleRateHz() * f.up / f.down);
      this.x = new float[CHUNK + 2 * f.taps];
      this.lead = f.taps / 2 - 1;
      this.base = -lead;
      this.filled = lead; // zeros before the first sample
      this.stepInt = f.down / f.up;
      this.stepFrac = f.down % f.up;
    }

    @Override
    public int sampleRateHz() {
      return rateHz;
    }

    @Override
    public int read(float[] out, int offset, int length) throws IOException {
      Objects.checkFromIndexSize(offset, length, out.length);
      if (length == 0) {
        return 0;
      }
      int produced = 0;
      while (produced < length) {
        produced += convert(out, offset + produced, length - produced);
        if (produced == length || outputIndex >= outputLimit) {
          break;
        }
        if (produced > 0) {
          break; // return what we have rather than block on more input
        }
        refill();
      }
      return produced == 0 ? -1 : produced;
    }

    /** Produces outputs from the buffered input only. */
    private int convert(float[] out, int offset, int length) {
      final float[] xs = x;
      final float[] h = f.coefficients;
      final int taps = f.taps;
      final int up = f.up;
      final int phases = f.phases;
      final boolean exact = phases == up;
      long t = time;
      int p = phase;
      long k = outputIndex;
      long limit = Math.min(outputLimit, k + length);
      int n = 0;
      int o = (int) (t - lead - base);
      while (k < limit && o + taps <= filled) {
        int c = (exact ? p : (int) ((long) p * phases / up)) * taps;
        float a0 = 0;
        float a1 = 0;
        float a2 = 0;
        float a3 = 0;
        for (int j = 0; j < taps; j += 4) {
          a0 += xs[o + j] * h[c + j];
          a1 += xs[o + j + 1] * h[c + j + 1];
          a2 += xs[o + j + 2] * h[c + j + 2];
          a3 += xs[o + j + 3] * h[c + j + 3];
        }
        out[offset + n++] = (a0 + a1) + (a2 + a3);
        k++;
        p += stepFrac;
        t += stepInt;
        o += stepInt;
        if (p >= up) {
          p -= up;
          t++;
          o++;
        }
      }
      time = t;
      phase = p;
      outputIndex = k;
      return n;
    }

    private void refill() throws IOException {
      int keep = (int) Math.min(Math.max(time - lead - base, 0), filled);
      if (keep > 0) {
        System.arraycopy(x, keep, x, 0, filled - keep);
        filled -= keep;
        base += keep;
      }
      if (inputEnded) {
        return;
      }
      int room = CHUNK + f.taps - filled;
      int r = in.read(x, filled, room);
      if (r < 0) {
        inputEnded = true;
        outputLimit = f.outputLength(inputCount);
        Arrays.fill(x, filled, filled + f.taps, 0f); // the zeros after the last sample
        filled += f.taps;
      } else {
        filled += r;
        inputCount += r;
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** A whole array as a source. Not thread-safe. */
  static final class ArraySource implements PcmSource {
    private final float[] data;
    private final int rateHz;
    private int position;

    ArraySource(float[] data, int rateHz) {
      this.data = data;
      this.rateHz = rateHz;
    }

    @Override
    public int sampleRateHz() {
      return rateHz;
    }

    @Override
    public int read(float[] buffer, int offset, int length) {
      if (position >= data.length) {
        return -1;
      }
      int n = Math.min(length, data.length - position);
      System.arraycopy(data, position, buffer, offset, n);
      position += n;
      return n;
    }

    @Override
    public void close() {}
  }
}
