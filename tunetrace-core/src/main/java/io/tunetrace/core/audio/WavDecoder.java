package io.tunetrace.core.audio;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Streaming pure-Java WAV decoder (RIFF, RF64 and BW64): PCM 8 (unsigned), 16, 24 and 32 bits,
 * IEEE float 32/64, G.711 A-law/µ-law, and WAVE_FORMAT_EXTENSIBLE with a PCM or float sub-format;
 * any channel count, averaged to mono; any sample rate. Chunks may come in any order (a data chunk
 * before the fmt chunk only when reading a file), odd-sized chunks are padded (or not), and a
 * wrong data size (0, 0xFFFFFFFF, past the end) reads to the end of the input; a partial last frame
 * is dropped. Memory is bounded by a 16 KB buffer whatever the header claims.
 *
 * <p>Not thread-safe: one reader at a time.
 */
final class WavDecoder implements PcmSource {
  static final int FORMAT_PCM = 1;
  static final int FORMAT_FLOAT = 3;
  static final int FORMAT_ALAW = 6;
  static final int FORMAT_MULAW = 7;
  static final int FORMAT_EXTENSIBLE = 0xFFFE;

  private static final int MAX_CHANNELS = 1024;
  private static final int BUFFER_BYTES = 16 * 1024;
  private static final long UNBOUNDED = Long.MAX_VALUE;

  private enum Encoding {
    U8, S16, S24, S32, F32, F64, ALAW, MULAW
  }

  /** The fields of a fmt chunk that decoding needs. */
  record Format(int channels, int sampleRateHz, int blockAlign, Encoding encoding) {}

  /** Thrown for a well-formed WAV whose codec this decoder does not implement (ffmpeg may). */
  static final class UnsupportedCodecException extends UnsupportedAudioFormatException {
    private final String codec;

    UnsupportedCodecException(String message, String codec) {
      super(message);
      this.codec = codec;
    }

    /** For example {@code encoding 0x0002}. */
    String codec() {
      return codec;
    }
  }

  private final InputStream in;
  private final Format format;
  private final byte[] buf;
  private final int bytesPerSample;
  private final float channelScale;
  private long remainingBytes;
  private boolean eof;
  private boolean closed;

  private WavDecoder(InputStream in, Format format, long dataBytes) {
    this.in = in;
    this.format = format;
    this.bytesPerSample = format.blockAlign / format.channels;
    int frames = Math.max(1, BUFFER_BYTES / format.blockAlign);
    this.buf = new byte[frames * format.blockAlign];
    this.channelScale = 1f / format.channels;
    this.remainingBytes = dataBytes;
  }

