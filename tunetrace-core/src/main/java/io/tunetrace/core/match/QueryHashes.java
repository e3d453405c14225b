package io.tunetrace.core.match;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.hash.HashLayout;
import io.tunetrace.core.index.TrackPeaks;
import io.tunetrace.core.peaks.LocalMaxima;
import io.tunetrace.core.peaks.Peaks;
import java.util.Arrays;
import java.util.List;

/**
 * The hashes of a query and of every variant of it that is searched, in one list: for each entry
 * the hash, the variant, the frame it stands for in reference time, the query frame it came from,
 * and which pair of query peaks made it (so that two candidates can tell whether the same peaks
 * voted for both). Variants are hashed from the query's peaks, moved in time and frequency, with the
 * pairing rule of {@link io.tunetrace.core.hash.LandmarkHasher}; no audio is analysed twice.
 *
 * <p>The other variants' hashes are made when first needed ({@link #withVariants}): most clips
 * that match are answered from their own hashes alone (docs/MATCHING.md §1), and the variants'
 * are seven in eight of all entries. Every public method answers for the whole list, as if they
 * had been made at once.
 *
 * <p>Immutable after construction (the variants' hashes are made once, under a lock); thread-safe.
 */
public final class QueryHashes {
  final int[] hashes;
  final int[] refFrames;
  final int[] queryFrames;
  final byte[] variants;
  final long[] pairs;
  final int size;
  final List<Variant> variantList;
  final int queryFrameCount;
  /** Entries of the identity variant (variant 0), the query's own hashes. */
  final int identitySize;
  /** The clip's own peaks, for verifying candidates peak by peak ({@link PeakAgreement}). */
  private final Peaks peaks;
  /** The clip's spectral local maxima ({@link SpectralAgreement}), or null. */
  private final LocalMaxima maxima;
  /** The peaks the other variants are hashed from (the clip's own when there is one set). */
  private final Peaks variantPeaks;
  /**
   * What the other variants are hashed from while their entries are not made: the fields above
   * then hold the clip's own entries only. Null once they are made, or when there are none.
   */
  private final Pending pending;
  /** This query with the variants' entries, once made; guarded by {@code this}. */
  private QueryHashes withVariants;

  /** The inputs of the variants' hashes (see {@link #of}). */
  private record Pending(Peaks variantPeaks, FingerprintParams params, int variantPeaksPerSecond,
      int variantFanOut) {}

  private QueryHashes(int[] hashes, int[] refFrames, int[] queryFrames, byte[] variants,
      long[] pairs, int size, List<Variant> variantList, int queryFrameCount, Peaks peaks,
      LocalMaxima maxima, Peaks variantPeaks) {
    this.pending = null;
    this.peaks = peaks;
    this.maxima = maxima;
    this.variantPeaks = variantPeaks;
    this.hashes = hashes;
    this.refFrames = refFrames;
    this.queryFrames = queryFrames;
    this.variants = variants;
    this.pairs = pairs;
    this.size = size;
    this.variantList = variantList;
    this.queryFrameCount = queryFrameCount;
    this.identitySize = size;
  }

  private QueryHashes(
      Builder b, List<Variant> variantList, int queryFrameCount, Peaks peaks, LocalMaxima maxima,
      Peaks variantPeaks, Pending pending) {
    this.pending = pending;
    this.peaks = peaks;
    this.maxima = maxima;
    this.variantPeaks = variantPeaks;
    this.hashes = Arrays.copyOf(b.hashes, b.size);
    this.refFrames = Arrays.copyOf(b.refFrames, b.size);
    this.queryFrames = Arrays.copyOf(b.queryFrames, b.size);
    this.variants = Arrays.copyOf(b.variants, b.size);
    this.pairs = Arrays.copyOf(b.pairs, b.size);
    this.size = b.size;
    this.variantList = List.copyOf(variantList);
    this.queryFrameCount = queryFrameCount;
    this.identitySize = b.identitySize;
  }

  /**
   * Hashes the query for each variant ({@code variants.get(0)} must be the identity): every peak
   * of {@code identityPeaks} with {@code identityFanOut} pairs per anchor for the clip as it is,
   * and for the other variants only the {@code variantPeaksPerSecond} strongest of {@code
   * variantPeaks} in each second with {@code variantFanOut} pairs per anchor (variants are many;
   * the strongest peaks survive noise best). The two sets may be one. The clip's spectral local
   * maxima (from the same STFT; null for none) are kept so that candidates are also checked
   * against its spectrum ({@link SpectralAgreement}).
   */
  public static QueryHashes of(Peaks identityPeaks, Peaks variantPeaks, List<Variant> variants,
      FingerprintParams params, int identityFanOut, int variantPeaksPerSecond,
      int variantFanOut, LocalMaxima maxima) {
    if (variants.isEmpty() || !variants.get(0).isIdentity()) {
      throw new IllegalArgumentException("variants must start with the identity: " + variants);
    }
    if (variants.size() > 63) {
      throw new IllegalArgumentException("more than 63 variants: " + variants.size());
    }
    Builder b = new Builder(Math.max(16, identityPeaks.size() * identityFanOut * 2));
    hashVariant(b, 0, variants.get(0), identityPeaks, null, params, identityFanOut,
        new int[3][identityPeaks.size()]);
    b.identitySize = b.size;
    Pending pending = variants.size() == 1 ? null
        : new Pending(variantPeaks, params, variantPeaksPerSecond, variantFanOut);
    return new QueryHashes(b, variants, variantPeaks.frameCount(), identityPeaks, maxima,
        variantPeaks, pending);
  }

