package io.tunetrace.core.index;

import io.tunetrace.core.hash.Fingerprints;
import java.util.Random;

/**
 * Landmark-like synthetic fingerprints for index tests and benchmarks: 23-bit hashes made of an
 * anchor bin (9 bits, skewed towards low frequencies like music), a bin difference (8 bits) and a
 * frame difference (6 bits), at a steady rate, 125 frames per second.
 */
public final class SyntheticPostings {
  private SyntheticPostings() {}

  public static int hash(Random r) {
    int f1 = Math.min(511, 4 + (int) Math.abs(r.nextGaussian() * 120));
    int df = Math.max(-63, Math.min(63, (int) (r.nextGaussian() * 25))) + 128;
    int dt = 2 + r.nextInt(62);
    return (f1 << 14) | (df << 6) | dt;
  }

  /**
   * A track of {@code seconds} with about {@code perSecond} postings per second, made as the
   * fingerprinter makes them: spectral peaks (a quarter as many), each anchor paired with up to
   * four later peaks within 63 frames and 63 bins, so peaks are shared between pairs as in music.
   */
  public static Fingerprints track(Random r, int seconds, int perSecond) {
    int n = seconds * perSecond;
    int frameCount = seconds * 125;
    int peakCount = Math.max(2, n / 4 + n / 16);
    int[] peakFrames = new int[peakCount];
    int[] peakBins = new int[peakCount];
    for (int i = 0; i < peakCount; i++) {
      peakFrames[i] = (int) ((long) i * frameCount / peakCount);
      peakBins[i] = Math.min(511, 4 + (int) Math.abs(r.nextGaussian() * 120));
    }
    int[] hashes = new int[n];
    int[] frames = new int[n];
    int size = 0;
    for (int a = 0; a < peakCount && size < n; a++) {
      int paired = 0;
      for (int t = a + 1; t < peakCount && paired < 4 && size < n; t++) {
        int dt = peakFrames[t] - peakFrames[a];
        int df = peakBins[t] - peakBins[a];
        if (dt > 63) {
          break;
        }
        if (dt >= 2 && Math.abs(df) <= 63) {
          hashes[size] = (peakBins[a] << 14) | ((df + 128) << 6) | dt;
          frames[size] = peakFrames[a];
          size++;
          paired++;
        }
      }
    }
    while (size < n) { // the last seconds: unpaired anchors, as at the end of real audio
      hashes[size] = hash(r);
      frames[size] = frameCount - 1;
      size++;
    }
    return Fingerprints.of(hashes, frames, n, frameCount);
  }
}
