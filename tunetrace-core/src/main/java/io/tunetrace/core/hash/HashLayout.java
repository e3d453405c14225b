package io.tunetrace.core.hash;

/**
 * Version 1 of the landmark hash layout (see docs/FINGERPRINT-FORMAT.md), 23 bits in an int:
 *
 * <pre>
 *  bit 31..23  0 (reserved)
 *  bit 22..14  f1: anchor FFT bin, 0..511 (9 bits)
 *  bit 13..6   df: target bin minus anchor bin, plus 128, 1..255 (8 bits)
 *  bit  5..0   dt: target frame minus anchor frame, 1..63 (6 bits)
 * </pre>
 *
 * <p>Thread-safe (stateless).
 */
public final class HashLayout {
  public static final int VERSION = 1;
  public static final int BITS = 23;

  private HashLayout() {}

  public static int encode(int anchorBin, int deltaBins, int deltaFrames) {
    if (anchorBin < 0 || anchorBin > 511) {
      throw new IllegalArgumentException("anchorBin out of [0, 511]: " + anchorBin);
    }
    if (deltaBins < -127 || deltaBins > 127) {
      throw new IllegalArgumentException("deltaBins out of [-127, 127]: " + deltaBins);
    }
    if (deltaFrames < 1 || deltaFrames > 63) {
      throw new IllegalArgumentException("deltaFrames out of [1, 63]: " + deltaFrames);
    }
    return (anchorBin << 14) | ((deltaBins + 128) << 6) | deltaFrames;
  }

  public static int anchorBin(int hash) {
    return (hash >>> 14) & 0x1FF;
  }

  public static int deltaBins(int hash) {
    return ((hash >>> 6) & 0xFF) - 128;
  }

  public static int deltaFrames(int hash) {
    return hash & 0x3F;
  }
}