  /**
   * This query with the entries of every variant: itself when they are made (or there are none),
   * else a query holding the clip's own entries, in the same places, followed by the variants'
   * (made now, once).
   */
  QueryHashes withVariants() {
    if (pending == null) {
      return this;
    }
    synchronized (this) {
      if (withVariants == null) {
        Builder b = new Builder(Math.max(16, size * 8));
        for (int j = 0; j < size; j++) {
          b.add(hashes[j], refFrames[j], queryFrames[j], variants[j], pairs[j]);
        }
        b.identitySize = b.size;
        Peaks variantPeaks = pending.variantPeaks();
        boolean[] strong =
            strongest(variantPeaks, pending.variantPeaksPerSecond(), pending.params());
        int[][] scratch = new int[3][variantPeaks.size()];
        for (int v = 1; v < variantList.size(); v++) {
          hashVariant(b, v, variantList.get(v), variantPeaks, strong, pending.params(),
              pending.variantFanOut(), scratch);
        }
        withVariants =
            new QueryHashes(b, variantList, queryFrameCount, peaks, maxima, variantPeaks, null);
      }
      return withVariants;
    }
  }

  /** Whether the variants' entries are made (or there are none to make). */
  boolean variantsMade() {
    if (pending == null) {
      return true;
    }
    synchronized (this) {
      return withVariants != null;
    }
  }

  /** Whether entries other than the clip's own are made or still to be made. */
  boolean hasVariants() {
    return pending != null || size > identitySize;
  }

