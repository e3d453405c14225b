package io.tunetrace.core.audio;

import static io.tunetrace.core.audio.Signals.readAll;
import static io.tunetrace.core.audio.Signals.toneAmplitude;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class AudioDecodersTest {
  static final String MP3_44K = "/audio/sine-1000hz-44100-mono-64k.mp3";
  static final String MP3_8K = "/audio/sine-440hz-8000-mono-32k.mp3";

  @TempDir Path dir;

  static byte[] resource(String name) throws IOException {
    try (InputStream in = AudioDecodersTest.class.getResourceAsStream(name)) {
      assertNotNull(in, name);
      return in.readAllBytes();
    }
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  private static AudioContainer sniff(String ascii) {
    byte[] b = ascii.getBytes(StandardCharsets.ISO_8859_1);
    return AudioDecoders.sniff(b, b.length);
  }

  // ---- sniffing ----------------------------------------------------------------------------

  @Test
  void sniffsEveryContainerByMagicBytes() throws IOException {
    assertEquals(AudioContainer.WAV, sniff("RIFF\0\0\0\0WAVEfmt "));
    assertEquals(AudioContainer.WAV, sniff("RF64\377\377\377\377WAVEds64"));
    assertEquals(AudioContainer.UNKNOWN, sniff("RIFF\0\0\0\0AVI LIST"));
    assertEquals(AudioContainer.OGG, sniff("OggS\0\2\0\0"));
    assertEquals(AudioContainer.FLAC, sniff("fLaC\0\0\0\42"));
    assertEquals(AudioContainer.MP4, sniff("\0\0\0\40ftypM4A \0\0\0\0"));
    assertEquals(AudioContainer.WEBM, sniff("\32\105\337\243\237\102\206\201"));
    assertEquals(AudioContainer.AIFF, sniff("FORM\0\0\0\0AIFFCOMM"));
    assertEquals(AudioContainer.AIFF, sniff("FORM\0\0\0\0AIFCFVER"));
    assertEquals(AudioContainer.MP3, sniff("ID3\3\0\0\0\0\1\0TIT2"));
    byte[] mp3 = resource(MP3_44K);
    assertEquals(AudioContainer.MP3, AudioDecoders.sniff(mp3, 4096));
    assertEquals(AudioContainer.MP3, AudioDecoders.sniff(resource(MP3_8K), 4096));
    assertEquals(AudioContainer.MP3, AudioDecoders.sniff(mp3, 16)); // too short to check a second frame
    assertEquals(AudioContainer.UNKNOWN, sniff("<html><body>hi</body></html>"));
    assertEquals(AudioContainer.UNKNOWN, AudioDecoders.sniff(new byte[0], 0));
  }

  @Test
  void randomBytesWithAnAccidentalFrameSyncAreNotMp3() {
    Random random = new Random(42);
    for (int trial = 0; trial < 200; trial++) {
      byte[] b = new byte[4096];
      random.nextBytes(b);
      // a valid MPEG-1 layer III header at 100, with no second frame where it should be
      b[100] = (byte) 0xFF;
      b[101] = (byte) 0xFB;
      b[102] = (byte) 0x50;
      b[103] = (byte) 0xC4;
      b[100 + 208] = 0;
      if (b[0] == (byte) 0xFF) {
        b[0] = 0; // offset 0 is trusted on one header when the head is short; not here
      }
      assertEquals(AudioContainer.UNKNOWN, AudioDecoders.sniff(b, b.length), "trial " + trial);
    }
  }

  // ---- bad input ---------------------------------------------------------------------------

  @Test
  void rejectsAnEmptyFile() throws IOException {
    Path empty = write("empty.wav", new byte[0]);
    UnsupportedAudioFormatException e =
        assertThrows(UnsupportedAudioFormatException.class, () -> AudioDecoders.open(empty));
    assertEquals("not audio: empty input", e.getMessage());
  }

  @Test
  void rejectsATextFileNamedLikeAnMp3() throws IOException {
    Path song = write("song.mp3", "<html><body>not found</body></html>\n".getBytes(StandardCharsets.UTF_8));
    UnsupportedAudioFormatException e =
        assertThrows(UnsupportedAudioFormatException.class, () -> AudioDecoders.open(song));
    assertEquals("not audio: unrecognized format (first bytes 3c 68 74 6d)", e.getMessage());
  }

  @Test
  void rejectsRandomBytesAndClosesTheStream() {
    byte[] b = new byte[10000];
    new Random(7).nextBytes(b);
    b[0] = 0x12;
    b[1] = 0x34;
    b[2] = 0x56;
    b[3] = 0x78;
    AtomicBoolean closed = new AtomicBoolean();
    InputStream in =
        new ByteArrayInputStream(b) {
          @Override
          public void close() {
            closed.set(true);
          }
        };
    UnsupportedAudioFormatException e =
        assertThrows(UnsupportedAudioFormatException.class, () -> AudioDecoders.open(in));
    assertEquals("not audio: unrecognized format (first bytes 12 34 56 78)", e.getMessage());
    assertTrue(closed.get());
  }

  @Test
  void rejectsANegativePreferredRate() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AudioDecoders.open(new ByteArrayInputStream(new byte[0]), -1));
    assertEquals("preferredRateHz < 0: -1", e.getMessage());
  }

  @Test
  void opensAWavStreamWithoutLosingTheSniffedBytesAndClosesIt() throws IOException {
    float[] tone = Signals.sine(1000, 16000, 0.5, 0.5);
    byte[] wav = new WavBuilder().rateHz(16000).build(tone, 1);
    AtomicBoolean closed = new AtomicBoolean();
    InputStream in =
        new ByteArrayInputStream(wav) {
          @Override
          public void close() {
            closed.set(true);
          }
        };
    try (PcmSource s = AudioDecoders.open(in, 8000)) {
      assertEquals(16000, s.sampleRateHz()); // pure Java: native rate
      float[] out = readAll(s);
      assertEquals(tone.length, out.length);
      assertEquals(tone[1], out[1], 1e-4);
    }
    assertTrue(closed.get());
  }

  // ---- MP3 ---------------------------------------------------------------------------------

  /** The pure-Java decoder only, as on a machine without ffmpeg. */
  static final DecoderTools JAVA_ONLY = new DecoderTools(true, "no-such-ffmpeg-on-path", "ffprobe", false);

  @Test
  void decodesMpeg1Mp3InPureJavaWithoutFfmpeg() throws IOException {
    Path file = write("a.bin", resource(MP3_44K));
    // 16 kHz wanted: half the native rate is enough; the native rate when asked for
    for (int[] wantedAndOut : new int[][] {{16000, 22050}, {0, 44100}}) {
      int rate = wantedAndOut[1];
      try (PcmSource s = AudioDecoders.open(JAVA_ONLY, file, null, wantedAndOut[0])) {
        assertEquals(rate, s.sampleRateHz());
        assertEquals("Layer3Decoder", ((FfmpegFallbackSource) s).current().getClass().getSimpleName());
        float[] out = readAll(s);
        assertEquals(2.0, out.length / (double) rate, 0.1);
        assertEquals(0.125, toneAmplitude(out, 1000, rate), 0.01); // lavfi sine: amplitude 1/8
        assertTrue(toneAmplitude(out, 1100, rate) < 0.002);
      }
    }
  }

  @Test
  void decodesMpeg1Mp3InJavaAtAReducedRateAndInFfmpegAtItsNativeRate() throws IOException {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    Path mp3 = write("a.mp3", resource(MP3_44K));
    try (PcmSource s = AudioDecoders.open(mp3, 16000)) {
      assertEquals("Layer3Decoder", ((FfmpegFallbackSource) s).current().getClass().getSimpleName());
      assertEquals(22050, s.sampleRateHz());
      float[] out = readAll(s);
      assertEquals(2.0, out.length / 22050.0, 0.1);
      assertEquals(0.125, toneAmplitude(out, 1000, 22050), 0.01);
    }
    try (PcmSource s = AudioDecoders.open(mp3, 0)) {
      assertEquals("FfmpegDecoder", s.getClass().getSimpleName());
      assertEquals(44100, s.sampleRateHz());
      assertEquals(0.125, toneAmplitude(readAll(s), 1000, 44100), 0.01);
    }
  }

  @Test
  void decodesMp3FromAStreamWithAnId3TagAndAnId3v1Trailer() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(AudioTagsTest.id3v23("Tone", "Synth", "Tests", 300));
    b.writeBytes(resource(MP3_44K));
    b.writeBytes(AudioTagsTest.id3v1("Tone", "Synth", "Tests"));
    boolean ffmpeg = Signals.ffmpegAvailable();
    for (DecoderTools tools : ffmpeg ? List.of(JAVA_ONLY, DecoderTools.fromEnvironment()) : List.of(JAVA_ONLY)) {
      try (PcmSource s =
          AudioDecoders.open(tools, null, new ByteArrayInputStream(b.toByteArray()), 0)) {
        float[] out = readAll(s);
        assertEquals(2.0, out.length / 44100.0, 0.1);
        assertEquals(0.125, toneAmplitude(out, 1000, 44100), 0.01);
      }
    }
  }

  /** An ffmpeg that records each start in {@code calls} and then runs the real one. */
  private DecoderTools recordingFfmpeg(Path calls) throws IOException {
    Path script = dir.resolve("ffmpeg-recorder");
    Files.writeString(script, "#!/bin/sh\necho \"$*\" >> '" + calls + "'\nexec ffmpeg \"$@\"\n");
    assertTrue(script.toFile().setExecutable(true));
    return new DecoderTools(true, script.toString(), "ffprobe", true);
  }

  @Test
  void decodesMpeg25PhoneMp3InJavaWithoutStartingFfmpeg() throws IOException {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    Path calls = dir.resolve("calls");
    DecoderTools tools = recordingFfmpeg(calls);
    Path phone = write("phone.mp3", resource(MP3_8K));
    try (PcmSource s = AudioDecoders.open(tools, phone, null, 16000)) {
      assertEquals(8000, s.sampleRateHz()); // native rate: the caller resamples
      assertEquals("Layer3Decoder", ((FfmpegFallbackSource) s).current().getClass().getSimpleName());
      float[] out = readAll(s);
      assertEquals(44 * 576, out.length);
      assertEquals(0.1187, toneAmplitude(out, 440, 8000), 0.002);
    }
    try (PcmSource s =
        AudioDecoders.open(tools, null, new ByteArrayInputStream(resource(MP3_8K)), 16000)) {
      assertEquals("Layer3Decoder", ((FfmpegFallbackSource) s).current().getClass().getSimpleName());
      assertEquals(44 * 576, readAll(s).length);
    }
    // MPEG-1 for an 8 kHz analysis: in Java at a quarter of its rate
    try (PcmSource s = AudioDecoders.open(tools, write("a.mp3", resource(MP3_44K)), null, 8000)) {
      assertEquals(11025, s.sampleRateHz());
      assertEquals("Layer3Decoder", ((FfmpegFallbackSource) s).current().getClass().getSimpleName());
      readAll(s);
    }
    assertTrue(Files.notExists(calls), "ffmpeg was started");
    // the recorder works: MPEG-1 at its native rate still goes to ffmpeg first
    try (PcmSource s = AudioDecoders.open(tools, write("a.mp3", resource(MP3_44K)), null, 0)) {
      assertEquals("FfmpegDecoder", s.getClass().getSimpleName());
      readAll(s);
    }
    assertEquals(1, Files.readAllLines(calls).size());
  }

  /** Sets {@code count} bits at bit {@code offset} of {@code b} (most significant first). */
  static void setBits(byte[] b, int offset, int count, int value) {
    for (int i = 0; i < count; i++) {
      int bit = (value >>> (count - 1 - i)) & 1;
      int p = offset + i;
      b[p >>> 3] = (byte) ((b[p >>> 3] & ~(0x80 >>> (p & 7))) | (bit << (7 - (p & 7))));
    }
  }

  /** Byte offsets of the frames of an MP3 that starts with a frame. */
  static List<Integer> frameOffsets(byte[] mp3) {
    List<Integer> offsets = new java.util.ArrayList<>();
    MpegFrameHeader h;
    int p = 0;
    while ((h = MpegFrameHeader.parse(mp3, p, mp3.length)) != null) {
      offsets.add(p);
      p += h.frameBytes();
    }
    return offsets;
  }

  /** The phone MP3 (mono MPEG-2.5, no CRC) with big_values 511 in frame {@code frame}. */
  static byte[] phoneMp3WithBadFrame(int frame) throws IOException {
    byte[] mp3 = resource(MP3_8K);
    int at = frameOffsets(mp3).get(frame);
    // side information after the 4-byte header: main_data_begin 8, private 1, part2_3_length 12
    setBits(mp3, (at + 4) * 8 + 21, 9, 511);
    return mp3;
  }

  @Test
  void reportsACorruptPhoneFrameByItsByteOffsetWhenFfmpegIsMissing() throws IOException {
    byte[] bad = phoneMp3WithBadFrame(20);
    int at = frameOffsets(bad).get(20);
    byte[] tag = AudioTagsTest.id3v23("Call", "Caller", "Calls", 0);
    ByteArrayOutputStream tagged = new ByteArrayOutputStream();
    tagged.writeBytes(tag);
    tagged.writeBytes(bad);
    try (PcmSource s =
        AudioDecoders.open(JAVA_ONLY, write("bad.mp3", tagged.toByteArray()), null, 0)) {
      CorruptAudioException e = assertThrows(CorruptAudioException.class, () -> readAll(s));
      assertEquals(
          "MP3: corrupt MPEG-2.5 layer III frame at byte " + (tag.length + at)
              + ": big_values 511 > 288",
          e.getMessage());
    }
    CorruptAudioException e =
        assertThrows(
            CorruptAudioException.class,
            () -> AudioDecoders.open(JAVA_ONLY, null, new ByteArrayInputStream(phoneMp3WithBadFrame(0)), 0));
    assertEquals("MP3: corrupt MPEG-2.5 layer III frame at byte 0: big_values 511 > 288", e.getMessage());
  }

  @Test
  void switchesAFileToFfmpegWhenALaterFrameIsCorrupt() throws Exception {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    Path bad = write("bad.mp3", phoneMp3WithBadFrame(20));
    float[] clean;
    try (PcmSource s = AudioDecoders.open(JAVA_ONLY, write("good.mp3", resource(MP3_8K)), null, 0)) {
      clean = readAll(s);
    }
    float[] ffmpegOnly = Layer3DecoderTest.ffmpegDecode(bad, 1);
    try (PcmSource s = AudioDecoders.open(DecoderTools.fromEnvironment(), bad, null, 0)) {
      FfmpegFallbackSource fallback = (FfmpegFallbackSource) s;
      assertEquals("Layer3Decoder", fallback.current().getClass().getSimpleName());
      float[] out = readAll(s);
      assertEquals("FfmpegDecoder", fallback.current().getClass().getSimpleName());
      assertEquals(ffmpegOnly.length, out.length);
      // Java's samples up to the bad frame, then ffmpeg's from the same sample on
      for (int i = 0; i < 19 * 576; i++) {
        assertEquals(clean[i], out[i], 0f, "sample " + i);
      }
      for (int i = 21 * 576; i < out.length; i++) {
        assertEquals(ffmpegOnly[i], out[i], 1e-4f, "sample " + i);
      }
    }
  }

  @Test
  void switchesAStreamToFfmpegWhenALaterFrameIsCorrupt() throws Exception {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    byte[] bad = phoneMp3WithBadFrame(30);
    float[] clean;
    try (PcmSource s = AudioDecoders.open(JAVA_ONLY, null, new ByteArrayInputStream(resource(MP3_8K)), 0)) {
      clean = readAll(s);
    }
    float[] ffmpegOnly = Layer3DecoderTest.ffmpegDecode(write("bad.mp3", bad), 1);
    AtomicBoolean closed = new AtomicBoolean();
    InputStream upload =
        new java.io.FilterInputStream(new ByteArrayInputStream(bad)) {
          @Override
          public void close() throws IOException {
            closed.set(true);
            super.close();
          }
        };
    try (PcmSource s = AudioDecoders.open(DecoderTools.fromEnvironment(), null, upload, 0)) {
      FfmpegFallbackSource fallback = (FfmpegFallbackSource) s;
      float[] out = readAll(s);
      assertEquals("FfmpegDecoder", fallback.current().getClass().getSimpleName());
      assertEquals(ffmpegOnly.length, out.length);
      for (int i = 0; i < 29 * 576; i++) {
        assertEquals(clean[i], out[i], 0f, "sample " + i);
      }
      for (int i = 31 * 576; i < out.length; i++) {
        assertEquals(ffmpegOnly[i], out[i], 1e-4f, "sample " + i);
      }
    }
    assertTrue(closed.get(), "the upload stream was not closed");
  }

  @Test
  void switchesAReducedRateMpeg1FileToFfmpegAtTheSameRateWhenALaterFrameIsCorrupt()
      throws Exception {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    byte[] mp3 = resource(MP3_44K);
    List<Integer> frames = frameOffsets(mp3);
    int bad = 40;
    int at = frames.get(bad);
    assertEquals(1, mp3[at + 1] & 1, "no CRC");
    // MPEG-1 mono side information: main_data_begin 9, private 5, scfsi 4, part2_3_length 12
    setBits(mp3, (at + 4) * 8 + 30, 9, 511);
    float[] clean;
    Path good = write("good.mp3", resource(MP3_44K));
    try (PcmSource s = AudioDecoders.open(JAVA_ONLY, good, null, 8000)) {
      clean = readAll(s);
    }
    Path badFile = write("bad.mp3", mp3);
    float[] ffmpegOnly;
    DecoderTools tools = DecoderTools.fromEnvironment();
    try (PcmSource s = FfmpegDecoder.open(tools, "MP3", badFile, null, 11025)) {
      ffmpegOnly = readAll(s);
    }
    try (PcmSource s = AudioDecoders.open(tools, badFile, null, 8000)) {
      FfmpegFallbackSource fallback = (FfmpegFallbackSource) s;
      assertEquals(11025, s.sampleRateHz());
      float[] out = readAll(s);
      assertEquals("FfmpegDecoder", fallback.current().getClass().getSimpleName());
      assertEquals(ffmpegOnly.length, out.length);
      // Java's samples up to the bad frame (the first frame is the LAME tag), then ffmpeg's, at
      // 11,025 Hz too, from the same sample on
      for (int i = 0; i < (bad - 2) * 288; i++) {
        assertEquals(clean[i], out[i], 0f, "sample " + i);
      }
      for (int i = bad * 288; i < out.length; i++) {
        assertEquals(ffmpegOnly[i], out[i], 1e-4f, "sample " + i);
      }
      assertEquals(0.125, toneAmplitude(out, bad * 288, out.length - 2000, 1000, 11025), 0.01);
    }
  }

  @Test
  void givesAStreamToFfmpegWhenItsFirstFrameIsCorrupt() throws Exception {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    try (PcmSource s =
        AudioDecoders.open(
            DecoderTools.fromEnvironment(), null, new ByteArrayInputStream(phoneMp3WithBadFrame(0)), 0)) {
      assertEquals("FfmpegDecoder", s.getClass().getSimpleName());
      assertEquals(8000, s.sampleRateHz());
      float[] out = readAll(s);
      assertEquals(0.1187, toneAmplitude(out, 440, 8000), 0.002);
    }
  }

  @Test
  void rejectsAPhoneMp3CutInsideItsFirstFrame() throws IOException {
    byte[] mp3 = resource(MP3_8K);
    int second = frameOffsets(mp3).get(1);
    for (int cut : new int[] {4, 5, second / 2, second - 1}) {
      CorruptAudioException e =
          assertThrows(
              CorruptAudioException.class,
              () -> AudioDecoders.open(JAVA_ONLY, null, new ByteArrayInputStream(Arrays.copyOf(mp3, cut)), 0),
              "cut at " + cut);
      assertEquals("MP3: truncated in the first frame", e.getMessage(), "cut at " + cut);
    }
    // a cut after the first frame keeps the whole frames before it
    for (int frames : new int[] {1, 2, 30}) {
      int cut = frameOffsets(mp3).get(frames) + 7;
      try (PcmSource s =
          AudioDecoders.open(JAVA_ONLY, null, new ByteArrayInputStream(Arrays.copyOf(mp3, cut)), 0)) {
        assertEquals(frames * 576, readAll(s).length, "cut at " + cut);
      }
    }
  }

  @Test
  void decodesMp3ThroughFfmpegWithoutThePureJavaDecoder() throws IOException {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    DecoderTools noJava = new DecoderTools(false, "ffmpeg", "ffprobe", false);
    try (PcmSource s =
        AudioDecoders.open(noJava, null, new ByteArrayInputStream(resource(MP3_44K)), 0)) {
      assertEquals("FfmpegDecoder", s.getClass().getSimpleName());
      float[] out = readAll(s);
      assertEquals(0.125, toneAmplitude(out, 1000, 44100), 0.01);
    }
  }

  @Test
  void saysWhatToInstallWhenNoMp3DecoderIsAvailable() throws IOException {
    DecoderTools none = new DecoderTools(false, "/nonexistent/ffmpeg", "ffprobe", true);
    // layer III needs neither
    try (PcmSource s =
        AudioDecoders.open(none, null, new ByteArrayInputStream(resource(MP3_44K)), 0)) {
      assertEquals(44100, s.sampleRateHz());
      assertEquals(0.125, toneAmplitude(readAll(s), 1000, 44100), 0.01);
    }
    // MPEG-1 layer II (128 kbps, 44.1 kHz, mono): ffmpeg or javamp3
    byte[] mpeg1Layer2 = new byte[10 * 417];
    for (int f = 0; f < 10; f++) {
      mpeg1Layer2[f * 417] = (byte) 0xFF;
      mpeg1Layer2[f * 417 + 1] = (byte) 0xFD;
      mpeg1Layer2[f * 417 + 2] = (byte) 0x80;
      mpeg1Layer2[f * 417 + 3] = (byte) 0xC0;
    }
    assertEquals(417, MpegFrameHeader.parse(mpeg1Layer2, 0, 4).frameBytes());
    UnsupportedAudioFormatException e =
        assertThrows(
            UnsupportedAudioFormatException.class,
            () -> AudioDecoders.open(none, null, new ByteArrayInputStream(mpeg1Layer2), 0));
    assertEquals(
        "MP3 audio without the optional decoder fr.delthas:javamp3:1.0.1 needs ffmpeg, which was"
            + " not found at /nonexistent/ffmpeg: install it (Debian/Ubuntu: apt-get install"
            + " ffmpeg; macOS: brew install ffmpeg) or set TUNETRACE_FFMPEG, or add"
            + " fr.delthas:javamp3:1.0.1 to the class path",
        e.getMessage());
    // MPEG-2 layer II (64 kbps, 24 kHz, mono): only ffmpeg decodes it
    byte[] layer2 = new byte[10 * 384];
    for (int f = 0; f < 10; f++) {
      layer2[f * 384] = (byte) 0xFF;
      layer2[f * 384 + 1] = (byte) 0xF5;
      layer2[f * 384 + 2] = (byte) 0x84;
      layer2[f * 384 + 3] = (byte) 0xC0;
    }
    e =
        assertThrows(
            UnsupportedAudioFormatException.class,
            () -> AudioDecoders.open(JAVA_ONLY, write("p.mp2", layer2), null, 0));
    assertEquals(
        "MP3 audio at 24000 Hz (MPEG-2 layer II) needs ffmpeg, which was not found on PATH:"
            + " install it (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg) or"
            + " set TUNETRACE_FFMPEG",
        e.getMessage());
  }

  @Test
  void decodesWhatIsThereOfATruncatedMp3() throws IOException {
    byte[] mp3 = resource(MP3_44K);
    boolean ffmpeg = Signals.ffmpegAvailable();
    for (DecoderTools tools : ffmpeg ? List.of(JAVA_ONLY, DecoderTools.fromEnvironment()) : List.of(JAVA_ONLY)) {
      for (int cut : new int[] {5000, 5001, 9999, mp3.length - 1}) {
        float[] out;
        try (PcmSource s =
            AudioDecoders.open(tools, null, new ByteArrayInputStream(Arrays.copyOf(mp3, cut)), 0)) {
          out = readAll(s);
        }
        double expected = 2.0 * cut / mp3.length;
        assertEquals(expected, out.length / 44100.0, 0.1, tools + " cut at " + cut);
      }
    }
  }

  @Test
  void rejectsAnId3TagWithNothingAfterIt() {
    byte[] tagOnly = AudioTagsTest.id3v23("T", "A", "B", 0);
    CorruptAudioException e =
        assertThrows(
            CorruptAudioException.class,
            () -> AudioDecoders.open(new ByteArrayInputStream(tagOnly)));
    assertEquals("MP3: no audio after the ID3 tag", e.getMessage());
    byte[] tagAndText = Arrays.copyOf(tagOnly, tagOnly.length + 100);
    e =
        assertThrows(
            CorruptAudioException.class,
            () -> AudioDecoders.open(new ByteArrayInputStream(tagAndText)));
    assertEquals("MP3: no MPEG audio frame after the ID3 tag", e.getMessage());
  }

  // ---- ffmpeg ------------------------------------------------------------------------------

  @Test
  void decodesOggVorbisInJavaAndFlacThroughFfmpegFromFilesAndStreams() throws Exception {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    Path ogg = dir.resolve("tone.ogg");
    Signals.ffmpeg("-f", "lavfi", "-i", "sine=frequency=1500:sample_rate=48000:duration=2",
        "-ac", "2", "-c:a", "libvorbis", ogg.toString());
    Path flac = dir.resolve("tone.flac");
    Signals.ffmpeg("-f", "lavfi", "-i", "sine=frequency=1500:sample_rate=22050:duration=2",
        "-c:a", "flac", flac.toString());
    // ffmpeg spreads the mono tone over two channels at 0.125 / sqrt(2) each; the Java decoder
    // averages the channels, as the MP3 decoder does.
    double perChannel = 0.125 / Math.sqrt(2);
    try (PcmSource s = AudioDecoders.open(ogg)) {
      assertEquals(48000, s.sampleRateHz()); // native
      float[] out = readAll(s);
      assertEquals(2.0, out.length / 48000.0, 0.05);
      assertEquals(perChannel, toneAmplitude(out, 1500, 48000), 0.01);
    }
    try (PcmSource s = AudioDecoders.open(Files.newInputStream(ogg), 16000)) {
      assertEquals(24000, s.sampleRateHz()); // half the native rate: still at least 16 kHz
      float[] out = readAll(s);
      assertEquals(2.0, out.length / 24000.0, 0.05);
      assertEquals(perChannel, toneAmplitude(out, 1500, 24000), 0.01);
    }
    try (PcmSource s = AudioDecoders.open(Files.newInputStream(flac))) {
      assertEquals(22050, s.sampleRateHz()); // native, as ffmpeg reports it
      assertEquals(0.125, toneAmplitude(readAll(s), 1500, 22050), 0.01);
    }
  }

  @Test
  void sniffsAndDecodesAiffM4aWebmAndOpusMadeByFfmpeg() throws Exception {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    String[][] cases = {
      {"t.aiff", "pcm_s16be", "AIFF"},
      {"t.m4a", "aac", "MP4"},
      {"t.webm", "libopus", "WEBM"},
      {"t.opus", "libopus", "OGG"},
    };
    for (String[] c : cases) {
      Path file = dir.resolve(c[0]);
      Signals.ffmpeg("-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=1",
          "-c:a", c[1], file.toString());
      byte[] head = Arrays.copyOf(Files.readAllBytes(file), 64);
      assertEquals(AudioContainer.valueOf(c[2]), AudioDecoders.sniff(head, head.length), c[0]);
      try (PcmSource s = AudioDecoders.open(file, 16000)) {
        assertEquals(16000, s.sampleRateHz());
        float[] out = readAll(s);
        assertEquals(1.0, out.length / 16000.0, 0.1, c[0]);
        assertEquals(0.125, toneAmplitude(out, 1000, 16000), 0.01, c[0]);
      }
    }
  }

  @Test
  void reportsFfmpegsErrorForCorruptInput() throws IOException {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    byte[] junk = new byte[5000];
    new Random(1).nextBytes(junk);
    System.arraycopy("OggS".getBytes(StandardCharsets.US_ASCII), 0, junk, 0, 4);
    for (boolean fromFile : new boolean[] {true, false}) {
      CorruptAudioException e =
          assertThrows(
              CorruptAudioException.class,
              () -> {
                try (PcmSource s =
                    fromFile
                        ? AudioDecoders.open(write("junk.ogg", junk))
                        : AudioDecoders.open(new ByteArrayInputStream(junk))) {
                  readAll(s);
                }
              });
      assertTrue(e.getMessage().startsWith("OGG: ffmpeg failed: "), e.getMessage());
      assertTrue(e.getMessage().length() > "OGG: ffmpeg failed: ".length());
    }
  }

  @Test
  void handsAdpcmWavFilesToFfmpeg() throws Exception {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    Path adpcm = dir.resolve("adpcm.wav");
    Signals.ffmpeg("-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=22050:duration=1",
        "-c:a", "adpcm_ms", adpcm.toString());
    try (PcmSource s = AudioDecoders.open(adpcm)) {
      assertEquals(22050, s.sampleRateHz());
      assertEquals(0.125, toneAmplitude(readAll(s), 1000, 22050), 0.01);
    }
    try (PcmSource s = AudioDecoders.open(Files.newInputStream(adpcm), 8000)) {
      assertEquals(8000, s.sampleRateHz());
      assertEquals(0.125, toneAmplitude(readAll(s), 1000, 8000), 0.01);
    }
  }

  @Test
  void saysSoWhenAVideoHasNoAudio() throws Exception {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    Path video = dir.resolve("silent-film.mp4");
    Signals.ffmpeg("-f", "lavfi", "-i", "testsrc=duration=1:size=32x32", "-c:v", "mpeg4", video.toString());
    CorruptAudioException e =
        assertThrows(CorruptAudioException.class, () -> AudioDecoders.open(video));
    assertEquals("MP4: ffmpeg failed: no audio stream", e.getMessage());
  }

  @Test
  void namesTheFormatWhenFfmpegIsMissing() throws IOException {
    Path ogg = write("x.ogg", "OggS\0\2\0\0\0\0\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1));
    String previous = System.getProperty("tunetrace.ffmpeg");
    System.setProperty("tunetrace.ffmpeg", dir.resolve("no-such-ffmpeg").toString());
    try {
      UnsupportedAudioFormatException e =
          assertThrows(UnsupportedAudioFormatException.class, () -> AudioDecoders.open(ogg));
      assertEquals(
          "OGG audio needs ffmpeg, which was not found at "
              + dir.resolve("no-such-ffmpeg")
              + ": install it (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg)"
              + " or set TUNETRACE_FFMPEG",
          e.getMessage());
    } finally {
      if (previous == null) {
        System.clearProperty("tunetrace.ffmpeg");
      } else {
        System.setProperty("tunetrace.ffmpeg", previous);
      }
    }
    DecoderTools onPath = new DecoderTools(true, "no-such-ffmpeg-on-path", "ffprobe", false);
    UnsupportedAudioFormatException e =
        assertThrows(
            UnsupportedAudioFormatException.class,
            () -> AudioDecoders.open(onPath, null, Files.newInputStream(ogg), 0));
    assertEquals(
        "OGG audio needs ffmpeg, which was not found on PATH: install it (Debian/Ubuntu: apt-get"
            + " install ffmpeg; macOS: brew install ffmpeg) or set TUNETRACE_FFMPEG",
        e.getMessage());
  }

  @Test
  void closingEarlyStopsFfmpegPromptly() throws Exception {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    Path flac = dir.resolve("long.flac");
    Signals.ffmpeg("-f", "lavfi", "-i", "anoisesrc=duration=120:sample_rate=44100",
        "-c:a", "flac", "-compression_level", "0", flac.toString());
    long start = System.nanoTime();
    try (PcmSource s = AudioDecoders.open(Files.newInputStream(flac), 16000)) {
      assertTrue(s.read(new float[1000], 0, 1000) > 0);
    }
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10);
  }
}
