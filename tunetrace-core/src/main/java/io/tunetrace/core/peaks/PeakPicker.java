package io.tunetrace.core.peaks;

import java.util.Arrays;
import java.util.function.IntUnaryOperator;

/**
 * Streaming spectral peak picking. A bin of a frame is a candidate when its power is the maximum of
 * the time-frequency neighbourhood of ±{@code binRadius} bins and ±{@code frameRadius} frames and
 * above an absolute floor (so silence yields nothing). The neighbourhood may narrow towards the
 * bass (a half-height per bin, at most {@code binRadius}), so that the bass, where music is loud
 * and notes are a few bins apart, can hold more than one peak in {@code binRadius} bins.
 * Candidates then pass a density filter: a candidate survives when fewer than {@code
 * peaksPerSecond} stronger candidates lie within half a second on either side, which keeps a steady
 * number of peaks per second in loud and quiet passages alike and is the same wherever a clip
 * starts.
 *
 * <p>Memory is a ring of {@code 2 * frameRadius + 1} spectra plus about a second of candidates.
 * Not thread-safe.
 */
public final class PeakPicker {
  /** Powers below this (about -75 dB under a full-scale sine with a Hann window) are never peaks. */
  static final float POWER_FLOOR = 1.0e-4f;

  private final int minBin;
  private final int bins;
  private final int binRadius;
  private final int frameRadius;
  private final int rows;
  private final float[][] raw;
  private final float[][] freqMax;
  private final float[] padded;
  private final float[] prefix;
  private final float[] suffix;
  private final CandidateFilter filter;
  /** Half-height of each of the lowest bins whose neighbourhood is narrower than binRadius. */
  private final int[] narrowRadii;
  private int newestFrame = -1;
  private int nextToDecide;

  /**
   * @param minBin lowest bin considered (inclusive)
   * @param maxBin highest bin considered (exclusive)
   * @param framesPerSecond STFT frame rate, to turn the density into frames
   * @param peaksPerSecond target density
   */
  public PeakPicker(
      int minBin,
      int maxBin,
      int binRadius,
      int frameRadius,
      double framesPerSecond,
      int peaksPerSecond,
      PeakSink sink) {
    this(minBin, maxBin, bin -> binRadius, frameRadius, framesPerSecond, peaksPerSecond, sink);
  }

  /**
   * A picker whose neighbourhood's half-height depends on the bin: {@code binRadius.applyAsInt(b)}
   * for FFT bin {@code b}, never decreasing with {@code b}; the widest, at {@code maxBin - 1}, is
   * the half-height everywhere above the narrower bins.
   */
  public PeakPicker(
      int minBin,
      int maxBin,
      IntUnaryOperator binRadius,
      int frameRadius,
      double framesPerSecond,
      int peaksPerSecond,
      PeakSink sink) {
    if (minBin < 0 || maxBin <= minBin) {
      throw new IllegalArgumentException("bins out of range: [" + minBin + ", " + maxBin + ")");
    }
    this.minBin = minBin;
    this.bins = maxBin - minBin;
    this.binRadius = binRadius.applyAsInt(maxBin - 1);
    int narrow = 0;
    while (narrow < bins && binRadius.applyAsInt(minBin + narrow) < this.binRadius) {
      narrow++;
    }
    this.narrowRadii = new int[narrow];
    for (int b = 0; b < narrow; b++) {
      narrowRadii[b] = binRadius.applyAsInt(minBin + b);
      if (narrowRadii[b] < 1 || (b > 0 && narrowRadii[b] < narrowRadii[b - 1])) {
        throw new IllegalArgumentException("bin radius must be at least 1 and never decrease: "
            + narrowRadii[b] + " at bin " + (minBin + b));
      }
    }
    this.frameRadius = frameRadius;
    this.rows = 2 * frameRadius + 1;
    this.raw = new float[rows][bins];
    this.freqMax = new float[rows][bins];
    int width = 2 * this.binRadius + 1;
    int paddedLength = ((bins + 2 * this.binRadius + width - 1) / width) * width;
    this.padded = new float[paddedLength];
    Arrays.fill(padded, Float.NEGATIVE_INFINITY);
    this.prefix = new float[paddedLength];
    this.suffix = new float[paddedLength];
    int halfWindowFrames = Math.max(1, (int) Math.round(framesPerSecond / 2));
    int keep = Math.max(1, (int) Math.round(peaksPerSecond * (2 * halfWindowFrames + 1) / framesPerSecond));
    this.filter = new CandidateFilter(halfWindowFrames, keep, sink);
  }

  /** Adds the next frame's power spectrum (frames must come in order, starting at 0). */
  public void pushFrame(int frame, float[] power) {
    if (frame != newestFrame + 1) {
      throw new IllegalArgumentException("frame out of order: " + frame + " after " + newestFrame);
    }
    newestFrame = frame;
    int row = frame % rows;
    float[] r = raw[row];
    System.arraycopy(power, minBin, r, 0, bins);
    slidingMax(r, freqMax[row]);
    while (nextToDecide <= newestFrame - frameRadius) {
      decide(nextToDecide++);
    }
  }

  /** Decides the last frames and flushes everything downstream. */
  public void finish() {
    while (nextToDecide <= newestFrame) {
      decide(nextToDecide++);
    }
    filter.finish(nextToDecide);
  }

