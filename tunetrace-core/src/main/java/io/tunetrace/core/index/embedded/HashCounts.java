package io.tunetrace.core.index.embedded;

/**
 * How many postings each hash value holds, kept so that a lookup can skip a hash above its cap (or
 * absent) without searching any segment for it. A large segment stores one byte per hash value
 * (a <em>hash-count table</em>, segment format 3, docs/INDEX-ENGINE.md); the index reads them
 * byte by byte for its first lookups, then sums them into one {@link Sum} in memory. Not API.
 *
 * <p>A byte is a code: 0..127 are exact counts; 128 + k means at least {@link #lowerBound} of it,
 * each step 2<sup>1/16</sup> (about 4.4 %) above the one before, up to about 31,000 (255). So a
 * sum of decoded codes is never above the true count, and is within 4.4 % of it where every
 * segment's count is below that top.
 */
public final class HashCounts {
  /** Hash values a table covers: {@code [0, 2^BITS)}, every hash of layout version 1. */
  public static final int BITS = 23;
  /** Bytes of one table in a segment file: its bit count (int32) and one byte per hash value. */
  public static final long TABLE_BYTES = 4L + (1L << BITS);

  private static final int[] LOWER = new int[256];

  static {
    for (int k = 0; k < 128; k++) {
      LOWER[k] = k;
    }
    for (int k = 128; k < 256; k++) {
      int v = (int) Math.ceil(128 * Math.pow(2, (k - 128) / 16.0));
      LOWER[k] = Math.max(LOWER[k - 1] + 1, v);
    }
  }

  private HashCounts() {}

  /** The code of a count: the largest code whose {@link #lowerBound} is not above it. */
  public static int encode(long count) {
    if (count < 0) {
      throw new IllegalArgumentException("count < 0: " + count);
    }
    if (count < 128) {
      return (int) count;
    }
    int lo = 128;
    int hi = 255;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (LOWER[mid] <= count) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** The least count a code stands for (the code itself below 128). */
  public static int lowerBound(int code) {
    return LOWER[code & 0xff];
  }

  /** Whether a hash lies in the range the tables cover: {@code [0, 2^BITS)}. */
  public static boolean covers(int hash) {
    return hash >= 0 && hash < (1 << BITS);
  }

  /**
   * The sum of the tables of some segments: per hash value, a lower bound of its postings in them
   * (saturating at 65,535).
   */
  public static final class Sum {
    private final Segment[] segments;
    private final char[] lower;

    private Sum(Segment[] segments, char[] lower) {
      this.segments = segments;
      this.lower = lower;
    }

    /** Sums the tables of {@code segments} (each must have one). */
    public static Sum of(Segment[] segments) {
      char[] lower = new char[1 << BITS];
      for (Segment seg : segments) {
        seg.addHashCountLowerBounds(lower);
      }
      return new Sum(segments.clone(), lower);
    }

    /** Whether this sum was made from exactly these segments (the same instances, in order). */
    public boolean sameSegments(Segment[] others) {
      if (others.length != segments.length) {
        return false;
      }
      for (int i = 0; i < others.length; i++) {
        if (others[i] != segments[i]) {
          return false;
        }
      }
      return true;
    }

    /** A lower bound of the postings of a {@linkplain #covers covered} hash in the segments. */
    public int lowerBound(int hash) {
      return lower[hash];
    }
  }
}
