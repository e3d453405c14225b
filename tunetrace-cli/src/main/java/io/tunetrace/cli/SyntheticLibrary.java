package io.tunetrace.cli;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.hash.HashLayout;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A background library of any size made from real fingerprints, for the scale benchmark: each
 * synthetic track is a sequence of blocks cut from real tracks' fingerprints, re-timed one after
 * another and moved up or down the spectrum by a whole number of bins (the same shift for the whole
 * block), so that the popularity of hash values and the local structure of each block follow real
 * music, while no block repeats the hashes of the music it came from (a shift of at least
 * {@link #MIN_SHIFT_BINS} bins changes every anchor bin). See docs/SCALE.md for its limits.
 *
 * <p>Deterministic for a seed. Not thread-safe (one generator per thread).
 */
final class SyntheticLibrary {
  /** Seconds of fingerprints per block. */
  static final int BLOCK_SECONDS = 10;

  /** Smallest frequency shift of a block, in bins: 3 bins are 47 Hz, far beyond peak jitter. */
  static final int MIN_SHIFT_BINS = 3;

  /** Largest frequency shift of a block, in bins. */
  static final int MAX_SHIFT_BINS = 24;

  private final List<Fingerprints> sources;
  private final FingerprintParams params;
  private final SplittableRandom random;
  private final int blockFrames;

  SyntheticLibrary(List<Fingerprints> sources, FingerprintParams params, long seed) {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("no source fingerprints to build a synthetic library from");
    }
    this.sources = List.copyOf(sources);
    this.params = params;
    this.random = new SplittableRandom(seed);
    this.blockFrames = (int) Math.round(BLOCK_SECONDS * framesPerSecond(params));
  }

  static double framesPerSecond(FingerprintParams params) {
    return (double) params.sampleRateHz() / params.hopSamples();
  }

  /** A synthetic track of about {@code seconds} seconds. */
  Fingerprints track(double seconds) {
    int frames = (int) Math.round(seconds * framesPerSecond(params));
    int capacity = 1024;
    int[] hashes = new int[capacity];
    int[] times = new int[capacity];
    int size = 0;
    int at = 0;
    while (at < frames) {
      Fingerprints source = sources.get(random.nextInt(sources.size()));
      int span = Math.min(blockFrames, frames - at);
      if (source.frameCount() <= span) {
        span = source.frameCount();
      }
      if (span <= 0) {
        continue;
      }
      int start = source.frameCount() - span <= 0 ? 0 : random.nextInt(source.frameCount() - span);
      int shift = (MIN_SHIFT_BINS + random.nextInt(MAX_SHIFT_BINS - MIN_SHIFT_BINS + 1))
          * (random.nextBoolean() ? 1 : -1);
      for (int i = firstAtOrAfter(source, start); i < source.size(); i++) {
        int f = source.frame(i);
        if (f >= start + span) {
          break;
        }
        int hash = source.hash(i);
        int anchor = HashLayout.anchorBin(hash) + shift;
        int df = HashLayout.deltaBins(hash);
        if (anchor < params.minBin() || anchor >= params.maxBin()
            || anchor + df < params.minBin() || anchor + df >= params.maxBin()) {
          continue; // moved out of the analysed band
        }
        if (size == capacity) {
          capacity *= 2;
          hashes = java.util.Arrays.copyOf(hashes, capacity);
          times = java.util.Arrays.copyOf(times, capacity);
        }
        hashes[size] = HashLayout.encode(anchor, df, HashLayout.deltaFrames(hash));
        times[size] = at + (f - start);
        size++;
      }
      at += span;
    }
    return Fingerprints.of(hashes, times, size, frames);
  }

  private static int firstAtOrAfter(Fingerprints fp, int frame) {
    int lo = 0;
    int hi = fp.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (fp.frame(mid) < frame) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