  private void decide(int frame) {
    float[] r = raw[frame % rows];
    float[] fm = freqMax[frame % rows];
    int first = Math.max(0, frame - frameRadius);
    int last = Math.min(newestFrame, frame + frameRadius);
    for (int b = 0; b < bins; b++) {
      float v = r[b];
      if (v < POWER_FLOOR || v != fm[b] || (b > 0 && r[b - 1] == v)) {
        continue;
      }
      boolean peak = true;
      for (int t = first; t <= last && peak; t++) {
        if (t == frame) {
          continue;
        }
        float other = freqMax[t % rows][b];
        peak = t < frame ? other < v : other <= v;
      }
      if (peak) {
        filter.candidate(frame, b + minBin, binOffset(r, b), (float) (10 * Math.log10(v)));
      }
    }
    filter.advanceTo(frame + 1);
  }

  /** Parabolic interpolation of the log power around bin {@code b}: the peak's offset in bins. */
  private float binOffset(float[] r, int b) {
    if (b == 0 || b == bins - 1 || r[b - 1] <= 0 || r[b + 1] <= 0) {
      return 0;
    }
    double a = Math.log(r[b - 1]);
    double m = Math.log(r[b]);
    double c = Math.log(r[b + 1]);
    double den = a - 2 * m + c;
    if (!(den < 0)) {
      return 0;
    }
    double p = 0.5 * (a - c) / den;
    return (float) Math.max(-0.5, Math.min(0.5, p));
  }

  /**
   * Max over each bin's neighbourhood: ±binRadius by van Herk / Gil-Werman (three comparisons per
   * bin), the narrower bins directly.
   */
  private void slidingMax(float[] in, float[] out) {
    int w = 2 * binRadius + 1;
    float[] p = padded;
    // Only [binRadius, binRadius + bins) is ever written: the padding on both sides keeps the
    // -infinity it was given in the constructor.
    System.arraycopy(in, 0, p, binRadius, bins);
    int n = p.length;
    for (int start = 0; start < n; start += w) {
      int end = start + w;
      float m = Float.NEGATIVE_INFINITY;
      for (int i = start; i < end; i++) {
        m = Math.max(m, p[i]);
        prefix[i] = m;
      }
      m = Float.NEGATIVE_INFINITY;
      for (int i = end - 1; i >= start; i--) {
        m = Math.max(m, p[i]);
        suffix[i] = m;
      }
    }
    // Window for output bin b covers padded[b .. b + w - 1].
    for (int b = narrowRadii.length; b < bins; b++) {
      out[b] = Math.max(suffix[b], prefix[b + w - 1]);
    }
    // The lowest bins, whose neighbourhoods are narrower, one by one (a few dozen bins).
    for (int b = 0; b < narrowRadii.length; b++) {
      int r = narrowRadii[b];
      float m = Float.NEGATIVE_INFINITY;
      for (int i = Math.max(0, b - r), end = Math.min(bins - 1, b + r); i <= end; i++) {
        m = Math.max(m, in[i]);
      }
      out[b] = m;
    }
  }

  /** The density filter: keeps candidates with fewer than {@code keep} stronger ones within ±half. */
  private static final class CandidateFilter {
    private final int half;
    private final int keep;
    private final PeakSink sink;
    private int[] frames = new int[256];
    private int[] bins = new int[256];
    private float[] offsets = new float[256];
    private float[] strengths = new float[256];
    private int head;
    private int tail;
    private int undecided;

    CandidateFilter(int half, int keep, PeakSink sink) {
      this.half = half;
      this.keep = keep;
      this.sink = sink;
    }

    void candidate(int frame, int bin, float offset, float strength) {
      if (tail == frames.length) {
        compactOrGrow();
      }
      frames[tail] = frame;
      bins[tail] = bin;
      offsets[tail] = offset;
      strengths[tail] = strength;
      tail++;
    }

    /** All candidates below {@code frame} are known. */
    void advanceTo(int frame) {
      while (undecided < tail && frames[undecided] + half < frame) {
        decideOne();
      }
      int horizon = undecided < tail ? frames[undecided] : frame - half;
      while (head < undecided && frames[head] < horizon - half) {
        head++;
      }
      sink.advanceTo(undecided < tail ? frames[undecided] : frame);
    }

    void finish(int frame) {
      while (undecided < tail) {
        decideOne();
      }
      sink.advanceTo(frame);
      sink.finish();
    }

    private void decideOne() {
      int i = undecided++;
      int frame = frames[i];
      float s = strengths[i];
      int stronger = 0;
      for (int j = head; j < tail && frames[j] <= frame + half && stronger < keep; j++) {
        if (frames[j] >= frame - half && j != i) {
          float o = strengths[j];
          if (o > s || (o == s && j < i)) {
            stronger++;
          }
        }
      }
      if (stronger < keep) {
        sink.peak(frame, bins[i], offsets[i], s);
      }
    }

    private void compactOrGrow() {
      if (head > 0) {
        int n = tail - head;
        System.arraycopy(frames, head, frames, 0, n);
        System.arraycopy(bins, head, bins, 0, n);
        System.arraycopy(offsets, head, offsets, 0, n);
        System.arraycopy(strengths, head, strengths, 0, n);
        undecided -= head;
        tail = n;
        head = 0;
      }
      if (tail == frames.length) {
        frames = Arrays.copyOf(frames, frames.length * 2);
        bins = Arrays.copyOf(bins, bins.length * 2);
        offsets = Arrays.copyOf(offsets, offsets.length * 2);
        strengths = Arrays.copyOf(strengths, strengths.length * 2);
      }
    }
  }
}