  /**
   * Parses the header from {@code in} (positioned at "RIFF") and returns a source positioned at
   * the first sample. The source owns {@code in}. {@code file}, when not null, is the file {@code
   * in} reads, which lets a data chunk come before the fmt chunk.
   */
  static PcmSource open(InputStream in, Path file) throws IOException {
    HeaderReader r = new HeaderReader(in);
    byte[] riff = r.bytes(12, "WAV: truncated header");
    String magic = ascii(riff, 0);
    boolean rf64 = magic.equals("RF64") || magic.equals("BW64");
    if (!(magic.equals("RIFF") || rf64) || !ascii(riff, 8).equals("WAVE")) {
      throw new CorruptAudioException("WAV: not a RIFF/WAVE header");
    }
    Format format = null;
    long ds64DataBytes = -1;
    long earlyDataOffset = -1;
    long earlyDataBytes = -1;
    boolean lastOdd = false;
    while (true) {
      byte[] hdr;
      try {
        hdr = r.chunkHeader(lastOdd);
      } catch (EOFException e) {
        if (format == null) {
          throw new CorruptAudioException("WAV: no fmt chunk");
        }
        throw new CorruptAudioException("WAV: no data chunk");
      }
      String id = ascii(hdr, 0);
      long size = u32(hdr, 4);
      lastOdd = (size & 1) != 0;
      switch (id) {
        case "fmt ":
          if (size < 16) {
            throw new CorruptAudioException("WAV: fmt chunk too short: " + size + " bytes");
          }
          if (size > 4096) {
            throw new CorruptAudioException("WAV: fmt chunk too long: " + size + " bytes");
          }
          format = parseFormat(r.bytes((int) size, "WAV: truncated fmt chunk"));
          break;
        case "ds64":
          if (size < 24 || size > 65536) {
            throw new CorruptAudioException("WAV: bad ds64 chunk size: " + size);
          }
          byte[] ds64 = r.bytes((int) size, "WAV: truncated ds64 chunk");
          ds64DataBytes = s64(ds64, 8);
          break;
        case "data":
          long dataBytes = size;
          if (rf64 && size == 0xFFFFFFFFL && ds64DataBytes >= 0) {
            dataBytes = ds64DataBytes;
          } else if (size == 0 || size == 0xFFFFFFFFL) {
            dataBytes = UNBOUNDED;
          }
          if (format != null) {
            if (earlyDataOffset >= 0) {
              break; // a second data chunk after fmt: keep the first one
            }
            return new WavDecoder(in, format, dataBytes);
          }
          if (file == null || dataBytes == UNBOUNDED) {
            throw new CorruptAudioException("WAV: data chunk before fmt chunk");
          }
          earlyDataOffset = r.position();
          earlyDataBytes = dataBytes;
          lastOdd = (dataBytes & 1) != 0;
          if (!r.skip(dataBytes)) {
            throw new CorruptAudioException("WAV: no fmt chunk");
          }
          continue;
        default:
          if (!r.skip(size)) {
            if (format == null) {
              throw new CorruptAudioException("WAV: no fmt chunk");
            }
            throw new CorruptAudioException("WAV: no data chunk");
          }
          break;
      }
      if (format != null && earlyDataOffset >= 0) {
        in.close();
        InputStream reopened = Files.newInputStream(file);
        try {
          reopened.skipNBytes(earlyDataOffset);
        } catch (IOException | RuntimeException e) {
          reopened.close();
          throw e;
        }
        return new WavDecoder(reopened, format, earlyDataBytes);
      }
    }
  }

  static Format parseFormat(byte[] f) {
    int tag = u16(f, 0);
    int channels = u16(f, 2);
    long rate = u32(f, 4);
    int blockAlign = u16(f, 12);
    int bits = u16(f, 14);
    if (tag == FORMAT_EXTENSIBLE) {
      if (f.length < 40 || u16(f, 16) < 22) {
        throw new CorruptAudioException("WAV: extensible fmt chunk too short: " + f.length + " bytes");
      }
      int sub = u16(f, 24);
      for (int i = 2; i < 16; i++) {
        if (f[24 + i] != KSDATAFORMAT_TAIL[i - 2]) {
          throw new UnsupportedCodecException(
              "WAV: unsupported extensible sub-format", "an unknown extensible sub-format");
        }
      }
      tag = sub;
    }
    if (channels == 0) {
      throw new CorruptAudioException("WAV: fmt chunk has 0 channels");
    }
    if (channels > MAX_CHANNELS) {
      throw new CorruptAudioException("WAV: fmt chunk has " + channels + " channels");
    }
    if (rate == 0) {
      throw new CorruptAudioException("WAV: bad sample rate: 0 Hz");
    }
    AudioDecoders.requireServableRate("WAV", rate);
    if (blockAlign == 0 || blockAlign % channels != 0) {
      throw new CorruptAudioException(
          "WAV: block align " + blockAlign + " does not fit " + channels + " channels");
    }
    int container = blockAlign / channels;
    int need = (bits + 7) / 8;
    Encoding enc;
    switch (tag) {
      case FORMAT_PCM:
        if (bits == 0 || bits > 32 || container < need || container > 4) {
          throw new CorruptAudioException(
              "WAV: bad PCM layout: " + bits + " bits in " + container + "-byte samples");
        }
        enc = container == 1 ? Encoding.U8 : container == 2 ? Encoding.S16
            : container == 3 ? Encoding.S24 : Encoding.S32;
        break;
      case FORMAT_FLOAT:
        if (container == 4 && (bits == 32 || bits == 0)) {
          enc = Encoding.F32;
        } else if (container == 8 && (bits == 64 || bits == 0)) {
          enc = Encoding.F64;
        } else {
          throw new CorruptAudioException(
              "WAV: bad float layout: " + bits + " bits in " + container + "-byte samples");
        }
        break;
      case FORMAT_ALAW:
      case FORMAT_MULAW:
        if (container != 1) {
          throw new CorruptAudioException("WAV: G.711 needs 1-byte samples, not " + container);
        }
        enc = tag == FORMAT_ALAW ? Encoding.ALAW : Encoding.MULAW;
        break;
      default:
        String codec = String.format("encoding 0x%04x", tag);
        throw new UnsupportedCodecException(
            "WAV: unsupported " + codec + " (only PCM, float and G.711)", codec);
    }
    return new Format(channels, (int) rate, blockAlign, enc);
  }

