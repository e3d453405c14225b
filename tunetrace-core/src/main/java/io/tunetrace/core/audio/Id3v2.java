package io.tunetrace.core.audio;

/** ID3v2 tag header helpers. Stateless and thread-safe. */
final class Id3v2 {
  private Id3v2() {}

  /**
   * The total size in bytes of the ID3v2 tag starting at {@code offset} (header, body and footer),
   * or -1 when no valid tag header starts there.
   */
  static long tagBytes(byte[] b, int offset, int length) {
    if (offset + 10 > length
        || b[offset] != 'I'
        || b[offset + 1] != 'D'
        || b[offset + 2] != '3'
        || (b[offset + 3] & 0xff) == 0xff
        || (b[offset + 4] & 0xff) == 0xff) {
      return -1;
    }
    int body = syncsafe(b, offset + 6);
    if (body < 0) {
      return -1;
    }
    boolean footer = (b[offset + 5] & 0x10) != 0;
    return 10L + body + (footer ? 10 : 0);
  }

  /** Decodes a 28-bit syncsafe integer (4 bytes of 7 bits), or -1 when a high bit is set. */
  static int syncsafe(byte[] b, int offset) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      int x = b[offset + i] & 0xff;
      if ((x & 0x80) != 0) {
        return -1;
      }
      v = (v << 7) | x;
    }
    return v;
  }
}
