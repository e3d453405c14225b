package io.tunetrace.core.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The limits every decoder path applies: servable sample rates and a maximum duration. */
@Timeout(60)
class AudioLimitsTest {
  private static final DecoderTools JAVA_ONLY = AudioDecodersTest.JAVA_ONLY;

  private static PcmSource openWav(int rateHz) throws IOException {
    byte[] wav = new WavBuilder().rateHz(rateHz).build(new float[rateHz / 10], 2);
    return AudioDecoders.open(JAVA_ONLY, null, new ByteArrayInputStream(wav), 0);
  }

  @Test
  void aWavHeaderOutsideFourToThreeHundredEightyFourKilohertzIsRefused() {
    for (int rate : new int[] {1, 3_999, 384_001, 9_999_991}) {
      UnsupportedAudioFormatException e =
          assertThrows(UnsupportedAudioFormatException.class, () -> openWav(rate).close());
      assertEquals("WAV: sample rate " + rate + " Hz is not supported (4000-384000 Hz)",
          e.getMessage());
    }
  }

  @Test
  void theEdgesOfTheRangeDecode() throws IOException {
    for (int rate : new int[] {AudioDecoders.MIN_SAMPLE_RATE_HZ, AudioDecoders.MAX_SAMPLE_RATE_HZ}) {
      try (PcmSource s = openWav(rate)) {
        assertEquals(rate, s.sampleRateHz());
        assertEquals(rate / 10, Signals.readAll(s).length);
      }
    }
  }

  /**
   * ffmpeg's output rate is checked as soon as ffmpeg reports it. ffmpeg itself is replaced by a
   * fake that reports the rate a hostile file would make it report (the real one need not be
   * installed for this).
   */
  @Test
  void anFfmpegOutputRateOutsideTheRangeIsRefusedAndTheProcessStopped(@TempDir Path dir)
      throws IOException {
    Path fake = dir.resolve("fake-ffmpeg");
    Files.writeString(fake, String.join("\n",
        "#!/bin/sh",
        "echo '[info]   Stream #0:0: Audio: pcm_f32le, 2000000 Hz, mono, flt, 64000 kb/s' >&2",
        "cat > /dev/null",
        "exec sleep 30",
        ""), StandardCharsets.US_ASCII);
    assertTrue(fake.toFile().setExecutable(true));
    DecoderTools tools = new DecoderTools(false, fake.toString(), "ffprobe", true);
    byte[] ogg = ("OggS" + "x".repeat(200)).getBytes(StandardCharsets.US_ASCII);
    long start = System.nanoTime();
    UnsupportedAudioFormatException e = assertThrows(UnsupportedAudioFormatException.class,
        () -> AudioDecoders.open(tools, null, new ByteArrayInputStream(ogg), 0).close());
    assertEquals("audio: sample rate 2000000 Hz is not supported (4000-384000 Hz)", e.getMessage());
    assertTrue(System.nanoTime() - start < 20_000_000_000L, "waited for the fake ffmpeg to exit");
    long deadline = System.currentTimeMillis() + 5000;
    List<ProcessHandle> left;
    do {
      left = ProcessHandle.current().descendants()
          .filter(p -> p.info().command().map(c -> c.endsWith("sleep")).orElse(false))
          .filter(ProcessHandle::isAlive).toList();
    } while (!left.isEmpty() && System.currentTimeMillis() < deadline);
    assertEquals(List.of(), left, "the fake ffmpeg still runs");
  }

  @Test
  void aDurationLimitStopsDecodingAtTheLimitWithoutReadingTheRest() throws IOException {
    // An endless source: the limit must trip while reading, not at the end.
    PcmSource endless = new PcmSource() {
      @Override
      public int sampleRateHz() {
        return 8000;
      }

      @Override
      public int read(float[] buffer, int offset, int length) {
        return length;
      }

      @Override
      public void close() {}
    };
    try (PcmSource limited = AudioDecoders.limitDuration(endless, 3_600_000)) {
      float[] buf = new float[4096];
      AudioTooLongException e = assertThrows(AudioTooLongException.class, () -> {
        while (true) {
          limited.read(buf, 0, buf.length);
        }
      });
      assertEquals("audio longer than 1 h: decoding stopped there", e.getMessage());
      assertEquals(3_600_000, e.maxMillis());
    }
    try (PcmSource s = AudioDecoders.limitDuration(openWav(8000), 800)) {
      assertEquals(800, Signals.readAll(s).length); // 100 ms: under the limit, all of it
    }
  }

  @Test
  void durationsAreDescribedInTheirLargestUnits() {
    assertEquals("250 ms", AudioTooLongException.describe(250));
    assertEquals("90 s", AudioTooLongException.describe(90_000));
    assertEquals("4 h", AudioTooLongException.describe(4 * 3_600_000));
    assertEquals("1 h 30 min", AudioTooLongException.describe(5_400_000));
  }
}
