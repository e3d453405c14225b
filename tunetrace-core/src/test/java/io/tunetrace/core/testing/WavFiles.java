package io.tunetrace.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes 16-bit mono PCM WAV files for tests. */
public final class WavFiles {
  private WavFiles() {}

  public static Path write(Path file, float[] samples, int sampleRateHz) throws IOException {
    Files.write(file, wav(samples, sampleRateHz, new byte[0]));
    return file;
  }

  /**
   * As {@link #write} with a LIST/INFO chunk after the audio holding the title (INAM) and artist
   * (IART): the same samples under other tags give other bytes.
   */
  public static Path writeTagged(Path file, float[] samples, int sampleRateHz, String title,
      String artist) throws IOException {
    ByteArrayOutputStream info = new ByteArrayOutputStream();
    info.writeBytes("INFO".getBytes(StandardCharsets.US_ASCII));
    for (String[] kv : new String[][] {{"INAM", title}, {"IART", artist}}) {
      byte[] text = (kv[1] + "\0").getBytes(StandardCharsets.UTF_8);
      info.writeBytes(kv[0].getBytes(StandardCharsets.US_ASCII));
      info.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(text.length)
          .array());
      info.writeBytes(text);
      if (text.length % 2 == 1) {
        info.write(0);
      }
    }
    byte[] body = info.toByteArray();
    ByteBuffer list = ByteBuffer.allocate(8 + body.length).order(ByteOrder.LITTLE_ENDIAN);
    list.put("LIST".getBytes(StandardCharsets.US_ASCII)).putInt(body.length).put(body);
    Files.write(file, wav(samples, sampleRateHz, list.array()));
    return file;
  }

  private static byte[] wav(float[] samples, int sampleRateHz, byte[] trailingChunks) {
    int data = samples.length * 2;
    ByteBuffer b = ByteBuffer.allocate(44 + data + trailingChunks.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + data + trailingChunks.length);
    b.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
    b.putShort((short) 1).putShort((short) 1).putInt(sampleRateHz).putInt(sampleRateHz * 2);
    b.putShort((short) 2).putShort((short) 16);
    b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(data);
    for (float s : samples) {
      b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(s * 32767))));
    }
    b.put(trailingChunks);
    return b.array();
  }
}
