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
 * below 1/{@value #MAX_EXACT_PHASES} of a sample); when a long filter (a large rate ratio) would
 * make the table larger than {@value #MAX_TABLE_COEFFICIENTS} coefficients, fewer phases are kept
 * (never fewer than {@value #MIN_PHASES}), so no table exceeds 16 MB for rate ratios up to about
 * 3000:1 (the decoders' rates, 4-384 kHz, to any analysis rate).
 *
 * <p>Output sample {@code k} is the band-limited input at time {@code k / to} seconds, so input
 * and output are aligned at sample 0 (no delay) and {@code ceil(n * to / from)} samples come out of
 * {@code n}. Streaming and array conversion give identical samples.
 *
 * <p>{@link Quality#HIGH} (the default) is described above. {@link Quality#ANALYSIS} is for
 * fingerprinting, which only looks below 0.9 of the new Nyquist frequency: its -6 dB point is
 * also at 0.9 but its stopband starts at 1.1 (passband edge 0.7), so what folds back lands above 0.9
 * where nothing is analysed, and it stops 60 dB down; that takes less than half the taps.
 *
 * <p>Thread-safe (stateless but for a cache of filter tables, least recently used first out, of at
 * most {@value #MAX_CACHED_BYTES} bytes in all); each {@link PcmSource} it returns is not
 * thread-safe.
 */
public final class Resampler {
  static final double CUTOFF = 0.9;
  static final double STOPBAND_EDGE = 1.0;
  static final double ATTENUATION_DB = 70.0;
  static final int MAX_EXACT_PHASES = 4096;
  private static final int CHUNK = 8192;
  /** The largest table: 4 Mi coefficients (16 MB); longer filters get fewer phases. */
  static final int MAX_TABLE_COEFFICIENTS = 1 << 22;
  static final int MIN_PHASES = 64;
  /** The cache keeps tables up to this many bytes in all, dropping the least recently used. */
  static final long MAX_CACHED_BYTES = 48L << 20;
  private static final FilterCache FILTERS = new FilterCache(MAX_CACHED_BYTES);

  /** Filter designs. */
  public enum Quality {
    /** Flat to 0.8 of the lower Nyquist frequency, -6 dB at 0.9, nothing folds back (70 dB). */
    HIGH(CUTOFF, STOPBAND_EDGE, ATTENUATION_DB),
    /** Flat to 0.7, -6 dB at 0.9; nothing folds back below 0.9 of the lower Nyquist (60 dB). */
    ANALYSIS(0.9, 1.1, 60.0);

    final double cutoff; // the -6 dB point, relative to the lower Nyquist frequency
    final double stopbandEdge;
    final double attenuationDb;

    Quality(double cutoff, double stopbandEdge, double attenuationDb) {
      this.cutoff = cutoff;
      this.stopbandEdge = stopbandEdge;
      this.attenuationDb = attenuationDb;
    }
  }

  private Resampler() {}

  private static Filter filter(int fromHz, int toHz, Quality quality) {
    String key = fromHz + ">" + toHz + ":" + quality;
    Filter f = FILTERS.get(key);
    if (f == null) {
      f = Filter.design(fromHz, toHz, quality);
      FILTERS.put(key, f);
    }
    return f;
  }

  /** Bytes of filter tables the cache holds now (for tests). */
  static long cachedBytes() {
    return FILTERS.bytes();
  }

  /** Filter tables by key, bounded by their total size, least recently used out first. */
  static final class FilterCache {
    private final long maxBytes;
    private final java.util.LinkedHashMap<String, Filter> map =
        new java.util.LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    FilterCache(long maxBytes) {
      this.maxBytes = maxBytes;
    }

    synchronized Filter get(String key) {
      return map.get(key);
    }

    synchronized void put(String key, Filter f) {
      long size = f.bytes();
      if (size > maxBytes) {
        return;
      }
      Filter old = map.put(key, f);
      bytes += size - (old == null ? 0 : old.bytes());
      var it = map.entrySet().iterator();
      while (bytes > maxBytes && it.hasNext()) {
        var e = it.next();
        if (e.getValue() != f) {
          bytes -= e.getValue().bytes();
          it.remove();
        }
      }
    }

    synchronized long bytes() {
      return bytes;
    }
  }

  /** Converts a stream with a chosen filter design; see {@link #resample(PcmSource, int)}. */
  public static PcmSource resample(PcmSource in, int targetRateHz, Quality quality) {
    Objects.requireNonNull(in, "in == null");
    Objects.requireNonNull(quality, "quality == null");
    requireRate("targetRateHz", targetRateHz);
    int from = in.sampleRateHz();
    requireRate("in.sampleRateHz()", from);
    if (from == targetRateHz) {
      return in;
    }
    return new Stream(in, filter(from, targetRateHz, quality));
  }

  /**
   * Converts a stream to {@code targetRateHz}. Returns {@code in} itself when the rates are equal;
   * otherwise the returned source owns {@code in} and closes it.
   */
  public static PcmSource resample(PcmSource in, int targetRateHz) {
    return resample(in, targetRateHz, Quality.HIGH);
  }

  /** Converts a whole array; returns a copy when the rates are equal. */
  public static float[] resample(float[] in, int fromHz, int toHz) {
    return resample(in, fromHz, toHz, Quality.HIGH);
  }

  /** Converts a whole array with a chosen filter design; returns a copy when the rates are equal. */
  public static float[] resample(float[] in, int fromHz, int toHz, Quality quality) {
    Objects.requireNonNull(in, "in == null");
    Objects.requireNonNull(quality, "quality == null");
    requireRate("fromHz", fromHz);
    requireRate("toHz", toHz);
    if (fromHz == toHz) {
      return in.clone();
    }
    Filter f = filter(fromHz, toHz, quality);
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
    return filter(fromHz, toHz, Quality.HIGH).outputLength(inputSamples);
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

    long bytes() {
      return 4L * coefficients.length;
    }

    long outputLength(long inputSamples) {
      return Math.addExact(Math.multiplyExact(inputSamples, (long) up), down - 1) / down;
    }

    static Filter design(int fromHz, int toHz) {
      return design(fromHz, toHz, Quality.HIGH);
    }

    static Filter design(int fromHz, int toHz, Quality quality) {
      int g = gcd(fromHz, toHz);
      int up = toHz / g;
      int down = fromHz / g;
      double lowerNyquist = Math.min(fromHz, toHz) / 2.0;
      // quality.cutoff is the -6 dB point; the passband edge lies as far below it as the stopband
      // edge lies above.
      double cutoff = quality.cutoff * lowerNyquist / fromHz; // cycles per input sample
      double transition = 2 * (quality.stopbandEdge - quality.cutoff) * lowerNyquist / fromHz;
      int taps = (int) Math.ceil((quality.attenuationDb - 7.95) / (14.36 * transition));
      taps = Math.max(8, (taps + 3) & ~3);
      double beta = 0.1102 * (quality.attenuationDb - 8.7);
      int phases = Math.min(up, Math.min(MAX_EXACT_PHASES,
          Math.max(MIN_PHASES, MAX_TABLE_COEFFICIENTS / taps)));
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
