package io.tunetrace.core.match;

import java.util.ArrayList;
import java.util.List;

/**
 * How a {@link io.tunetrace.core.Recognizer} searches, and how much it returns. Unlike
 * {@link io.tunetrace.core.FingerprintParams} these may differ between queries of one index. When a
 * match is accepted is decided in one place, {@link MatchDecision}; see docs/MATCHING.md.
 *
 * @param queryPeaksPerSecond peak density of the clip as it is (denser than the index's, to catch
 *     its peaks)
 * @param queryPeakRadius half-size, in bins and in frames, of the neighbourhood a peak of the clip
 *     as it is must top (the default index's: 12); a smaller one keeps more near-maxima, which
 *     helps under a voice but was not adopted (see docs/MATCHING.md)
 * @param queryFanOut pairs per anchor in the query as it is
 * @param variantPeaksPerSecond peaks of each second (the strongest, of peaks picked with the
 *     index's neighbourhood at twice this density) hashed for the other variants
 * @param variantFanOut pairs per anchor in each other variant (fewer: variants are many)
 * @param maxPostingsPerHash hashes with more postings than this are skipped as uninformative (in
 *     a large library the cap grows with it: see {@code commonHashShare})
 * @param variantMaxPostingsPerHash the same for the hashes of the variants other than the clip as
 *     it is: they are many, and a common hash there mostly adds chance votes
 * @param toleranceFrames alignment jitter tolerated when counting votes, in frames
 * @param variants the variants searched, all at once; the first is {@link Variant#IDENTITY}
 * @param maxResults most distinct recordings returned, best first ({@code match --top N})
 * @param minScore lowest {@link io.tunetrace.core.Match#score()} returned; the decision's own bar
 *     applies first, so this can only make the recognizer stricter ({@code --min-score})
 * @param commonHashShare share of all the library's postings above which one hash of the clip as
 *     it is counts as too common, where that is more than {@code maxPostingsPerHash}; 0 keeps the
 *     cap fixed. A fixed cap skips ever more of a clip's hashes as the library grows (a third of
 *     them at 10,000 h), while a share keeps the skipped part about constant; see {@link
 *     #maxPostingsPerHash(long)} and docs/SCALE.md
 */
