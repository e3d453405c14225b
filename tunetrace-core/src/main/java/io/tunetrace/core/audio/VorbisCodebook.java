package io.tunetrace.core.audio;

import java.util.Arrays;

/**
 * One Vorbis codebook (Vorbis I, section 3): a canonical Huffman code over its entries and, for
 * lookup types 1 and 2, the vector each entry stands for. Codes up to {@link #FAST_BITS} long are
 * decoded with one table lookup; longer ones, which are rare by construction, by a search.
 *
 * <p>Immutable after construction; {@link #decode} keeps no state.
 */
final class VorbisCodebook {
  static final int FAST_BITS = 10;
  /** Floats the vectors of all codebooks of a stream may hold (16 MB); real streams use < 1%. */
  static final long MAX_VALUES = 1 << 22;
  /** Entries all codebooks of a stream may have together. */
  static final long MAX_ENTRIES = 1 << 21;

  final int dimensions;
  final int entries;
  /** The vectors, {@code dimensions} floats per entry, or null for lookup type 0. */
  final float[] values;

  private final int fastBits;
  /** Indexed by the next fastBits bits: entry << 5 | code length, or -1. */
  private final int[] fast;
  private final int maxLength;
  private final int[] longCodes;
  private final int[] longLengths;
  private final int[] longEntries;

  private VorbisCodebook(int dimensions, int entries, float[] values, byte[] lengths)
      throws CorruptAudioException {
    this.dimensions = dimensions;
    this.entries = entries;
    this.values = values;
    int max = 0;
    int used = 0;
    for (int i = 0; i < entries; i++) {
      if (lengths[i] > 0) {
        max = Math.max(max, lengths[i]);
        used++;
      }
    }
    this.maxLength = max;
    this.fastBits = Math.max(1, Math.min(FAST_BITS, max));
    this.fast = new int[1 << fastBits];
    Arrays.fill(fast, -1);
    int longCount = 0;
    for (int i = 0; i < entries; i++) {
      if (lengths[i] > fastBits) {
        longCount++;
      }
    }
    longCodes = new int[longCount];
    longLengths = new int[longCount];
    longEntries = new int[longCount];
    if (used == 1) {
      // a single codeword: it is read whatever its bits are
      for (int i = 0; i < entries; i++) {
        if (lengths[i] > 0) {
          int len = Math.min(lengths[i], fastBits);
          Arrays.fill(fast, i << 5 | len);
          if (lengths[i] > fastBits) {
            throw new CorruptAudioException("single codeword longer than " + fastBits + " bits");
          }
        }
      }
      return;
    }
    long[] available = new long[33];
    boolean first = true;
    int longIndex = 0;
    for (int i = 0; i < entries; i++) {
      int len = lengths[i];
      if (len == 0) {
        continue;
      }
      long code;
      if (first) {
        first = false;
        code = 0;
        for (int d = 1; d <= len; d++) {
          available[d] = 1L << (32 - d);
        }
      } else {
        int z = len;
        while (z > 0 && available[z] == 0) {
          z--;
        }
        if (z == 0) {
          throw new CorruptAudioException("overspecified Huffman code");
        }
        code = available[z];
        available[z] = 0;
        for (int d = len; d > z; d--) {
          available[d] = code + (1L << (32 - d));
        }
      }
      int reversed = Integer.reverse((int) (code >>> (32 - len))) >>> (32 - len);
      if (len <= fastBits) {
        for (int j = reversed; j < fast.length; j += 1 << len) {
          fast[j] = i << 5 | len;
        }
      } else {
        longCodes[longIndex] = reversed;
        longLengths[longIndex] = len;
        longEntries[longIndex] = i;
        longIndex++;
      }
    }
  }

