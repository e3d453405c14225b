package io.tunetrace.core.audio;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds WAV files of any layout for tests: sample format, channels, rate, chunk order, sizes. */
final class WavBuilder {
  enum Sample {
    U8(1, 1),
    S16(2, 1),
    S24(3, 1),
    S32(4, 1),
    F32(4, 3),
    F64(8, 3),
    MULAW(1, 7);

    final int bytes;
    final int tag;

    Sample(int bytes, int tag) {
      this.bytes = bytes;
      this.tag = tag;
    }
  }

  private Sample sample = Sample.S16;
  private int rateHz = 44100;
  private boolean extensible;
  private String riff = "RIFF";
  private Long declaredDataBytes;
  private boolean padOddChunks = true;
  private final List<String> order = new ArrayList<>(List.of("fmt ", "data"));
  private final List<byte[]> extraBodies = new ArrayList<>();
  private final List<String> extraIds = new ArrayList<>();
  private byte[] fmtOverride;

  WavBuilder sample(Sample s) {
    this.sample = s;
    return this;
  }

  WavBuilder rateHz(int hz) {
    this.rateHz = hz;
    return this;
  }

  WavBuilder extensible() {
    this.extensible = true;
    return this;
  }

  WavBuilder rf64() {
    this.riff = "RF64";
    return this;
  }

  /** The data size written in the data chunk header (the real data is still all written). */
  WavBuilder declaredDataBytes(long n) {
    this.declaredDataBytes = n;
    return this;
  }

  WavBuilder noPadding() {
    this.padOddChunks = false;
    return this;
  }

  /** Chunk order, using "fmt ", "data" and ids added with {@link #chunk}. */
  WavBuilder order(String... ids) {
    order.clear();
    order.addAll(List.of(ids));
    return this;
  }

  WavBuilder chunk(String id, byte[] body) {
    extraIds.add(id);
    extraBodies.add(body);
    return this;
  }

  WavBuilder fmt(byte[] body) {
    this.fmtOverride = body;
    return this;
  }

  /** Every channel gets the same signal. */
  byte[] build(float[] mono, int channels) {
    float[][] ch = new float[channels][];
    for (int c = 0; c < channels; c++) {
      ch[c] = mono;
    }
    return build(ch);
  }

  byte[] build(float[][] channels) {
    int nch = channels.length;
    int frames = channels[0].length;
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (int i = 0; i < frames; i++) {
      for (float[] channel : channels) {
        writeSample(data, channel[i]);
      }
    }
    byte[] dataBytes = data.toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(riff.getBytes(StandardCharsets.US_ASCII));
    le32(out, riff.equals("RF64") ? 0xFFFFFFFFL : 0); // RIFF size: patched below
    out.writeBytes("WAVE".getBytes(StandardCharsets.US_ASCII));
    if (riff.equals("RF64")) {
      ByteArrayOutputStream ds64 = new ByteArrayOutputStream();
      le64(ds64, 0);
      le64(ds64, dataBytes.length);
      le64(ds64, frames);
      le32(ds64, 0);
      writeChunk(out, "ds64", ds64.toByteArray(), ds64.size());
    }
    for (String id : order) {
      if (id.equals("fmt ")) {
        byte[] fmt = fmtOverride != null ? fmtOverride : fmtBody(nch);
        writeChunk(out, "fmt ", fmt, fmt.length);
      } else if (id.equals("data")) {
        long declared =
            declaredDataBytes != null
                ? declaredDataBytes
                : riff.equals("RF64") ? 0xFFFFFFFFL : dataBytes.length;
        writeChunk(out, "data", dataBytes, declared);
      } else {
        int k = extraIds.indexOf(id);
        writeChunk(out, id, extraBodies.get(k), extraBodies.get(k).length);
      }
    }
    byte[] b = out.toByteArray();
    if (riff.equals("RIFF")) {
      long size = b.length - 8;
      b[4] = (byte) size;
      b[5] = (byte) (size >> 8);
      b[6] = (byte) (size >> 16);
      b[7] = (byte) (size >> 24);
    }
    return b;
  }

  byte[] fmtBody(int channels) {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    le16(f, extensible ? 0xFFFE : sample.tag);
    le16(f, channels);
    le32(f, rateHz);
    le32(f, (long) rateHz * channels * sample.bytes);
    le16(f, channels * sample.bytes);
    le16(f, sample.bytes * 8);
    if (extensible) {
      le16(f, 22);
      le16(f, sample.bytes * 8);
      le32(f, channels == 1 ? 4 : 3);
      le16(f, sample.tag);
      f.writeBytes(
          new byte[] {
            0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38,
            (byte) 0x9B, 0x71
          });
    } else if (sample.tag != 1) {
      le16(f, 0);
    }
    return f.toByteArray();
  }

  private void writeChunk(ByteArrayOutputStream out, String id, byte[] body, long declared) {
    out.writeBytes(id.getBytes(StandardCharsets.US_ASCII));
    le32(out, declared);
    out.writeBytes(body);
    if ((body.length & 1) != 0 && padOddChunks) {
      out.write(0);
    }
  }

  private void writeSample(ByteArrayOutputStream out, float v) {
    double x = Math.max(-1, Math.min(1, v));
    switch (sample) {
      case U8:
        out.write((int) Math.round(x * 127) + 128);
        break;
      case S16:
        le16(out, (int) Math.round(x * 32767));
        break;
      case S24:
        int s24 = (int) Math.round(x * 8388607);
        out.write(s24);
        out.write(s24 >> 8);
        out.write(s24 >> 16);
        break;
      case S32:
        le32(out, Math.round(x * 2147483647.0));
        break;
      case F32:
        le32(out, Float.floatToIntBits((float) x));
        break;
      case F64:
        le64(out, Double.doubleToLongBits(x));
        break;
      case MULAW:
        out.write(muLaw((int) Math.round(x * 32767)));
        break;
      default:
        throw new AssertionError(sample);
    }
  }

  /** The classic G.711 µ-law compressor. */
  private static int muLaw(int pcm) {
    int sign = pcm < 0 ? 0x80 : 0;
    int m = Math.min(Math.abs(pcm), 32635) + 0x84;
    int exp = 7;
    for (int mask = 0x4000; (m & mask) == 0 && exp > 0; mask >>= 1) {
      exp--;
    }
    int mant = (m >> (exp + 3)) & 0x0F;
    return ~(sign | (exp << 4) | mant) & 0xFF;
  }

  static void le16(ByteArrayOutputStream o, int v) {
    o.write(v);
    o.write(v >> 8);
  }

  static void le32(ByteArrayOutputStream o, long v) {
    o.write((int) v);
    o.write((int) (v >> 8));
    o.write((int) (v >> 16));
    o.write((int) (v >> 24));
  }

  static void le64(ByteArrayOutputStream o, long v) {
    le32(o, v);
    le32(o, v >>> 32);
  }
}
