package io.tunetrace.core.audio;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Damaged input ends in audio or a library exception: never a crash, a hang or a huge buffer. */
@Timeout(120)
class DecoderFuzzTest {
  private static final DecoderTools JAVA_ONLY = AudioDecodersTest.JAVA_ONLY;

  @Test
  void damagedMp3DecodesOrFailsCleanly() throws IOException {
    byte[] mp3 = AudioDecodersTest.resource(AudioDecodersTest.MP3_44K);
    Random random = new Random(5);
    int failures = 0;
    for (int trial = 0; trial < 60; trial++) {
      byte[] b = mp3.clone();
      int edits = 1 + random.nextInt(40);
      for (int i = 0; i < edits; i++) {
        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      }
      failures += decode(b, JAVA_ONLY) ? 0 : 1;
    }
    assertTrue(failures < 60, "some damaged files still decode");
  }

  @Test
  void damagedWavHeadersDecodeOrFailCleanly() throws IOException {
    byte[] wav =
        new WavBuilder()
            .chunk("LIST", new byte[] {'I', 'N', 'F', 'O', 'I', 'N', 'A', 'M', 2, 0, 0, 0, 'x', 0})
            .order("LIST", "fmt ", "data")
            .sample(WavBuilder.Sample.S24)
            .build(Signals.sine(440, 8000, 0.2, 0.5), 2);
    Random random = new Random(6);
    for (int trial = 0; trial < 2000; trial++) {
      byte[] b = wav.clone();
      int edits = 1 + random.nextInt(4);
      for (int i = 0; i < edits; i++) {
        b[random.nextInt(80)] = (byte) random.nextInt(256);
      }
      decode(b, JAVA_ONLY); // no ffmpeg: this exercises the pure-Java parser only
    }
  }

  /** True when the input decoded, false when it failed with one of the library's exceptions. */
  private static boolean decode(byte[] b, DecoderTools tools) throws IOException {
    try (PcmSource s = AudioDecoders.open(tools, null, new ByteArrayInputStream(b), 0)) {
      float[] buf = new float[4096];
      long total = 0;
      int r;
      while ((r = s.read(buf, 0, buf.length)) > 0) {
        total += r;
        for (int i = 0; i < r; i++) {
          if (!(buf[i] >= -1f && buf[i] <= 1f)) {
            throw new AssertionError("sample out of range: " + buf[i]);
          }
        }
        if (total > 10_000_000) {
          throw new AssertionError("endless output");
        }
      }
      return true;
    } catch (CorruptAudioException | UnsupportedAudioFormatException e) {
      return false;
    }
  }
}
