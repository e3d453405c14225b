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
    load(frame, null);
    butterfliesAndSplit(power);
  }

  /**
   * As {@link #powerSpectrum(float[], float[])} of the frame {@code samples[i] * window[i]} (i in
   * 0..n-1): the window is applied as the samples are loaded, with the same float products, so the
   * result is bit for bit that of windowing into a frame first; one pass over the data fewer.
   */
  public void powerSpectrum(float[] samples, float[] window, float[] power) {
    load(samples, window);
    butterfliesAndSplit(power);
  }

  /**
   * Loads the samples (times the window, when given) in bit-reversed order and runs the first two
   * stages on each group of four: size 2 (twiddle 1, no multiplications) and size 4 (twiddles
   * from the table, as every later stage). bitReverse is its own inverse, so position a holds
   * input pair bitReverse[a].
   */
  private void load(float[] x, float[] w) {
    float[] re = this.re;
    float[] im = this.im;
    if (half < 4) { // n = 4: one stage of size 2
      for (int a = 0; a < half - 1; a += 2) {
        int s0 = 2 * bitReverse[a];
        int s1 = 2 * bitReverse[a + 1];
        float r0 = w == null ? x[s0] : x[s0] * w[s0];
        float i0 = w == null ? x[s0 + 1] : x[s0 + 1] * w[s0 + 1];
        float r1 = w == null ? x[s1] : x[s1] * w[s1];
        float i1 = w == null ? x[s1 + 1] : x[s1 + 1] * w[s1 + 1];
        re[a] = r0 + r1;
        im[a] = i0 + i1;
        re[a + 1] = r0 - r1;
        im[a + 1] = i0 - i1;
      }
      return;
    }
    float wr0 = twiddleCos[1];
    float wi0 = twiddleSin[1];
    float wr1 = twiddleCos[2];
    float wi1 = twiddleSin[2];
    for (int a = 0; a < half; a += 4) {
      int s0 = 2 * bitReverse[a];
      int s1 = 2 * bitReverse[a + 1];
      int s2 = 2 * bitReverse[a + 2];
      int s3 = 2 * bitReverse[a + 3];
      float r0;
      float i0;
      float r1;
      float i1;
      float r2;
      float i2;
      float r3;
      float i3;
      if (w == null) {
        r0 = x[s0];
        i0 = x[s0 + 1];
        r1 = x[s1];
        i1 = x[s1 + 1];
        r2 = x[s2];
        i2 = x[s2 + 1];
        r3 = x[s3];
        i3 = x[s3 + 1];
      } else {
        r0 = x[s0] * w[s0];
        i0 = x[s0 + 1] * w[s0 + 1];
        r1 = x[s1] * w[s1];
        i1 = x[s1 + 1] * w[s1 + 1];
        r2 = x[s2] * w[s2];
        i2 = x[s2 + 1] * w[s2 + 1];
        r3 = x[s3] * w[s3];
        i3 = x[s3 + 1] * w[s3 + 1];
      }
      // size 2
      float p0r = r0 + r1;
      float p0i = i0 + i1;
      float p1r = r0 - r1;
      float p1i = i0 - i1;
      float p2r = r2 + r3;
      float p2i = i2 + i3;
      float p3r = r2 - r3;
      float p3i = i2 - i3;
      // size 4: (a, a + 2) and (a + 1, a + 3)
      float br = p2r * wr0 - p2i * wi0;
      float bi = p2r * wi0 + p2i * wr0;
      re[a + 2] = p0r - br;
      im[a + 2] = p0i - bi;
      re[a] = p0r + br;
      im[a] = p0i + bi;
      br = p3r * wr1 - p3i * wi1;
      bi = p3r * wi1 + p3i * wr1;
      re[a + 3] = p1r - br;
      im[a + 3] = p1i - bi;
      re[a + 1] = p1r + br;
      im[a + 1] = p1i + bi;
    }
  }

  /** The stages from size 8 up and the real split step, on {@code re}/{@code im} after load. */
  private void butterfliesAndSplit(float[] power) {
    float[] re = this.re;
    float[] im = this.im;
    // Two stages per pass (sizes s and 2s): each group of four values is loaded once, goes
    // through the two butterflies of stage s and the two of stage 2s that use them, and is stored
    // once. The butterflies, their twiddles and their float operations are those of one stage at
    // a time, so the result is bit for bit the same, with half the loads and stores.
    float[] tc = twiddleCos;
    float[] ts = twiddleSin;
    int size = 8;
    for (; 2 * size <= half; size <<= 2) {
      int h = size >> 1;
      int base1 = h - 1;
      int base2 = size - 1;
      int group = size << 1;
      for (int start = 0; start < half; start += group) {
        for (int k = 0; k < h; k++) {
          int a0 = start + k;
          int a1 = a0 + h;
          int a2 = a0 + size;
          int a3 = a2 + h;
          float r0 = re[a0];
          float i0 = im[a0];
          float r1 = re[a1];
          float i1 = im[a1];
          float r2 = re[a2];
          float i2 = im[a2];
          float r3 = re[a3];
          float i3 = im[a3];
          float wr = tc[base1 + k];
          float wi = ts[base1 + k];
          float br = r1 * wr - i1 * wi;
          float bi = r1 * wi + i1 * wr;
          float n1r = r0 - br;
          float n1i = i0 - bi;
          float n0r = r0 + br;
          float n0i = i0 + bi;
          br = r3 * wr - i3 * wi;
          bi = r3 * wi + i3 * wr;
          float n3r = r2 - br;
          float n3i = i2 - bi;
          float n2r = r2 + br;
          float n2i = i2 + bi;
          float vr = tc[base2 + k];
          float vi = ts[base2 + k];
          br = n2r * vr - n2i * vi;
          bi = n2r * vi + n2i * vr;
          re[a2] = n0r - br;
          im[a2] = n0i - bi;
          re[a0] = n0r + br;
          im[a0] = n0i + bi;
          vr = tc[base2 + k + h];
          vi = ts[base2 + k + h];
          br = n3r * vr - n3i * vi;
          bi = n3r * vi + n3i * vr;
          re[a3] = n1r - br;
          im[a3] = n1i - bi;
          re[a1] = n1r + br;
          im[a1] = n1i + bi;
        }
      }
    }
    for (; size <= half; size <<= 1) { // at most one stage left
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
    split(re, im, power, 0, 0, 0);
    for (int k = 1; k < half; k++) {
      split(re, im, power, k, k, half - k);
    }
    split(re, im, power, half, 0, 0);
  }

  /** Bin {@code k} of the real spectrum from the half-size transform's bins {@code k1}, {@code k2}. */
  private void split(float[] re, float[] im, float[] power, int k, int k1, int k2) {
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
