package io.tunetrace.core.index;

import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.hash.HashLayout;
import java.util.Arrays;

/**
 * A track's spectral peaks in time order: the forward view of its fingerprints, read when a
 * candidate alignment is verified peak by peak ({@link io.tunetrace.core.match.PeakAgreement}).
 * Every peak of a landmark pair is recovered exactly from its hash and frame (the anchor's bin and
 * frame, the target's offsets), so an index stores these alongside its postings at no extra
 * analysis cost.
 *
 * <p>Encoded form ({@link #encode()}, stored by the indexes; see docs/INDEX-ENGINE.md), a bit
 * stream written most significant bit first: a varint peak count (7 bits a byte, low bits first, a
 * high bit for "more"), a byte with the bits a bin takes (8 when every bin is below 256, else 9), a
 * byte with the Rice parameter k, then per peak in time order the frame's distance from the previous
 * peak's frame Rice-coded (the quotient {@code d >> k} in unary as ones ending in a zero, then the
 * low k bits) and the bin; zero bits pad the last byte. About 1.6 bytes per peak.
 *
 * <p>Immutable and thread-safe.
 */
public final class TrackPeaks {
  private static final int BIN_BITS = 9;
  private static final int BIN_MASK = (1 << BIN_BITS) - 1;
  private static final TrackPeaks EMPTY = new TrackPeaks(new int[0]);

  /** (frame << 9 | bin), ascending, distinct. */
  private final int[] packed;

  private TrackPeaks(int[] packed) {
    this.packed = packed;
  }

  /** No peaks. */
  public static TrackPeaks empty() {
    return EMPTY;
  }

  /**
   * The distinct peaks that the landmark pairs of {@code fingerprints} were made from. A peak a
   * hash cannot have come from (outside bins 0..511, or a target past the largest frame) is left
   * out, so fingerprints made by other means never fail here.
   */
  public static TrackPeaks of(Fingerprints fingerprints) {
    int n = fingerprints.size();
    int[] all = new int[2 * n];
    int size = 0;
    for (int i = 0; i < n; i++) {
      int hash = fingerprints.hash(i);
      int frame = fingerprints.frame(i);
      int bin = HashLayout.anchorBin(hash);
      if (valid(frame, bin)) {
        all[size++] = (frame << BIN_BITS) | bin;
      }
      long targetFrame = (long) frame + HashLayout.deltaFrames(hash);
      int targetBin = bin + HashLayout.deltaBins(hash);
      if (targetFrame <= Integer.MAX_VALUE && valid((int) targetFrame, targetBin)) {
        all[size++] = ((int) targetFrame << BIN_BITS) | targetBin;
      }
    }
    return new TrackPeaks(distinctSorted(size == all.length ? all : Arrays.copyOf(all, size)));
  }

  private static boolean valid(int frame, int bin) {
    return frame >= 0 && frame <= (Integer.MAX_VALUE >>> BIN_BITS) && bin >= 0 && bin <= BIN_MASK;
  }

  /**
   * Peaks given as parallel arrays of frames and bins (any order; duplicates are dropped).
   *
   * @throws IllegalArgumentException for a negative frame or a bin outside [0, 511]
   */
  public static TrackPeaks of(int[] frames, int[] bins) {
    if (frames.length != bins.length) {
      throw new IllegalArgumentException("frames and bins differ in length");
    }
    int[] all = new int[frames.length];
    for (int i = 0; i < frames.length; i++) {
      all[i] = pack(frames[i], bins[i]);
    }
    return new TrackPeaks(distinctSorted(all));
  }

  private static int pack(int frame, int bin) {
    if (!valid(frame, bin)) {
      throw new IllegalArgumentException("peak out of range: frame " + frame + ", bin " + bin);
    }
    return (frame << BIN_BITS) | bin;
  }

  private static int[] distinctSorted(int[] all) {
    Arrays.sort(all);
    int n = 0;
    for (int i = 0; i < all.length; i++) {
      if (n == 0 || all[n - 1] != all[i]) {
        all[n++] = all[i];
      }
    }
    return n == all.length ? all : Arrays.copyOf(all, n);
  }

  public int size() {
    return packed.length;
  }

  public int frame(int i) {
    return packed[i] >>> BIN_BITS;
  }

  public int bin(int i) {
    return packed[i] & BIN_MASK;
  }

  /** Index of the first peak at or after {@code frame} ({@link #size()} if none). */
  public int firstAtOrAfter(int frame) {
    if (frame <= 0) {
      return 0;
    }
    if (frame > (Integer.MAX_VALUE >>> BIN_BITS)) {
      return packed.length;
    }
    // The packed peaks are distinct, so a miss's insertion point is the first one after the key.
    int i = Arrays.binarySearch(packed, frame << BIN_BITS);
    return i >= 0 ? i : -i - 1;
  }

  /** The encoded form (see the class comment). */
  public byte[] encode() {
    int binBits = 8;
    long deltaSum = 0;
    int last = 0;
    for (int p : packed) {
      if ((p & BIN_MASK) > 0xff) {
        binBits = 9;
      }
      deltaSum += (p >>> BIN_BITS) - last;
      last = p >>> BIN_BITS;
    }
    int k = riceParameter(deltaSum, packed.length);
    BitWriter out = new BitWriter(8 + packed.length * 2);
    out.varint(packed.length);
    out.bits(binBits, 8);
    out.bits(k, 8);
    last = 0;
    for (int p : packed) {
      int frame = p >>> BIN_BITS;
      int delta = frame - last;
      last = frame;
      for (int q = delta >>> k; q > 0; q--) {
        out.bits(1, 1);
      }
      out.bits(0, 1);
      out.bits(delta & ((1 << k) - 1), k);
      out.bits(p & BIN_MASK, binBits);
    }
    return out.toByteArray();
  }

