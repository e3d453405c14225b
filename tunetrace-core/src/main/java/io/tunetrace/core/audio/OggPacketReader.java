package io.tunetrace.core.audio;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads the packets of the first logical stream of an Ogg file (RFC 3533): checks each page's
 * capture pattern, version, CRC and sequence number, joins packets continued across pages and
 * skips pages of other streams. Stops after the stream's last page (end-of-stream flag), so data
 * after it (other chained streams) is not read.
 *
 * <p>Not thread-safe.
 */
final class OggPacketReader {
  /** The longest packet accepted: a hostile lacing cannot make a packet grow without bound. */
  static final int MAX_PACKET_BYTES = 1 << 22;

  private static final int[] CRC = crcTable();

  private final InputStream in;
  private final byte[] header = new byte[27 + 255];
  private byte[] body = new byte[255 * 255];
  private int segments;
  private int segment;
  private int bodyPos;
  private int lastCompleting;
  private long pageGranule;
  private boolean pageEos;
  private long pageOffset;
  private long nextPageOffset;
  private boolean havePage;

  private long serial;
  private boolean serialKnown;
  private long nextSequence;
  private boolean streamEnded;
  private boolean truncated;

  private byte[] packet = new byte[4096];
  private int packetLength;
  private long packetGranule;
  private boolean packetEndsStream;
  private long packetPageOffset;

  OggPacketReader(InputStream in) {
    this.in = in;
  }

  /** The bytes of the current packet; at least 8 bytes follow its end. */
  byte[] packet() {
    return packet;
  }

  int packetLength() {
    return packetLength;
  }

  /**
   * The granule position of the page the current packet ended on, when it is the last packet to
   * end on that page; -1 otherwise.
   */
  long packetGranule() {
    return packetGranule;
  }

  /** True when the current packet is the last one of the stream (its page has the EOS flag). */
  boolean packetEndsStream() {
    return packetEndsStream;
  }

  /** The file offset of the page the current packet ended on, for error messages. */
  long packetPageOffset() {
    return packetPageOffset;
  }

  /** True when the input ended inside a page or packet (a truncated file). */
  boolean truncated() {
    return truncated;
  }

  /**
   * Reads the next packet of the stream.
   *
   * @return false at the end of the stream (after its last page, or when the input ends)
   * @throws CorruptAudioException on a damaged page
   */
  boolean next() throws IOException {
    return next(false);
  }

  /**
   * Skips the next packet without keeping its bytes (a comment header with cover art can be
   * megabytes); {@link #packet} is then undefined.
   *
   * @return false at the end of the stream
   */
  boolean skip() throws IOException {
    return next(true);
  }

  private boolean next(boolean discard) throws IOException {
    packetLength = 0;
    boolean continuing = false;
    while (true) {
      if (!havePage || segment == segments) {
        if (streamEnded) {
          if (continuing) {
            truncated = true; // the last page ended inside a packet
          }
          return false;
        }
        if (!readPage()) {
          if (continuing) {
            truncated = true;
          }
          return false;
        }
        boolean continued = (header[5] & 1) != 0;
        if (continuing && !continued) {
          throw new CorruptAudioException(
              "OGG: page at byte " + pageOffset + " does not continue the packet before it");
        }
        if (!continuing && continued) {
          skipContinuation(); // the first page of a stream opened mid-packet; drop the tail
        }
      }
      while (segment < segments) {
        int lace = header[27 + segment] & 0xff;
        if (discard) {
          bodyPos += lace;
          segment++;
          if (lace < 255) {
            return true;
          }
          continue;
        }
        if (packetLength + lace > MAX_PACKET_BYTES) {
          throw new CorruptAudioException(
              "OGG: packet longer than " + MAX_PACKET_BYTES + " bytes at byte " + pageOffset);
        }
        if (packet.length < packetLength + lace + 8) {
          packet = Arrays.copyOf(packet, Math.max(packet.length * 2, packetLength + lace + 8));
        }
        System.arraycopy(body, bodyPos, packet, packetLength, lace);
        packetLength += lace;
        bodyPos += lace;
        segment++;
        if (lace < 255) {
          boolean last = segment - 1 == lastCompleting;
          packetGranule = last ? pageGranule : -1;
          packetEndsStream = last && pageEos;
          packetPageOffset = pageOffset;
          return true;
        }
      }
      continuing = true;
    }
  }

