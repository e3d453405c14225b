package io.tunetrace.core.audio;

/**
 * Reads a Vorbis packet bit by bit, least significant bit of each byte first (Vorbis I, section
 * 2). Reading past the end sets {@link #ended} and returns zeros: an audio packet may end early
 * (the rest counts as zero), a header may not.
 *
 * <p>Not thread-safe.
 */
final class VorbisBits {
  private byte[] data = new byte[0];
  private long bitLimit;
  private long bitPos;
  private boolean ended;

  /** Reads {@code data[0, length)}; the array must hold at least 8 bytes more (zeros or not). */
  void reset(byte[] data, int length) {
    this.data = data;
    this.bitLimit = 8L * length;
    this.bitPos = 0;
    this.ended = false;
  }

  /** True once a read went past the end of the packet. */
  boolean ended() {
    return ended;
  }

  /** The next {@code n} bits (0 to 32) as an unsigned number, least significant bit first. */
  long bits(int n) {
    if (n == 0) {
      return 0;
    }
    long v = peek(n);
    bitPos += n;
    if (bitPos > bitLimit) {
      ended = true;
      bitPos = bitLimit;
      return 0;
    }
    return v;
  }

  /** {@link #bits} as an int; n at most 31, or 32 for a value taken as signed. */
  int bitsInt(int n) {
    return (int) bits(n);
  }

  boolean flag() {
    return bits(1) != 0;
  }

  /**
   * The next {@code n} bits (1 to 32) without consuming them; bits past the end read as zero.
   */
  long peek(int n) {
    long pos = bitPos;
    int byteIndex = (int) (pos >>> 3);
    int shift = (int) (pos & 7);
    // bytes past the limit come from the array's padding and are masked below
    byte[] d = data;
    long word = (d[byteIndex] & 0xffL)
        | (d[byteIndex + 1] & 0xffL) << 8
        | (d[byteIndex + 2] & 0xffL) << 16
        | (d[byteIndex + 3] & 0xffL) << 24
        | (d[byteIndex + 4] & 0xffL) << 32;
    long v = (word >>> shift) & ((1L << n) - 1);
    long available = bitLimit - pos;
    if (available < n) {
      v &= available <= 0 ? 0 : (1L << available) - 1;
    }
    return v;
  }

  /** Consumes {@code n} bits already peeked; false (and {@link #ended}) if fewer remain. */
  boolean skip(int n) {
    bitPos += n;
    if (bitPos > bitLimit) {
      bitPos = bitLimit;
      ended = true;
      return false;
    }
    return true;
  }

  /** Bits left in the packet. */
  long remaining() {
    return bitLimit - bitPos;
  }
}
