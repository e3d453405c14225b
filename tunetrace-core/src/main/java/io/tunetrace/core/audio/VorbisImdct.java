package io.tunetrace.core.audio;

/**
 * The inverse MDCT Vorbis uses, without scaling: {@code y[t] = sum over k < n/2 of x[k] cos(2 pi
 * / n (t + 1/2 + n/4)(k + 1/2))} for t < n. Computed as a DCT-IV of size n/2 through a complex FFT
 * of size n/4 with precomputed twiddles, in O(n log n).
 *
 * <p>Not thread-safe: it owns its work arrays.
 */
final class VorbisImdct {
  final int n;
  private final int quarter;
  private final float[] preCos;
  private final float[] preSin;
  private final float[] fftCos;
  private final float[] fftSin;
  private final int[] bitReverse;
  private final float[] re;
  private final float[] im;
  private final float[] u;

  VorbisImdct(int n) {
    if (n < 16 || Integer.bitCount(n) != 1) {
      throw new IllegalArgumentException("n must be a power of 2 >= 16: " + n);
    }
    this.n = n;
    int half = n / 2;
    quarter = n / 4;
    preCos = new float[quarter];
    preSin = new float[quarter];
    for (int k = 0; k < quarter; k++) {
      double a = Math.PI * (8 * k + 1) / (8.0 * half);
      preCos[k] = (float) Math.cos(a);
      preSin[k] = (float) Math.sin(a);
    }
    fftCos = new float[quarter / 2 + 1];
    fftSin = new float[quarter / 2 + 1];
    for (int k = 0; k < fftCos.length; k++) {
      double a = 2 * Math.PI * k / quarter;
      fftCos[k] = (float) Math.cos(a);
      fftSin[k] = (float) Math.sin(a);
    }
    bitReverse = new int[quarter];
    int bits = Integer.numberOfTrailingZeros(quarter);
    for (int k = 0; k < quarter; k++) {
      bitReverse[k] = bits == 0 ? 0 : Integer.reverse(k) >>> (32 - bits);
    }
    re = new float[quarter];
    im = new float[quarter];
    u = new float[half];
  }

  /** Transforms {@code x[0, n/2)} into {@code y[0, n)}. */
  void inverse(float[] x, float[] y) {
    int half = n / 2;
    int q = quarter;
    for (int k = 0; k < q; k++) {
      float zr = x[2 * k];
      float zi = x[half - 1 - 2 * k];
      float c = preCos[k];
      float s = preSin[k];
      int j = bitReverse[k];
      re[j] = zr * c + zi * s;
      im[j] = zi * c - zr * s;
    }
    fft();
    for (int m = 0; m < q; m++) {
      float r = re[m];
      float i = im[m];
      float c = preCos[m];
      float s = preSin[m];
      u[2 * m] = r * c + i * s;
      u[half - 1 - 2 * m] = -(i * c - r * s);
    }
    int h2 = half / 2;
    for (int t = 0; t < h2; t++) {
      y[t] = u[t + h2];
    }
    int threeHalves = 3 * h2;
    for (int t = h2; t < threeHalves; t++) {
      y[t] = -u[threeHalves - 1 - t];
    }
    for (int t = threeHalves; t < n; t++) {
      y[t] = -u[t - threeHalves];
    }
  }

  /** In-place radix-2 forward FFT (e^{-2 pi i k m / size}) of bit-reversed re/im. */
  private void fft() {
    int size = quarter;
    for (int len = 2; len <= size; len <<= 1) {
      int halfLen = len >> 1;
      int step = size / len;
      for (int start = 0; start < size; start += len) {
        for (int k = 0; k < halfLen; k++) {
          float c = fftCos[k * step];
          float s = fftSin[k * step];
          int a = start + k;
          int b = a + halfLen;
          // (re[b] + i im[b]) * (c - i s)
          float tr = re[b] * c + im[b] * s;
          float ti = im[b] * c - re[b] * s;
          re[b] = re[a] - tr;
          im[b] = im[a] - ti;
          re[a] += tr;
          im[a] += ti;
        }
      }
    }
  }
}