  /**
   * Adds the entries of variant {@code v}: {@code peaks} (those marked {@code strong}, when given)
   * moved by the variant, re-quantised and paired with {@code fanOut} pairs per anchor.
   * {@code scratch} holds three arrays of at least {@code peaks.size()}.
   */
  private static void hashVariant(Builder b, int v, Variant variant, Peaks peaks, boolean[] strong,
      FingerprintParams params, int fanOut, int[][] scratch) {
    int n = peaks.size();
    int[] frames = scratch[0];
    int[] bins = scratch[1];
    int[] origin = scratch[2];
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (strong != null && !strong[i]) {
        continue;
      }
      int bin = variant.freqScale() == 1.0
          ? peaks.bin(i)
          : (int) Math.round(peaks.frequencyBins(i) / variant.freqScale());
      if (bin < params.minBin() || bin >= params.maxBin()) {
        continue;
      }
      frames[m] = variant.timeScale() == 1.0
          ? peaks.frame(i)
          : (int) Math.round(peaks.frame(i) * variant.timeScale());
      bins[m] = bin;
      origin[m] = i;
      m++;
    }
    pair(b, frames, bins, origin, m, v, peaks, params, fanOut);
  }

  /** The given fingerprints as they are: one identity variant, one pair per hash. */
  public static QueryHashes of(Fingerprints fingerprints) {
    return of(fingerprints, 1);
  }

  /**
   * As {@link #of(Fingerprints)}, with only the hashes of one value in {@code oneIn}: the values
   * are chosen by the value alone, so that another copy of the same audio keeps the same ones. The
   * peaks (for the peak check) are those of every hash.
   */
  public static QueryHashes of(Fingerprints fingerprints, int oneIn) {
    if (oneIn < 1) {
      throw new IllegalArgumentException("oneIn < 1: " + oneIn);
    }
    Builder b = new Builder(Math.max(16, fingerprints.size() / oneIn));
    for (int i = 0; i < fingerprints.size(); i++) {
      int hash = fingerprints.hash(i);
      // A multiplicative mix: the kept values are spread over every field of the hash.
      if (oneIn == 1 || Integer.remainderUnsigned((hash * 0x9E3779B9) >>> 8, oneIn) == 0) {
        b.add(hash, fingerprints.frame(i), fingerprints.frame(i), 0, i);
      }
    }
    b.identitySize = b.size;
    TrackPeaks own = TrackPeaks.of(fingerprints);
    Peaks.Collector collected = new Peaks.Collector();
    for (int i = 0; i < own.size(); i++) {
      collected.peak(own.frame(i), own.bin(i), 0f);
    }
    Peaks peaks = collected.toPeaks(fingerprints.frameCount());
    return new QueryHashes(b, List.of(Variant.IDENTITY), fingerprints.frameCount(), peaks, null,
        peaks, null);
  }

  /** Marks the {@code perSecond} strongest peaks of each second of the clip. */
  private static boolean[] strongest(Peaks peaks, int perSecond, FingerprintParams params) {
    int n = peaks.size();
    boolean[] keep = new boolean[n];
    double framesPerSecond = (double) params.sampleRateHz() / params.hopSamples();
    int start = 0;
    while (start < n) {
      int second = (int) (peaks.frame(start) / framesPerSecond);
      int end = start;
      while (end < n && (int) (peaks.frame(end) / framesPerSecond) == second) {
        end++;
      }
      if (end - start <= perSecond) {
        Arrays.fill(keep, start, end, true);
      } else {
        long[] ranked = new long[end - start];
        for (int i = start; i < end; i++) {
          // Strength order, then position: sortable as one long.
          ranked[i - start] = ((long) Float.floatToIntBits(-peaks.strengthDb(i) + 1000f) << 32) | i;
        }
        Arrays.sort(ranked);
        for (int k = 0; k < perSecond; k++) {
          keep[(int) ranked[k]] = true;
        }
      }
      start = end;
    }
    return keep;
  }

  private static void pair(Builder b, int[] frames, int[] bins, int[] origin, int m, int variant,
      Peaks peaks, FingerprintParams params, int fanOut) {
    for (int a = 0; a < m; a++) {
      int made = 0;
      for (int j = a + 1; j < m && made < fanOut; j++) {
        int dt = frames[j] - frames[a];
        if (dt > params.maxDeltaFrames()) {
          break;
        }
        int df = bins[j] - bins[a];
        if (dt >= params.minDeltaFrames() && df >= -params.maxDeltaBins()
            && df <= params.maxDeltaBins()) {
          b.add(HashLayout.encode(bins[a], df, dt), frames[a], peaks.frame(origin[a]), variant,
              ((long) origin[a] << 32) | origin[j]);
          made++;
        }
      }
    }
  }

  /** The clip's own hashes only (the identity variant). */
  public QueryHashes identityOnly() {
    if (pending == null && identitySize == size) {
      return this;
    }
    return new QueryHashes(Arrays.copyOf(hashes, identitySize),
        Arrays.copyOf(refFrames, identitySize), Arrays.copyOf(queryFrames, identitySize),
        Arrays.copyOf(variants, identitySize), Arrays.copyOf(pairs, identitySize), identitySize,
        List.of(variantList.get(0)), queryFrameCount, peaks, maxima, variantPeaks);
  }

  /** The clip's own peaks, which candidates are verified against. */
  public Peaks peaks() {
    return peaks;
  }

  /**
   * The peaks the other variants' hashes are made from (the index's neighbourhood, sub-bin
   * frequencies); the clip's own peaks when the query was made with one set.
   */
  public Peaks variantPeaks() {
    return variantPeaks;
  }

  /**
   * The clip's spectral local maxima, which candidates are also verified against; null when the
   * query was made without them (from stored fingerprints).
   */
  public LocalMaxima maxima() {
    return maxima;
  }

  public int size() {
    return withVariants().size;
  }

  /** The hash of each entry, in entry order (a copy). */
  public int[] hashes() {
    QueryHashes all = withVariants();
    return Arrays.copyOf(all.hashes, all.size);
  }

  /** The number of the query's own hashes (the identity variant). */
  public int identitySize() {
    return identitySize;
  }

  public List<Variant> variants() {
    return variantList;
  }

  public int queryFrameCount() {
    return queryFrameCount;
  }

  /** The hash of entry {@code i} (for explanations; the matcher reads the fields directly). */
  public int hash(int i) {
    return withVariants().hashes[i];
  }

  /** The frame entry {@code i} stands for in reference time (its anchor, moved by its variant). */
  public int refFrame(int i) {
    return withVariants().refFrames[i];
  }

  /** The index in {@link #variants()} of the variant that made entry {@code i}. */
  public int variant(int i) {
    return withVariants().variants[i];
  }

  private static final class Builder {
    int[] hashes;
    int[] refFrames;
    int[] queryFrames;
    byte[] variants;
    long[] pairs;
    int size;
    int identitySize;

    Builder(int capacity) {
      hashes = new int[capacity];
      refFrames = new int[capacity];
      queryFrames = new int[capacity];
      variants = new byte[capacity];
      pairs = new long[capacity];
    }

    void add(int hash, int refFrame, int queryFrame, int variant, long pair) {
      if (size == hashes.length) {
        int c = size * 2;
        hashes = Arrays.copyOf(hashes, c);
        refFrames = Arrays.copyOf(refFrames, c);
        queryFrames = Arrays.copyOf(queryFrames, c);
        variants = Arrays.copyOf(variants, c);
        pairs = Arrays.copyOf(pairs, c);
      }
      hashes[size] = hash;
      refFrames[size] = refFrame;
      queryFrames[size] = queryFrame;
      variants[size] = (byte) variant;
      pairs[size] = pair;
      size++;
    }
  }
}