public record MatchPolicy(
    int queryPeaksPerSecond,
    int queryPeakRadius,
    int queryFanOut,
    int variantPeaksPerSecond,
    int variantFanOut,
    int maxPostingsPerHash,
    int variantMaxPostingsPerHash,
    int toleranceFrames,
    List<Variant> variants,
    int maxResults,
    double minScore,
    double commonHashShare) {

  /**
   * Played 0.5–4.5% fast or slow in steps of 0.5%, time-stretched 1–7% in steps of 1%, and
   * pitch-shifted 40–160 cents in steps of 10 cents, either way; see docs/MATCHING.md.
   */
  public static final List<Variant> DEFAULT_VARIANTS = defaultVariants();

  /**
   * The default {@code commonHashShare}: one posting in 360,000, so the cap of 2,000 starts to grow
   * at 720 M postings (about 3,300 h) and is about 6,100 at 10,000 h. Chosen with {@code bench
   * scale} at 10,000 h on the tune music (BENCHMARKS.md, "Scale").
   */
  public static final double DEFAULT_COMMON_HASH_SHARE = 1.0 / 360_000;

  /** Chosen on the tune music; see docs/MATCHING.md and BENCHMARKS.md. */
  public static final MatchPolicy DEFAULT =
      new MatchPolicy(40, 12, 8, 20, 2, 2000, 12, 1, DEFAULT_VARIANTS, 1, 0);

  /** A policy with the default {@link #DEFAULT_COMMON_HASH_SHARE}. */
  public MatchPolicy(int queryPeaksPerSecond, int queryPeakRadius, int queryFanOut,
      int variantPeaksPerSecond, int variantFanOut, int maxPostingsPerHash,
      int variantMaxPostingsPerHash, int toleranceFrames, List<Variant> variants, int maxResults,
      double minScore) {
    this(queryPeaksPerSecond, queryPeakRadius, queryFanOut, variantPeaksPerSecond, variantFanOut,
        maxPostingsPerHash, variantMaxPostingsPerHash, toleranceFrames, variants, maxResults,
        minScore, DEFAULT_COMMON_HASH_SHARE);
  }

  public MatchPolicy {
    if (queryPeakRadius < 1 || queryPeakRadius > 32) {
      throw new IllegalArgumentException("queryPeakRadius out of [1, 32]: " + queryPeakRadius);
    }
    if (queryPeaksPerSecond < 1 || queryFanOut < 1 || variantPeaksPerSecond < 1
        || variantFanOut < 1) {
      throw new IllegalArgumentException("query density < 1: " + queryPeaksPerSecond + ", "
          + queryFanOut + ", " + variantFanOut);
    }
    if (maxPostingsPerHash < 1 || variantMaxPostingsPerHash < 1) {
      throw new IllegalArgumentException("maxPostingsPerHash < 1: " + maxPostingsPerHash + ", "
          + variantMaxPostingsPerHash);
    }
    if (!(commonHashShare >= 0 && commonHashShare <= 1)) {
      throw new IllegalArgumentException("commonHashShare out of [0, 1]: " + commonHashShare);
    }
    if (toleranceFrames < 0 || toleranceFrames > 8) {
      throw new IllegalArgumentException("toleranceFrames out of [0, 8]: " + toleranceFrames);
    }
    variants = List.copyOf(variants);
    if (variants.isEmpty() || !variants.get(0).isIdentity()) {
      throw new IllegalArgumentException("variants must start with the identity: " + variants);
    }
    if (variants.size() > 63) {
      throw new IllegalArgumentException("more than 63 variants: " + variants.size());
    }
    if (maxResults < 1) {
      throw new IllegalArgumentException("maxResults < 1: " + maxResults);
    }
    if (!(minScore >= 0 && minScore <= 1)) {
      throw new IllegalArgumentException("minScore out of [0, 1]: " + minScore);
    }
  }

  private static List<Variant> defaultVariants() {
    List<Variant> v = new ArrayList<>();
    v.add(Variant.IDENTITY);
    for (int k = 1; k <= 9; k++) {
      v.add(Variant.speed(1 + 0.005 * k));
      v.add(Variant.speed(1 - 0.005 * k));
    }
    for (int k = 1; k <= 7; k++) {
      v.add(Variant.tempo(1 + 0.01 * k));
      v.add(Variant.tempo(1 - 0.01 * k));
    }
    for (int c = 40; c <= 160; c += 10) {
      v.add(Variant.pitchCents(c));
      v.add(Variant.pitchCents(-c));
    }
    return List.copyOf(v);
  }

  /**
   * The cap on the postings of one hash of the clip as it is, in a library of {@code
   * libraryPostings} postings: {@code maxPostingsPerHash}, or {@code commonHashShare} of the
   * library where that is more.
   */
  public int maxPostingsPerHash(long libraryPostings) {
    double scaled = Math.floor(commonHashShare * Math.max(0, libraryPostings));
    return (int) Math.min(Integer.MAX_VALUE, Math.max(maxPostingsPerHash, scaled));
  }

  /** The same policy with another {@code commonHashShare} (0: the cap stays fixed). */
  public MatchPolicy withCommonHashShare(double share) {
    return new MatchPolicy(queryPeaksPerSecond, queryPeakRadius, queryFanOut, variantPeaksPerSecond,
        variantFanOut, maxPostingsPerHash, variantMaxPostingsPerHash, toleranceFrames, variants,
        maxResults, minScore, share);
  }

  /** Searches the clip as it is only. */
  public MatchPolicy identityOnly() {
    return withVariants(List.of(Variant.IDENTITY));
  }

  public MatchPolicy withVariants(List<Variant> newVariants) {
    return new MatchPolicy(queryPeaksPerSecond, queryPeakRadius, queryFanOut, variantPeaksPerSecond,
        variantFanOut, maxPostingsPerHash, variantMaxPostingsPerHash, toleranceFrames, newVariants,
        maxResults, minScore, commonHashShare);
  }

  public MatchPolicy withMaxResults(int newMaxResults) {
    return new MatchPolicy(queryPeaksPerSecond, queryPeakRadius, queryFanOut, variantPeaksPerSecond,
        variantFanOut, maxPostingsPerHash, variantMaxPostingsPerHash, toleranceFrames, variants,
        newMaxResults, minScore, commonHashShare);
  }

  public MatchPolicy withMinScore(double newMinScore) {
    return new MatchPolicy(queryPeaksPerSecond, queryPeakRadius, queryFanOut, variantPeaksPerSecond,
        variantFanOut, maxPostingsPerHash, variantMaxPostingsPerHash, toleranceFrames, variants,
        maxResults, newMinScore, commonHashShare);
  }

  public MatchPolicy withMaxPostingsPerHash(int newMaxPostingsPerHash) {
    return new MatchPolicy(queryPeaksPerSecond, queryPeakRadius, queryFanOut, variantPeaksPerSecond,
        variantFanOut, newMaxPostingsPerHash, variantMaxPostingsPerHash, toleranceFrames,
        variants, maxResults, minScore, commonHashShare);
  }

  public MatchPolicy withVariantMaxPostingsPerHash(int newMax) {
    return new MatchPolicy(queryPeaksPerSecond, queryPeakRadius, queryFanOut, variantPeaksPerSecond,
        variantFanOut, maxPostingsPerHash, newMax, toleranceFrames, variants, maxResults,
        minScore, commonHashShare);
  }

  public MatchPolicy withQueryDensity(int peaksPerSecond, int fanOut, int newVariantPeaksPerSecond,
      int newVariantFanOut) {
    return new MatchPolicy(peaksPerSecond, queryPeakRadius, fanOut, newVariantPeaksPerSecond,
        newVariantFanOut,
        maxPostingsPerHash, variantMaxPostingsPerHash, toleranceFrames, variants, maxResults,
        minScore, commonHashShare);
  }
}