  /** The Rice parameter for frame distances of this mean: about log2 of the mean. */
  private static int riceParameter(long deltaSum, int count) {
    if (count == 0) {
      return 0;
    }
    double mean = (double) deltaSum / count;
    int k = 0;
    while (k < 20 && (1L << (k + 1)) <= mean * 0.7) {
      k++;
    }
    return k;
  }

  /**
   * Decodes {@link #encode()}'s output.
   *
   * @throws IllegalArgumentException if the bytes are not such output
   */
  public static TrackPeaks decode(byte[] bytes) {
    return decode(bytes, 0, bytes.length);
  }

  /** Decodes {@code length} bytes of {@link #encode()}'s output starting at {@code offset}. */
  public static TrackPeaks decode(byte[] bytes, int offset, int length) {
    BitReader in = new BitReader(bytes, offset, length);
    int count = in.varint();
    int binBits = in.bits(8);
    int k = in.bits(8);
    if (binBits != 8 && binBits != 9) {
      throw new IllegalArgumentException("bad bin width " + binBits);
    }
    if (k > 20) {
      throw new IllegalArgumentException("bad Rice parameter " + k);
    }
    if (count < 0 || (long) count * (1 + k + binBits) > in.remainingBits()) {
      throw new IllegalArgumentException("bad peak count " + count);
    }
    int[] packed = new int[count];
    long frame = 0;
    for (int i = 0; i < count; i++) {
      long q = in.unary(Integer.MAX_VALUE >>> BIN_BITS);
      frame += (q << k) | in.bits(k);
      if (frame > (Integer.MAX_VALUE >>> BIN_BITS)) {
        throw new IllegalArgumentException("frame out of range: " + frame);
      }
      int bin = in.bits(binBits);
      packed[i] = ((int) frame << BIN_BITS) | bin;
      if (i > 0 && packed[i] <= packed[i - 1]) {
        throw new IllegalArgumentException("track peaks out of order");
      }
    }
    if (in.remainingBits() >= 8) {
      throw new IllegalArgumentException((in.remainingBits() / 8) + " bytes after the track peaks");
    }
    return new TrackPeaks(packed);
  }

  /** Writes bits most significant first. */
  private static final class BitWriter {
    private byte[] bytes;
    private long bitPos;

    BitWriter(int capacity) {
      bytes = new byte[Math.max(16, capacity)];
    }

    void varint(int value) {
      int v = value;
      while ((v & ~0x7f) != 0) {
        bits((v & 0x7f) | 0x80, 8);
        v >>>= 7;
      }
      bits(v, 8);
    }

    void bits(int value, int width) {
      for (int b = width - 1; b >= 0; b--) {
        int byteIndex = (int) (bitPos >>> 3);
        if (byteIndex == bytes.length) {
          bytes = Arrays.copyOf(bytes, bytes.length * 2);
        }
        if (((value >>> b) & 1) != 0) {
          bytes[byteIndex] |= (byte) (0x80 >>> (bitPos & 7));
        }
        bitPos++;
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, (int) ((bitPos + 7) >>> 3));
    }
  }

  /**
   * Reads what {@link BitWriter} wrote through a 64-bit window (recognition decodes a candidate's
   * peaks on every query); every read past the end is refused.
   */
  private static final class BitReader {
    private final byte[] bytes;
    private final int end;
    private int next;
    /** Unread bits, left-aligned; bits below {@code windowBits} are zero. */
    private long window;
    private int windowBits;

    BitReader(byte[] bytes, int offset, int length) {
      if (offset < 0 || length < 0 || offset + (long) length > bytes.length) {
        throw new IllegalArgumentException("bad range");
      }
      this.bytes = bytes;
      this.next = offset;
      this.end = offset + length;
    }

    long remainingBits() {
      return windowBits + (end - next) * 8L;
    }

    private void refill() {
      while (windowBits <= 56 && next < end) {
        window |= (long) (bytes[next++] & 0xff) << (56 - windowBits);
        windowBits += 8;
      }
    }

    int varint() {
      int value = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        int b = bits(8);
        value |= (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new IllegalArgumentException("varint too long");
    }

    int bits(int width) {
      if (width == 0) {
        return 0;
      }
      if (windowBits < width) {
        refill();
        if (windowBits < width) {
          throw new IllegalArgumentException("truncated track peaks");
        }
      }
      int value = (int) (window >>> (64 - width));
      window <<= width;
      windowBits -= width;
      return value;
    }

    /** Ones up to and including the closing zero; returns the number of ones, at most {@code max}. */
    long unary(long max) {
      long ones = 0;
      while (true) {
        if (windowBits == 0) {
          refill();
          if (windowBits == 0) {
            throw new IllegalArgumentException("truncated track peaks");
          }
        }
        int run = Long.numberOfLeadingZeros(~window);
        if (run < windowBits) {
          ones += run;
          // A run that fills the window with its closing zero empties it: a long shifted by 64
          // is shifted by 0 in Java, which would leave the consumed bits in place.
          window = run == 63 ? 0 : window << (run + 1);
          windowBits -= run + 1;
          return ones;
        }
        ones += windowBits;
        window = 0;
        windowBits = 0;
        if (ones > max) {
          throw new IllegalArgumentException("bad frame distance");
        }
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrackPeaks p && Arrays.equals(packed, p.packed);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(packed);
  }

  @Override
  public String toString() {
    return "TrackPeaks{" + packed.length + " peaks}";
  }
}
