package io.tunetrace.core.audio;

import static io.tunetrace.core.audio.Signals.readAll;
import static io.tunetrace.core.audio.Signals.sine;
import static io.tunetrace.core.audio.Signals.toneAmplitude;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.audio.WavBuilder.Sample;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WavDecoderTest {
  @TempDir Path dir;

  private static final float[] SINE = sine(1000, 44100, 0.25, 0.5);

  private static float[] decode(byte[] wav) throws IOException {
    try (PcmSource s = AudioDecoders.open(new ByteArrayInputStream(wav))) {
      return readAll(s);
    }
  }

  private static double tolerance(Sample s) {
    switch (s) {
      case U8:
        return 1.0 / 100;
      case MULAW:
        return 0.02;
      case S16:
        return 1.0 / 30000;
      default:
        return 1e-6;
    }
  }

  @ParameterizedTest
  @EnumSource(Sample.class)
  void decodesEverySampleFormatInMonoStereoAndSixChannels(Sample sample) throws IOException {
    for (int channels : new int[] {1, 2, 6}) {
      byte[] wav = new WavBuilder().sample(sample).rateHz(22050).build(SINE, channels);
      try (PcmSource s = AudioDecoders.open(new ByteArrayInputStream(wav))) {
        assertEquals(22050, s.sampleRateHz());
        float[] out = readAll(s);
        assertEquals(SINE.length, out.length, sample + " x" + channels);
        for (int i = 0; i < out.length; i++) {
          assertEquals(SINE[i], out[i], tolerance(sample), sample + " x" + channels + " @" + i);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Sample.class,
      names = {"S16", "S24", "S32", "F32", "F64"})
  void decodesWaveFormatExtensible(Sample sample) throws IOException {
    byte[] wav = new WavBuilder().sample(sample).extensible().build(SINE, 2);
    float[] out = decode(wav);
    assertEquals(SINE.length, out.length);
    assertEquals(0.5, toneAmplitude(out, 1000, 44100), 0.001);
  }

  @Test
  void averagesChannelsToMono() throws IOException {
    float[] silent = new float[SINE.length];
    float[] minus = new float[SINE.length];
    for (int i = 0; i < SINE.length; i++) {
      minus[i] = -SINE[i] / 2;
    }
    byte[] wav = new WavBuilder().sample(Sample.F32).build(new float[][] {SINE, silent, minus});
    float[] out = decode(wav);
    for (int i = 0; i < out.length; i++) {
      assertEquals(SINE[i] / 6, out[i], 1e-6);
    }
  }

  @Test
  void keepsTheFrequencyOfASine() throws IOException {
    float[] tone = sine(440, 8000, 1, 0.8);
    float[] out = decode(new WavBuilder().rateHz(8000).build(tone, 1));
    assertEquals(0.8, toneAmplitude(out, 440, 8000), 0.01);
    assertTrue(toneAmplitude(out, 460, 8000) < 0.01);
  }

  @Test
  void readsChunksInAnyOrderAndSkipsUnknownOddSizedOnes() throws IOException {
    byte[] info = "INFOINAM\5\0\0\0Title\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    byte[] wav =
        new WavBuilder()
            .chunk("LIST", info)
            .chunk("fact", new byte[] {1, 2, 3, 4})
            .chunk("junk", new byte[] {9, 9, 9})
            .order("LIST", "junk", "fmt ", "fact", "junk", "data")
            .build(SINE, 2);
    assertArrayEquals(decode(new WavBuilder().build(SINE, 2)), decode(wav));
  }

  @Test
  void acceptsOddSizedChunksWithoutPadByte() throws IOException {
    byte[] wav =
        new WavBuilder()
            .chunk("junk", new byte[] {9, 9, 9})
            .order("junk", "fmt ", "data")
            .noPadding()
            .build(SINE, 1);
    assertEquals(SINE.length, decode(wav).length);
  }

  @Test
  void readsDataBeforeFmtFromAFileButNotFromAStream() throws IOException {
    byte[] wav =
        new WavBuilder()
            .chunk("LIST", new byte[] {'I', 'N', 'F', 'O'})
            .order("data", "LIST", "fmt ")
            .build(SINE, 2);
    Path file = dir.resolve("late-fmt.wav");
    Files.write(file, wav);
    try (PcmSource s = AudioDecoders.open(file)) {
      assertArrayEquals(decode(new WavBuilder().build(SINE, 2)), readAll(s));
    }
    CorruptAudioException e = assertThrows(CorruptAudioException.class, () -> decode(wav));
    assertEquals("WAV: data chunk before fmt chunk", e.getMessage());
  }

  @Test
  void readsToTheEndWhenTheDataSizeIsZeroOrMinusOneOrTooLarge() throws IOException {
    for (long declared : new long[] {0, 0xFFFFFFFFL, 0xFFFFFFF0L, SINE.length * 2L + 1000}) {
      byte[] wav = new WavBuilder().declaredDataBytes(declared).build(SINE, 1);
      assertEquals(SINE.length, decode(wav).length, "declared " + declared);
    }
  }

  @Test
  void honoursADataSizeSmallerThanTheData() throws IOException {
    byte[] wav = new WavBuilder().declaredDataBytes(2000).build(SINE, 1);
    assertEquals(1000, decode(wav).length);
  }

  @Test
  void dropsAPartialLastFrameOfATruncatedFile() throws IOException {
    byte[] wav = new WavBuilder().sample(Sample.S24).build(SINE, 2);
    byte[] cut = Arrays.copyOf(wav, wav.length - 6 * 100 - 4);
    float[] out = decode(cut);
    assertEquals(SINE.length - 101, out.length);
    assertEquals(SINE[500], out[500], 1e-6);
  }

  @Test
  void aHeaderClaimingFourGigabytesAllocatesNothingBig() throws IOException {
    byte[] wav = new WavBuilder().declaredDataBytes(0xFFFFFFF0L).build(new float[10], 2);
    Runtime rt = Runtime.getRuntime();
    long before = rt.totalMemory() - rt.freeMemory();
    assertEquals(10, decode(wav).length);
    assertTrue(rt.totalMemory() - rt.freeMemory() - before < 64L << 20);
    // an unknown chunk claiming 4 GB is skipped to the end of the input
    byte[] hugeChunk =
        new WavBuilder()
            .chunk("junk", new byte[] {1, 2})
            .order("fmt ", "junk", "data")
            .build(SINE, 1);
    hugeChunk[36 + 4] = (byte) 0xF0; // "junk" size field
    hugeChunk[36 + 5] = (byte) 0xFF;
    hugeChunk[36 + 6] = (byte) 0xFF;
    hugeChunk[36 + 7] = (byte) 0xFF;
    CorruptAudioException e = assertThrows(CorruptAudioException.class, () -> decode(hugeChunk));
    assertEquals("WAV: no data chunk", e.getMessage());
  }

  @Test
  void zeroLengthAudioEndsImmediately() throws IOException {
    byte[] wav = new WavBuilder().build(new float[0], 2);
    try (PcmSource s = AudioDecoders.open(new ByteArrayInputStream(wav))) {
      assertEquals(-1, s.read(new float[100], 0, 100));
    }
  }

  @Test
  void readsRf64WithItsDs64Size() throws IOException {
    byte[] wav = new WavBuilder().rf64().sample(Sample.S24).build(SINE, 2);
    assertEquals(SINE.length, decode(wav).length);
    // the ds64 size is honoured: the same file with trailing garbage after the data
    ByteArrayOutputStream longer = new ByteArrayOutputStream();
    longer.writeBytes(wav);
    longer.writeBytes(new byte[] {'J', 'U', 'N', 'K', 6, 0, 0, 0, 1, 2, 3, 4, 5, 6});
    assertEquals(SINE.length, decode(longer.toByteArray()).length);
  }

  @Test
  void rejectsHostileFormatChunksWithClearMessages() {
    assertHostile(fmt(1, 0, 44100, 4, 16), "WAV: fmt chunk has 0 channels");
    assertHostile(fmt(1, 2, 0, 4, 16), "WAV: bad sample rate: 0 Hz");
    assertHostile(fmt(1, 2, 44100, 65535, 16), "WAV: block align 65535 does not fit 2 channels");
    assertHostile(fmt(1, 2, 44100, 6000, 16), "WAV: bad PCM layout: 16 bits in 3000-byte samples");
    assertHostile(fmt(1, 2, 44100, 0, 16), "WAV: block align 0 does not fit 2 channels");
    assertHostile(fmt(3, 1, 44100, 2, 16), "WAV: bad float layout: 16 bits in 2-byte samples");
    assertHostile(new byte[8], "WAV: fmt chunk too short: 8 bytes");
    UnsupportedAudioFormatException e =
        assertThrows(
            UnsupportedAudioFormatException.class,
            () ->
                AudioDecoders.open(
                    AudioDecodersTest.JAVA_ONLY,
                    null,
                    new ByteArrayInputStream(
                        new WavBuilder().fmt(fmt(2, 1, 8000, 256, 4)).build(new float[10], 1)),
                    0));
    assertEquals(
        "WAV audio with encoding 0x0002 needs ffmpeg, which was not found on PATH: install it"
            + " (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg) or set"
            + " TUNETRACE_FFMPEG",
        e.getMessage());
  }

  @Test
  void rejectsAFileWithoutFmtOrData() {
    byte[] noFmt = Arrays.copyOf(new WavBuilder().build(new float[0], 1), 12);
    assertEquals(
        "WAV: no fmt chunk",
        assertThrows(CorruptAudioException.class, () -> decode(noFmt)).getMessage());
    byte[] noData = new WavBuilder().order("fmt ").build(SINE, 1);
    assertEquals(
        "WAV: no data chunk",
        assertThrows(CorruptAudioException.class, () -> decode(noData)).getMessage());
  }

  private static void assertHostile(byte[] fmt, String message) {
    byte[] wav = new WavBuilder().fmt(fmt).build(new float[10], 2);
    CorruptAudioException e = assertThrows(CorruptAudioException.class, () -> decode(wav));
    assertEquals(message, e.getMessage());
  }

  private static byte[] fmt(int tag, int channels, long rate, int blockAlign, int bits) {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    WavBuilder.le16(f, tag);
    WavBuilder.le16(f, channels);
    WavBuilder.le32(f, rate);
    WavBuilder.le32(f, rate * blockAlign);
    WavBuilder.le16(f, blockAlign);
    WavBuilder.le16(f, bits);
    return f.toByteArray();
  }
}
