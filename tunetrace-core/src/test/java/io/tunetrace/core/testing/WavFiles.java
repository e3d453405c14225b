package io.tunetrace.core.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes 16-bit mono PCM WAV files for tests. */
public final class WavFiles {
  private WavFiles() {}

  public static Path write(Path file, float[] samples, int sampleRateHz) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(44 + samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + samples.length * 2);
    b.put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16);
    b.putShort((short) 1).putShort((short) 1).putInt(sampleRateHz).putInt(sampleRateHz * 2);
    b.putShort((short) 2).putShort((short) 16);
    b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(samples.length * 2);
    for (float s : samples) {
      b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(s * 32767))));
    }
    Files.write(file, b.array());
    return file;
  }
}
