package io.tunetrace.core.spectrum;

/**
 * Power spectrum of a real frame of power-of-two length n, computed as a complex FFT of n/2 points
 * plus the standard split step. Precomputes its tables once.
 *
 * <p>Not thread-safe: holds scratch buffers. Use one instance per thread.
 */
public final class RealFft {
  private final int n;
  private final int half;
  private final int[] bitReverse;
  private final float[] twiddleCos;
  private final float[] twiddleSin;
  private final float[] splitCos;
  private final float[] splitSin;
  private final float[] re;
  private final float[] im;

  public RealFft(int n) {
    if (n < 4 || Integer.bitCount(n) != 1) {
      throw new IllegalArgumentException("n not a power of two >= 4: " + n);
    }
    this.n = n;
    this.half = n / 2;
    this.bitReverse = new int[half];
    int bits = Integer.numberOfTrailingZeros(half);
    for (int i = 0; i < half; i++) {
      bitReverse[i] = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
    }
    // Twiddles of every stage laid out one after another: stage of size s holds s/2 entries at
    // offset s/2 - 1, so the butterfly loop reads them sequentially.
    this.twiddleCos = new float[Math.max(1, half)];
    this.twiddleSin = new float[Math.max(1, half)];
    for (int size = 2; size <= half; size <<= 1) {
      int base = size / 2 - 1;
      for (int k = 0; k < size / 2; k++) {
        double angle = -2 * Math.PI * k / size;
        twiddleCos[base + k] = (float) Math.cos(angle);
        twiddleSin[base + k] = (float) Math.sin(angle);
      }
    }
    this.splitCos = new float[half + 1];
    this.splitSin = new float[half + 1];
    for (int k = 0; k <= half; k++) {
      double angle = 2 * Math.PI * k / n;
      splitCos[k] = (float) Math.cos(angle);
      splitSin[k] = (float) Math.sin(angle);
    }
    this.re = new float[half];
    this.im = new float[half];
  }

  public int size() {
    return n;
  }

  /**
   * Writes |X[k]|^2 for k = 0..n/2 into {@code power} (length at least n/2 + 1).
   *
   * @param frame n real samples (already windowed)
   */
  public void powerSpectrum(float[] frame, float[] power) {
    float[] re = this.re;
    float[] im = this.im;
    // Bit-reversed load fused with the first stage (size 2: twiddle 1, no multiplications).
    // bitReverse is its own inverse, so position a holds input sample pair bitReverse[a].
    for (int a = 0; a < half - 1; a += 2) {
      int s0 = 2 * bitReverse[a];
      int s1 = 2 * bitReverse[a + 1];
      float r0 = frame[s0];
      float i0 = frame[s0 + 1];
      float r1 = frame[s1];
      float i1 = frame[s1 + 1];
      re[a] = r0 + r1;
      im[a] = i0 + i1;
      re[a + 1] = r0 - r1;
      im[a + 1] = i0 - i1;
    }
    butterfliesAndSplit(power);
  }

  /**
   * As {@link #powerSpectrum(float[], float[])} of the frame {@code samples[i] * window[i]} (i in
   * 0..n-1): the window is applied as the samples are loaded, with the same float products, so the
   * result is bit for bit that of windowing into a frame first; one pass over the data fewer.
   */
  public void powerSpectrum(float[] samples, float[] window, float[] power) {
    float[] re = this.re;
    float[] im = this.im;
    for (int a = 0; a < half - 1; a += 2) {
      int s0 = 2 * bitReverse[a];
      int s1 = 2 * bitReverse[a + 1];
      float r0 = samples[s0] * window[s0];
      float i0 = samples[s0 + 1] * window[s0 + 1];
      float r1 = samples[s1] * window[s1];
      float i1 = samples[s1 + 1] * window[s1 + 1];
      re[a] = r0 + r1;
      im[a] = i0 + i1;
      re[a + 1] = r0 - r1;
      im[a + 1] = i0 - i1;
    }
    butterfliesAndSplit(power);
  }

  /** The stages from size 4 up and the real split step, on {@code re}/{@code im} after stage 1. */
  private void butterfliesAndSplit(float[] power) {
    float[] re = this.re;
    float[] im = this.im;
    if (half >= 4) {
      // Size 4 unrolled (two butterflies per group, twiddles from the table as in the loop).
      float wr0 = twiddleCos[1];
      float wi0 = twiddleSin[1];
      float wr1 = twiddleCos[2];
      float wi1 = twiddleSin[2];
      for (int a = 0; a < half; a += 4) {
        int b = a + 2;
        float br = re[b] * wr0 - im[b] * wi0;
        float bi = re[b] * wi0 + im[b] * wr0;
        re[b] = re[a] - br;
        im[b] = im[a] - bi;
        re[a] += br;
        im[a] += bi;
        int a1 = a + 1;
        int b1 = a + 3;
        br = re[b1] * wr1 - im[b1] * wi1;
        bi = re[b1] * wi1 + im[b1] * wr1;
        re[b1] = re[a1] - br;
        im[b1] = im[a1] - bi;
        re[a1] += br;
        im[a1] += bi;
      }
    }
    for (int size = 8; size <= half; size <<= 1) {
      int halfSize = size >> 1;
      int base = halfSize - 1;
      for (int start = 0; start < half; start += size) {
        for (int k = 0; k < halfSize; k++) {
          float wr = twiddleCos[base + k];
          float wi = twiddleSin[base + k];
          int a = start + k;
          int b = a + halfSize;
          float br = re[b] * wr - im[b] * wi;
          float bi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - br;
          im[b] = im[a] - bi;
          re[a] += br;
          im[a] += bi;
        }
      }
    }
    for (int k = 0; k <= half; k++) {
      int k1 = k == half ? 0 : k;
      int k2 = k == 0 ? 0 : half - k;
      float zr = re[k1];
      float zi = im[k1];
      float zr2 = re[k2];
      float zi2 = im[k2];
      float evenRe = 0.5f * (zr + zr2);
      float evenIm = 0.5f * (zi - zi2);
      float oddRe = 0.5f * (zi + zi2);
      float oddIm = -0.5f * (zr - zr2);
      float c = splitCos[k];
      float s = splitSin[k];
      float xr = evenRe + c * oddRe + s * oddIm;
      float xi = evenIm + c * oddIm - s * oddRe;
      power[k] = xr * xr + xi * xi;
    }
  }
}
