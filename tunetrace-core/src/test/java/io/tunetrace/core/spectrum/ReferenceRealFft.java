package io.tunetrace.core.spectrum;

/** The RealFft of commit 95b9a0b, kept verbatim as the reference for bit-exactness tests.
 *
 * Power spectrum of a real frame of power-of-two length n, computed as a complex FFT of n/2 points
 * plus the standard split step. Precomputes its tables once.
 *
 * <p>Not thread-safe: holds scratch buffers. Use one instance per thread.
 */
final class ReferenceRealFft {
  private final int n;
  private final int half;
  private final int[] bitReverse;
  private final float[] twiddleCos;
  private final float[] twiddleSin;
  private final float[] splitCos;
  private final float[] splitSin;
  private final float[] re;
  private final float[] im;

  ReferenceRealFft(int n) {
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
    for (int i = 0; i < half; i++) {
      int j = bitReverse[i];
      re[j] = frame[2 * i];
      im[j] = frame[2 * i + 1];
    }
    // First stage (size 2): twiddle 1, no multiplications.
    for (int a = 0; a < half - 1; a += 2) {
      float r0 = re[a];
      float i0 = im[a];
      re[a] = r0 + re[a + 1];
      im[a] = i0 + im[a + 1];
      re[a + 1] = r0 - re[a + 1];
      im[a + 1] = i0 - im[a + 1];
    }
    for (int size = 4; size <= half; size <<= 1) {
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
