package io.tunetrace.core.audio;

/**
 * One parsed MPEG audio frame header (MPEG-1, MPEG-2, MPEG-2.5; layers I–III). Only headers with
 * every field valid are accepted: no free-format bitrate, no reserved values.
 *
 * <p>Immutable and thread-safe.
 */
record MpegFrameHeader(int version, int layer, int bitrateKbps, int sampleRateHz, int frameBytes) {
  /** {@code version}: 1 for MPEG-1, 2 for MPEG-2, 25 for MPEG-2.5. */
  static final int MPEG1 = 1;

  static final int MPEG2 = 2;
  static final int MPEG25 = 25;

  private static final int[][] BITRATES_KBPS = {
    // MPEG-1 layer I, II, III
    {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
    {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
    {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
    // MPEG-2 and 2.5 layer I, then II and III
    {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
    {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
  };

  private static final int[][] SAMPLE_RATES_HZ = {
    {44100, 48000, 32000}, // MPEG-1
    {22050, 24000, 16000}, // MPEG-2
    {11025, 12000, 8000}, // MPEG-2.5
  };

  /** A human name such as {@code MPEG-2.5 layer III}. */
  String describe() {
    String v = version == MPEG1 ? "MPEG-1" : version == MPEG2 ? "MPEG-2" : "MPEG-2.5";
    return v + " layer " + "I".repeat(layer);
  }

  /** Parses the four bytes at {@code offset}, or returns null when they are not a valid header. */
  static MpegFrameHeader parse(byte[] b, int offset, int length) {
    if (offset < 0 || offset + 4 > length) {
      return null;
    }
    int h =
        (b[offset] & 0xff) << 24
            | (b[offset + 1] & 0xff) << 16
            | (b[offset + 2] & 0xff) << 8
            | (b[offset + 3] & 0xff);
    if ((h >>> 21) != 0x7ff) {
      return null;
    }
    int versionBits = (h >>> 19) & 3;
    int layerBits = (h >>> 17) & 3;
    int bitrateIndex = (h >>> 12) & 15;
    int rateIndex = (h >>> 10) & 3;
    int padding = (h >>> 9) & 1;
    int emphasis = h & 3;
    if (versionBits == 1 || layerBits == 0 || bitrateIndex == 0 || bitrateIndex == 15
        || rateIndex == 3 || emphasis == 2) {
      return null;
    }
    int version = versionBits == 3 ? MPEG1 : versionBits == 2 ? MPEG2 : MPEG25;
    int layer = 4 - layerBits;
    int table = version == MPEG1 ? layer - 1 : (layer == 1 ? 3 : 4);
    int bitrateKbps = BITRATES_KBPS[table][bitrateIndex];
    int rateHz = SAMPLE_RATES_HZ[version == MPEG1 ? 0 : version == MPEG2 ? 1 : 2][rateIndex];
    int bps = bitrateKbps * 1000;
    int frameBytes;
    if (layer == 1) {
      frameBytes = (12 * bps / rateHz + padding) * 4;
    } else if (layer == 3 && version != MPEG1) {
      frameBytes = 72 * bps / rateHz + padding;
    } else {
      frameBytes = 144 * bps / rateHz + padding;
    }
    return new MpegFrameHeader(version, layer, bitrateKbps, rateHz, frameBytes);
  }

  /** True when {@code next} plausibly belongs to the same stream as this header. */
  boolean sameStreamAs(MpegFrameHeader next) {
    return next != null
        && next.version == version
        && next.layer == layer
        && next.sampleRateHz == sampleRateHz;
  }

  /**
   * Finds the first frame in {@code b[0, length)} that is followed by a consistent second frame
   * header. A frame at offset 0 whose successor lies beyond {@code length} is accepted on its own
   * (the caller saw too few bytes to check). Returns the offset, or -1.
   */
  static int findFirstFrame(byte[] b, int length) {
    for (int i = 0; i + 4 <= length; i++) {
      if ((b[i] & 0xff) != 0xff || (b[i + 1] & 0xe0) != 0xe0) {
        continue;
      }
      MpegFrameHeader first = parse(b, i, length);
      if (first == null) {
        continue;
      }
      int next = i + first.frameBytes;
      if (next + 4 > length) {
        if (i == 0) {
          return 0;
        }
        continue;
      }
      if (first.sameStreamAs(parse(b, next, length))) {
        return i;
      }
    }
    return -1;
  }
}