  private static final byte[] KSDATAFORMAT_TAIL = {
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38,
    (byte) 0x9B, 0x71
  };

  @Override
  public int sampleRateHz() {
    return format.sampleRateHz;
  }

  @Override
  public int read(float[] out, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, out.length);
    if (closed) {
      throw new IOException("closed");
    }
    if (length == 0) {
      return 0;
    }
    if (eof || remainingBytes <= 0) {
      eof = true;
      return -1;
    }
    int blockAlign = format.blockAlign;
    int frames = Math.min(length, buf.length / blockAlign);
    int want = (int) Math.min((long) frames * blockAlign, remainingBytes);
    int n = in.readNBytes(buf, 0, want);
    remainingBytes -= n;
    if (n < want) {
      eof = true;
    }
    int got = n / blockAlign;
    if (got == 0) {
      eof = true;
      return -1;
    }
    convert(got, out, offset);
    return got;
  }

  private void convert(int frames, float[] out, int off) {
    byte[] b = buf;
    int ch = format.channels;
    float scale = channelScale;
    switch (format.encoding) {
      case S16:
        if (ch == 1) {
          for (int i = 0, p = 0; i < frames; i++, p += 2) {
            out[off + i] = (short) ((b[p] & 0xff) | (b[p + 1] << 8)) * (1f / 32768f);
          }
        } else if (ch == 2) {
          for (int i = 0, p = 0; i < frames; i++, p += 4) {
            int l = (short) ((b[p] & 0xff) | (b[p + 1] << 8));
            int r = (short) ((b[p + 2] & 0xff) | (b[p + 3] << 8));
            out[off + i] = (l + r) * (1f / 65536f);
          }
        } else {
          for (int i = 0, p = 0; i < frames; i++) {
            int sum = 0;
            for (int c = 0; c < ch; c++, p += 2) {
              sum += (short) ((b[p] & 0xff) | (b[p + 1] << 8));
            }
            out[off + i] = sum * (1f / 32768f) * scale;
          }
        }
        break;
      case U8:
        for (int i = 0, p = 0; i < frames; i++) {
          int sum = 0;
          for (int c = 0; c < ch; c++, p++) {
            sum += (b[p] & 0xff) - 128;
          }
          out[off + i] = sum * (1f / 128f) * scale;
        }
        break;
      case S24:
        for (int i = 0, p = 0; i < frames; i++) {
          float sum = 0;
          for (int c = 0; c < ch; c++, p += 3) {
            sum += ((b[p] & 0xff) << 8 | (b[p + 1] & 0xff) << 16 | b[p + 2] << 24) >> 8;
          }
          out[off + i] = sum * (1f / 8388608f) * scale;
        }
        break;
      case S32:
        for (int i = 0, p = 0; i < frames; i++) {
          double sum = 0;
          for (int c = 0; c < ch; c++, p += 4) {
            sum += int32(b, p);
          }
          out[off + i] = (float) (sum * (1.0 / 2147483648.0) * scale);
        }
        break;
      case F32:
        for (int i = 0, p = 0; i < frames; i++) {
          float sum = 0;
          for (int c = 0; c < ch; c++, p += 4) {
            sum += Float.intBitsToFloat(int32(b, p));
          }
          out[off + i] = clamp(sum * scale);
        }
        break;
      case F64:
        for (int i = 0, p = 0; i < frames; i++) {
          double sum = 0;
          for (int c = 0; c < ch; c++, p += 8) {
            long bits = (int32(b, p) & 0xffffffffL) | ((long) int32(b, p + 4) << 32);
            sum += Double.longBitsToDouble(bits);
          }
          out[off + i] = clamp((float) (sum * scale));
        }
        break;
      case ALAW:
      case MULAW:
        float[] table = format.encoding == Encoding.ALAW ? G711.ALAW : G711.MULAW;
        for (int i = 0, p = 0; i < frames; i++) {
          float sum = 0;
          for (int c = 0; c < ch; c++, p++) {
            sum += table[b[p] & 0xff];
          }
          out[off + i] = sum * scale;
        }
        break;
      default:
        throw new AssertionError(format.encoding);
    }
  }

  private static float clamp(float v) {
    if (v >= -1f && v <= 1f) {
      return v;
    }
    return v > 1f ? 1f : v < -1f ? -1f : 0f; // NaN becomes silence
  }

  private static int int32(byte[] b, int p) {
    return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | b[p + 3] << 24;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    in.close();
  }

  static String ascii(byte[] b, int off) {
    return new String(b, off, 4, StandardCharsets.ISO_8859_1);
  }

  static int u16(byte[] b, int p) {
    return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
  }

  static long u32(byte[] b, int p) {
    return int32(b, p) & 0xffffffffL;
  }

  static long s64(byte[] b, int p) {
    return u32(b, p) | (u32(b, p + 4) << 32);
  }

  /** G.711 expansion tables, scaled to [-1, 1]. */
  private static final class G711 {
    static final float[] ALAW = new float[256];
    static final float[] MULAW = new float[256];

    static {
      for (int i = 0; i < 256; i++) {
        int a = i ^ 0x55;
        int seg = (a & 0x70) >> 4;
        int t = (a & 0x0f) << 4;
        t = seg == 0 ? t + 8 : seg == 1 ? t + 0x108 : (t + 0x108) << (seg - 1);
        ALAW[i] = ((a & 0x80) != 0 ? t : -t) / 32768f;
        int u = ~i & 0xff;
        int m = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
        MULAW[i] = ((u & 0x80) != 0 ? 0x84 - m : m - 0x84) / 32768f;
      }
    }
  }

  /** Reads chunk headers with a position count; never allocates more than it is asked for. */
  private static final class HeaderReader {
    private final InputStream in;
    private long position;

    HeaderReader(InputStream in) {
      this.in = in;
    }

    long position() {
      return position;
    }

    byte[] bytes(int n, String truncated) throws IOException {
      byte[] b = in.readNBytes(n);
      position += b.length;
      if (b.length < n) {
        throw new CorruptAudioException(truncated);
      }
      return b;
    }

    /**
     * Reads an 8-byte chunk header. After an odd-sized chunk the pad byte is skipped, unless it
     * is missing (some writers omit it) and is really the first letter of the next chunk id.
     */
    byte[] chunkHeader(boolean afterOdd) throws IOException {
      byte[] h = new byte[8];
      int start = 0;
      if (afterOdd) {
        int pad = in.read();
        if (pad < 0) {
          throw new EOFException();
        }
        position++;
        if (pad >= 'A' && pad <= 'z') {
          h[0] = (byte) pad;
          start = 1;
        }
      }
      int n = in.readNBytes(h, start, 8 - start);
      position += n;
      if (n < 8 - start) {
        throw new EOFException();
      }
      return h;
    }

    /** Skips {@code n} bytes; false at end of input. */
    boolean skip(long n) throws IOException {
      try {
        in.skipNBytes(n);
        position += n;
        return true;
      } catch (EOFException e) {
        return false;
      }
    }
  }
}