  /**
   * Reads one codebook from a setup header.
   *
   * @param budget floats and entries still allowed ({@link #MAX_VALUES}, {@link #MAX_ENTRIES} for
   *     the first book); decreased by this book's
   * @throws CorruptAudioException on an invalid book, UnsupportedAudioFormatException when the
   *     vectors would exceed the budget
   */
  static VorbisCodebook read(VorbisBits b, long[] budget) throws CorruptAudioException {
    if (b.bits(24) != 0x564342) {
      throw new CorruptAudioException("codebook sync pattern missing");
    }
    int dimensions = b.bitsInt(16);
    int entries = b.bitsInt(24);
    if (b.ended()) {
      throw new CorruptAudioException("setup header ends in a codebook");
    }
    if (entries == 0 || dimensions == 0) {
      throw new CorruptAudioException(
          "codebook with " + entries + " entries of " + dimensions + " dimensions");
    }
    boolean ordered = b.flag();
    boolean sparse = !ordered && b.flag();
    // every entry takes at least one bit unless the lengths are run-length coded (ordered)
    if (!ordered && entries > b.remaining()) {
      throw new CorruptAudioException("codebook of " + entries + " entries longer than the header");
    }
    if (entries > budget[1]) {
      throw new UnsupportedAudioFormatException("VORBIS: codebooks with more than "
          + MAX_ENTRIES + " entries in all are not decoded in Java");
    }
    budget[1] -= entries;
    byte[] lengths = new byte[entries];
    if (ordered) {
      int entry = 0;
      int length = b.bitsInt(5) + 1;
      while (entry < entries) {
        int count = b.bitsInt(ilog(entries - entry));
        if (length > 32 || count > entries - entry) {
          throw new CorruptAudioException("codebook lengths overflow");
        }
        Arrays.fill(lengths, entry, entry + count, (byte) length);
        entry += count;
        length++;
        if (b.ended()) {
          throw new CorruptAudioException("setup header ends in a codebook");
        }
      }
    } else {
      for (int i = 0; i < entries; i++) {
        if (!sparse || b.flag()) {
          lengths[i] = (byte) (b.bitsInt(5) + 1);
        }
      }
    }
    int lookupType = b.bitsInt(4);
    float[] values = null;
    if (lookupType == 1 || lookupType == 2) {
      float min = float32(b.bitsInt(32));
      float delta = float32(b.bitsInt(32));
      int valueBits = b.bitsInt(4) + 1;
      boolean sequence = b.flag();
      long lookupValues =
          lookupType == 1 ? lookup1Values(entries, dimensions) : (long) entries * dimensions;
      if (lookupValues * valueBits > b.remaining()) {
        throw new CorruptAudioException("codebook of " + lookupValues + " values longer than the"
            + " header");
      }
      long floats = (long) entries * dimensions;
      if (floats > budget[0]) {
        throw new UnsupportedAudioFormatException("VORBIS: codebooks with more than "
            + MAX_VALUES + " vector values in all are not decoded in Java");
      }
      budget[0] -= floats;
      int[] multiplicands = new int[(int) lookupValues];
      for (int i = 0; i < multiplicands.length; i++) {
        multiplicands[i] = b.bitsInt(valueBits);
      }
      values = new float[(int) floats];
      for (int e = 0; e < entries; e++) {
        float last = 0;
        if (lookupType == 1) {
          long divisor = 1;
          for (int d = 0; d < dimensions; d++) {
            int offset = (int) ((e / divisor) % lookupValues);
            float v = multiplicands[offset] * delta + min + last;
            values[e * dimensions + d] = v;
            if (sequence) {
              last = v;
            }
            if (divisor <= entries) {
              divisor *= lookupValues; // beyond entries every further offset is 0
            }
          }
        } else {
          for (int d = 0; d < dimensions; d++) {
            float v = multiplicands[e * dimensions + d] * delta + min + last;
            values[e * dimensions + d] = v;
            if (sequence) {
              last = v;
            }
          }
        }
      }
    } else if (lookupType != 0) {
      throw new CorruptAudioException("codebook lookup type " + lookupType);
    }
    if (b.ended()) {
      throw new CorruptAudioException("setup header ends in a codebook");
    }
    return new VorbisCodebook(dimensions, entries, values, lengths);
  }

  /**
   * Decodes one entry number; -1 at the end of the packet or on a code no entry has.
   */
  int decode(VorbisBits b) {
    int v = fast[(int) b.peek(fastBits)];
    if (v >= 0) {
      return b.skip(v & 31) ? v >>> 5 : -1;
    }
    if (longCodes.length == 0) {
      return -1;
    }
    long p = b.peek(maxLength);
    for (int i = 0; i < longCodes.length; i++) {
      int len = longLengths[i];
      if ((p & ((1L << len) - 1)) == (longCodes[i] & 0xffffffffL)) {
        return b.skip(len) ? longEntries[i] : -1;
      }
    }
    return -1;
  }

  /** The number of bits needed to write {@code v}: ilog in the Vorbis specification. */
  static int ilog(long v) {
    return v <= 0 ? 0 : 64 - Long.numberOfLeadingZeros(v);
  }

  /** The greatest r with r^dimensions at most entries. */
  static long lookup1Values(int entries, int dimensions) {
    long r = (long) Math.floor(Math.exp(Math.log(entries) / dimensions));
    while (pow(r + 1, dimensions) <= entries) {
      r++;
    }
    while (r > 1 && pow(r, dimensions) > entries) {
      r--;
    }
    return Math.max(r, 1);
  }

  private static long pow(long base, int exponent) {
    long p = 1;
    for (int i = 0; i < exponent; i++) {
      p *= base;
      if (p > Integer.MAX_VALUE) {
        return Long.MAX_VALUE;
      }
    }
    return p;
  }

  /** float32_unpack of the specification. */
  static float float32(int x) {
    int mantissa = x & 0x1fffff;
    int exponent = (x >>> 21) & 0x3ff;
    if (x < 0) {
      mantissa = -mantissa;
    }
    return (float) (mantissa * Math.pow(2, exponent - 788));
  }
}
