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

  /** A track of {@code seconds} with about {@code perSecond} postings per second. */
  public static Fingerprints track(Random r, int seconds, int perSecond) {
    int n = seconds * perSecond;
    int[] hashes = new int[n];
    int[] frames = new int[n];
    int frameCount = seconds * 125;
    for (int i = 0; i < n; i++) {
      hashes[i] = hash(r);
      frames[i] = (int) ((long) i * frameCount / n);
    }
    return Fingerprints.of(hashes, frames, n, frameCount);
  }
}