  private void skipContinuation() {
    while (segment < segments) {
      int lace = header[27 + segment] & 0xff;
      bodyPos += lace;
      segment++;
      if (lace < 255) {
        return;
      }
    }
  }

  /** Reads the next page of the stream; false at the end of the input. */
  private boolean readPage() throws IOException {
    while (true) {
      pageOffset = nextPageOffset;
      int n = in.readNBytes(header, 0, 27);
      if (n == 0) {
        havePage = false;
        return false;
      }
      if (n < 27) {
        truncated = true;
        havePage = false;
        return false;
      }
      if (header[0] != 'O' || header[1] != 'g' || header[2] != 'g' || header[3] != 'S') {
        throw new CorruptAudioException("OGG: no page at byte " + pageOffset);
      }
      if (header[4] != 0) {
        throw new CorruptAudioException(
            "OGG: page version " + (header[4] & 0xff) + " at byte " + pageOffset);
      }
      int count = header[26] & 0xff;
      if (in.readNBytes(header, 27, count) < count) {
        truncated = true;
        havePage = false;
        return false;
      }
      int bodyBytes = 0;
      for (int i = 0; i < count; i++) {
        bodyBytes += header[27 + i] & 0xff;
      }
      if (in.readNBytes(body, 0, bodyBytes) < bodyBytes) {
        truncated = true;
        havePage = false;
        return false;
      }
      nextPageOffset = pageOffset + 27 + count + bodyBytes;
      long stored = u32(header, 22);
      header[22] = header[23] = header[24] = header[25] = 0;
      int crc = crc(0, header, 0, 27 + count);
      crc = crc(crc, body, 0, bodyBytes);
      if ((crc & 0xffffffffL) != stored) {
        throw new CorruptAudioException("OGG: page CRC mismatch at byte " + pageOffset);
      }
      long pageSerial = u32(header, 14);
      if (!serialKnown) {
        if ((header[5] & 2) == 0) {
          throw new CorruptAudioException("OGG: first page at byte " + pageOffset
              + " does not begin a stream");
        }
        serial = pageSerial;
        serialKnown = true;
        nextSequence = u32(header, 18);
      } else if (pageSerial != serial) {
        continue; // another logical stream multiplexed with ours
      }
      long sequence = u32(header, 18);
      if (sequence != nextSequence) {
        throw new CorruptAudioException(
            "OGG: page " + nextSequence + " missing before byte " + pageOffset);
      }
      nextSequence = (sequence + 1) & 0xffffffffL;
      pageGranule = 0;
      for (int i = 13; i >= 6; i--) {
        pageGranule = (pageGranule << 8) | (header[i] & 0xff);
      }
      pageEos = (header[5] & 4) != 0;
      if (pageEos) {
        streamEnded = true;
      }
      segments = count;
      segment = 0;
      bodyPos = 0;
      lastCompleting = -1;
      for (int i = 0; i < count; i++) {
        if ((header[27 + i] & 0xff) < 255) {
          lastCompleting = i;
        }
      }
      havePage = true;
      return true;
    }
  }

  private static long u32(byte[] b, int off) {
    return (b[off] & 0xffL)
        | (b[off + 1] & 0xffL) << 8
        | (b[off + 2] & 0xffL) << 16
        | (b[off + 3] & 0xffL) << 24;
  }

  private static int crc(int crc, byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      crc = (crc << 8) ^ CRC[((crc >>> 24) ^ b[i]) & 0xff];
    }
    return crc;
  }

  private static int[] crcTable() {
    int[] t = new int[256];
    for (int i = 0; i < 256; i++) {
      int r = i << 24;
      for (int j = 0; j < 8; j++) {
        r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04c11db7 : r << 1;
      }
      t[i] = r;
    }
    return t;
  }
}
