package io.tunetrace.core.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class VorbisDecoderTest {
  @TempDir static Path dir;

  @BeforeAll
  static void needsFfmpeg() {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
  }

  /** A music-like test signal: two chirps, a tone with vibrato, bursts of noise. */
  static float[] signal(int rateHz, int channels, double seconds, long seed) {
    Random random = new Random(seed);
    int frames = (int) Math.round(seconds * rateHz);
    float[] x = new float[frames * channels];
    for (int c = 0; c < channels; c++) {
      double phase1 = 0;
      double phase2 = 0;
      for (int i = 0; i < frames; i++) {
        double t = i / (double) rateHz;
        double f1 = 100 * Math.pow(rateHz / 2.0 / 100 * 0.9, t / seconds); // up the whole band
        double f2 = 440 * (c + 1) * (1 + 0.01 * Math.sin(2 * Math.PI * 5 * t));
        phase1 += 2 * Math.PI * f1 / rateHz;
        phase2 += 2 * Math.PI * f2 / rateHz;
        double burst = (i / (rateHz / 4)) % 3 == 0 ? 0.2 * random.nextGaussian() : 0;
        x[i * channels + c] = (float) (0.3 * Math.sin(phase1) + 0.25 * Math.sin(phase2) + burst);
      }
    }
    return x;
  }

  static Path encode(String name, float[] interleaved, int rateHz, int channels, String... codec)
      throws IOException, InterruptedException {
    Path raw = dir.resolve(name + ".raw");
    ByteBuffer b = ByteBuffer.allocate(interleaved.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : interleaved) {
      b.putFloat(v);
    }
    Files.write(raw, b.array());
    Path ogg = dir.resolve(name + ".ogg");
    List<String> args = new ArrayList<>(List.of("-f", "f32le", "-ar", "" + rateHz, "-ac",
        "" + channels, "-i", raw.toString(), "-c:a", "libvorbis"));
    args.addAll(List.of(codec));
    args.add(ogg.toString());
    Signals.ffmpeg(args.toArray(new String[0]));
    return ogg;
  }

  static float[] decodeInJava(Path ogg, int shift) throws IOException {
    try (PcmSource s = VorbisDecoder.open(Files.newInputStream(ogg), shift)) {
      return Signals.readAll(s);
    }
  }

  @Test
  void matchesFfmpegAtTheFullRate() throws Exception {
    Object[][] cases = {
      {44100, 2, new String[] {"-q:a", "3"}},
      {44100, 1, new String[] {"-q:a", "0"}},
      {48000, 2, new String[] {"-q:a", "6"}},
      {22050, 1, new String[] {"-q:a", "10"}},
      {44100, 1, new String[] {"-b:a", "32k"}},
      {22050, 2, new String[] {"-b:a", "32k"}},
      {48000, 2, new String[] {"-q:a", "10"}},
      {22050, 2, new String[] {"-q:a", "0"}},
      {44100, 2, new String[] {"-q:a", "-1"}},
      {48000, 6, new String[] {"-q:a", "3"}},
    };
    int k = 0;
    for (Object[] c : cases) {
      int rate = (Integer) c[0];
      int channels = (Integer) c[1];
      String[] codec = (String[]) c[2];
      String what = rate + " Hz, " + channels + " ch, " + String.join(" ", codec);
      Path ogg = encode("full" + k, signal(rate, channels, 3.0, k), rate, channels, codec);
      k++;
      float[] reference = Layer3DecoderTest.ffmpegDecode(ogg, channels);
      float[] java = decodeInJava(ogg, 0);
      assertEquals(reference.length, java.length, what);
      double snr = Layer3DecoderTest.snrDb(java, reference, 0, reference.length);
      assertTrue(snr >= 80, what + ": SNR " + snr);
    }
  }

  /**
   * At half and a quarter of the rate the output is the full-rate output band-limited and
   * sampled every 2^s samples, half a sample (times 2^s - 1) late: a low tone matches the
   * full-rate decode interpolated at those instants, a tone below the new Nyquist frequency keeps
   * its amplitude, and one above it does not alias into the band.
   */
  @Test
  void decodesAtHalfAndAQuarterOfTheRate() throws Exception {
    for (int rate : new int[] {44100, 48000}) {
      float[] x = new float[rate * 3 * 2];
      for (int i = 0; i < rate * 3; i++) {
        double t = i / (double) rate;
        x[2 * i] = (float) (0.3 * Math.sin(2 * Math.PI * 200 * t)
            + 0.2 * Math.sin(2 * Math.PI * 1000 * t));
        x[2 * i + 1] = (float) (0.3 * Math.sin(2 * Math.PI * 200 * t)
            + 0.2 * Math.sin(2 * Math.PI * 8000 * t));
      }
      Path ogg = encode("reduced" + rate, x, rate, 2, "-q:a", "5");
      float[] full = decodeInJava(ogg, 0);
      for (int shift = 1; shift <= 2; shift++) {
        int factor = 1 << shift;
        int outRate = rate / factor;
        float[] reduced;
        try (PcmSource s = VorbisDecoder.open(Files.newInputStream(ogg), shift)) {
          assertEquals(outRate, s.sampleRateHz());
          reduced = Signals.readAll(s);
        }
        String what = rate + " Hz >> " + shift;
        assertEquals((full.length + factor - 1) / factor, reduced.length, what);
        assertEquals(Signals.toneAmplitude(full, 1000, rate),
            Signals.toneAmplitude(reduced, 1000, outRate), 1e-5, what);
        assertEquals(Signals.toneAmplitude(full, 200, rate),
            Signals.toneAmplitude(reduced, 200, outRate), 1e-5, what);
        // 8 kHz is above 6 kHz and 5.5 kHz: at shift 2 it must not come back as 3 or 4 kHz
        if (shift == 2) {
          double alias = Signals.toneAmplitude(reduced, outRate - 8000, outRate);
          assertTrue(alias < 1e-5, what + ": alias " + alias); // the 8 kHz tone is 0.1
        } else {
          assertEquals(Signals.toneAmplitude(full, 8000, rate),
              Signals.toneAmplitude(reduced, 8000, outRate), 1e-5, what);
        }
        // sample i stands for full-rate time i * factor + (factor - 1) / 2
        Path low = lowTone(rate);
        float[] lowFull = decodeInJava(low, 0);
        float[] lowOnly = decodeInJava(low, shift);
        double signal = 0;
        double error = 0;
        for (int i = lowOnly.length / 10; i < lowOnly.length * 9 / 10; i++) {
          double t = i * factor + (factor - 1) / 2.0;
          int j = (int) t;
          double frac = t - j;
          double expected = lowFull[j] * (1 - frac) + lowFull[j + 1] * frac;
          signal += expected * expected;
          error += (lowOnly[i] - expected) * (lowOnly[i] - expected);
        }
        double snr = 10 * Math.log10(signal / error);
        // about 85 dB, limited by the linear interpolation; 1/2 sample off would give < 40 dB
        assertTrue(snr > 70, what + ": SNR against the interpolated full rate " + snr);
      }
    }
  }

  /** A 150 Hz tone, mono, encoded once per rate. */
  private static Path lowTone(int rate) throws Exception {
    Path ogg = dir.resolve("low" + rate + ".ogg");
    return Files.exists(ogg) ? ogg : encode("low" + rate, Signals.sine(150, rate, 2, 0.5), rate, 1,
        "-q:a", "5");
  }

  /**
   * libvorbis never writes residue type 0, so the test makes one: a mono stream's residues
   * (type 1) are relabelled type 0 in its setup header, which changes how each partition's
   * vectors are interleaved but leaves a valid stream, and ffmpeg's decoder is the reference.
   */
  @Test
  void decodesResidueType0LikeFfmpeg() throws Exception {
    Path source = encode("residue1", signal(44100, 1, 2.0, 3), 44100, 1, "-q:a", "2");
    byte[] ogg = Files.readAllBytes(source);
    // the file offset of each byte of the setup header (the third packet)
    List<Integer> setup = new ArrayList<>();
    List<Integer> touched = new ArrayList<>();
    int packet = 0;
    for (int at : pages(ogg)) {
      int count = ogg[at + 26] & 0xff;
      int body = at + 27 + count;
      for (int i = 0; i < count && packet < 3; i++) {
        int lace = ogg[at + 27 + i] & 0xff;
        if (packet == 2) {
          for (int k = 0; k < lace; k++) {
            setup.add(body + k);
          }
          if (!touched.contains(at)) {
            touched.add(at);
          }
        }
        body += lace;
        if (lace < 255) {
          packet++;
        }
      }
    }
    byte[] header = new byte[setup.size() + 8];
    for (int i = 0; i < setup.size(); i++) {
      header[i] = ogg[setup.get(i)];
    }
    VorbisBits b = new VorbisBits();
    b.reset(header, setup.size());
    b.bits(32);
    b.bits(24);
    long[] budget = {VorbisCodebook.MAX_VALUES, VorbisCodebook.MAX_ENTRIES};
    for (int i = b.bitsInt(8) + 1; i > 0; i--) {
      VorbisCodebook.read(b, budget);
    }
    for (int i = b.bitsInt(6) + 1; i > 0; i--) {
      b.bits(16);
    }
    for (int i = b.bitsInt(6) + 1; i > 0; i--) {
      assertEquals(1, b.bits(16), "floor type");
      int[] classes = new int[b.bitsInt(5)];
      int maxClass = -1;
      for (int k = 0; k < classes.length; k++) {
        classes[k] = b.bitsInt(4);
        maxClass = Math.max(maxClass, classes[k]);
      }
      int[] dims = new int[maxClass + 1];
      for (int c = 0; c <= maxClass; c++) {
        dims[c] = b.bitsInt(3) + 1;
        int sub = b.bitsInt(2);
        if (sub > 0) {
          b.bits(8);
        }
        for (int k = 0; k < 1 << sub; k++) {
          b.bits(8);
        }
      }
      b.bits(2);
      int rangeBits = b.bitsInt(4);
      for (int c : classes) {
        for (int k = 0; k < dims[c]; k++) {
          b.bits(rangeBits);
        }
      }
    }
    int residues = b.bitsInt(6) + 1;
    for (int r = 0; r < residues; r++) {
      long at = 8L * setup.size() - b.remaining();
      assertEquals(1, b.bits(16), "residue type");
      for (int k = 0; k < 16; k++) { // type 0
        long bit = at + k;
        ogg[setup.get((int) (bit >>> 3))] &= (byte) ~(1 << (bit & 7));
      }
      b.bits(24);
      b.bits(24);
      b.bits(24);
      int classifications = b.bitsInt(6) + 1;
      b.bits(8);
      int[] cascade = new int[classifications];
      for (int k = 0; k < classifications; k++) {
        int low = b.bitsInt(3);
        cascade[k] = (b.flag() ? b.bitsInt(5) << 3 : 0) | low;
      }
      for (int c : cascade) {
        b.bits(8 * Integer.bitCount(c));
      }
    }
    assertTrue(!b.ended());
    for (int at : touched) {
      fixCrc(ogg, at);
    }
    Path type0 = dir.resolve("residue0.ogg");
    Files.write(type0, ogg);
    float[] reference = Layer3DecoderTest.ffmpegDecode(type0, 1);
    float[] java = decodeInJava(type0, 0);
    assertEquals(reference.length, java.length);
    assertTrue(Arrays.mismatch(java, decodeInJava(source, 0)) >= 0, "residue type unchanged");
    double snr = Layer3DecoderTest.snrDb(java, reference, 0, reference.length);
    assertTrue(snr >= 80, "SNR " + snr);
  }

  // ---- damaged and hostile input -----------------------------------------------------------

  private static Path sample() throws Exception {
    Path ogg = dir.resolve("sample.ogg");
    if (!Files.exists(ogg)) {
      encode("sample", signal(44100, 2, 4.0, 7), 44100, 2, "-q:a", "3");
    }
    return ogg;
  }

  /** The byte offsets of the pages of an Ogg file. */
  static List<Integer> pages(byte[] ogg) {
    List<Integer> at = new ArrayList<>();
    int p = 0;
    while (p + 27 <= ogg.length) {
      at.add(p);
      int count = ogg[p + 26] & 0xff;
      int body = 0;
      for (int i = 0; i < count; i++) {
        body += ogg[p + 27 + i] & 0xff;
      }
      p += 27 + count + body;
    }
    return at;
  }

  /** Recomputes the CRC of the page at {@code at}. */
  static void fixCrc(byte[] ogg, int at) {
    int count = ogg[at + 26] & 0xff;
    int length = 27 + count;
    for (int i = 0; i < count; i++) {
      length += ogg[at + 27 + i] & 0xff;
    }
    for (int i = 22; i < 26; i++) {
      ogg[at + i] = 0;
    }
    int crc = 0;
    for (int i = at; i < at + length; i++) {
      crc ^= (ogg[i] & 0xff) << 24;
      for (int k = 0; k < 8; k++) {
        crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
      }
    }
    for (int i = 0; i < 4; i++) {
      ogg[at + 22 + i] = (byte) (crc >>> (8 * i));
    }
  }

  private static float[] decode(byte[] ogg) throws IOException {
    try (PcmSource s = VorbisDecoder.open(new ByteArrayInputStream(ogg), 0)) {
      return Signals.readAll(s);
    }
  }

  @Test
  void aFileTruncatedInTheHeadersIsCorruptAndInTheAudioEndsEarly() throws Exception {
    byte[] ogg = Files.readAllBytes(sample());
    List<Integer> pages = pages(ogg);
    // page 0: identification; page 1 holds the comment and setup headers
    CorruptAudioException e = assertThrows(CorruptAudioException.class,
        () -> decode(Arrays.copyOf(ogg, pages.get(1) + 100)));
    assertEquals("VORBIS: no comment header (truncated file)", e.getMessage());
    e = assertThrows(CorruptAudioException.class, () -> decode(Arrays.copyOf(ogg, 20)));
    assertEquals("VORBIS: no identification header (truncated file)", e.getMessage());
    float[] full = decode(ogg);
    int cut = pages.get(pages.size() / 2) + 1000;
    float[] head = decode(Arrays.copyOf(ogg, cut));
    assertTrue(head.length > 0 && head.length < full.length * 0.6, "" + head.length);
    assertEquals(0, Arrays.compare(head, Arrays.copyOf(full, head.length)));
  }

  @Test
  void aPageWithABadCrcIsCorrupt() throws Exception {
    byte[] ogg = Files.readAllBytes(sample());
    List<Integer> pages = pages(ogg);
    int at = pages.get(4);
    ogg[at + 40] ^= 0x10;
    try (PcmSource s = VorbisDecoder.open(new ByteArrayInputStream(ogg), 0)) {
      CorruptAudioException e = assertThrows(CorruptAudioException.class,
          () -> Signals.readAll(s));
      assertEquals("OGG: page CRC mismatch at byte " + at, e.getMessage());
    }
    byte[] header = Files.readAllBytes(sample());
    header[pages.get(1) + 200] ^= 1;
    CorruptAudioException e = assertThrows(CorruptAudioException.class, () -> decode(header));
    assertEquals("OGG: page CRC mismatch at byte " + pages.get(1), e.getMessage());
  }

  /**
   * Flipped bits behind a valid CRC, in the setup header and in audio pages: each file decodes
   * or fails with CorruptAudioException or UnsupportedAudioFormatException, in bounded time.
   */
  @Test
  @Timeout(60)
  void flippedBitsBehindValidCrcsDecodeOrFailCleanly() throws Exception {
    byte[] ogg = Files.readAllBytes(sample());
    List<Integer> pages = pages(ogg);
    Random random = new Random(42);
    int failures = 0;
    int decoded = 0;
    for (int trial = 0; trial < 400; trial++) {
      byte[] bad = ogg.clone();
      int page = trial < 200 ? 1 : 2 + random.nextInt(pages.size() - 3);
      int at = pages.get(page);
      int end = pages.get(page + 1);
      int bodyStart = at + 27 + (bad[at + 26] & 0xff);
      for (int k = 0; k < 1 + random.nextInt(4); k++) {
        bad[bodyStart + random.nextInt(end - bodyStart)] ^= (byte) (1 << random.nextInt(8));
      }
      fixCrc(bad, at);
      try {
        float[] out = decode(bad);
        decoded++;
        assertTrue(out.length <= 4 * 44100 + 4096, "length " + out.length);
      } catch (CorruptAudioException | UnsupportedAudioFormatException expected) {
        failures++;
        assertTrue(expected.getMessage().startsWith("VORBIS: ")
            || expected.getMessage().startsWith("OGG: "), expected.getMessage());
      }
    }
    assertTrue(failures > 0 && decoded > 0, failures + " failed, " + decoded + " decoded");
  }

  @Test
  void absurdCodebooksAreRefusedWithoutAllocating() throws Exception {
    // 16 million entries whose lengths are run-length coded in a few bits
    BitWriter huge = new BitWriter();
    huge.write(1 - 1, 8).write(0x564342, 24).write(1, 16).write((1 << 24) - 1, 24).write(1, 1)
        .write(0, 5).write(0, 24);
    UnsupportedAudioFormatException e = assertThrows(UnsupportedAudioFormatException.class,
        () -> decode(stream(huge)));
    assertEquals("VORBIS: codebooks with more than 2097152 entries in all are not decoded in Java",
        e.getMessage());
    // 1000 entries of 65535 dimensions with a vector table
    BitWriter wide = new BitWriter();
    wide.write(0, 8).write(0x564342, 24).write(65535, 16).write(1000, 24).write(0, 1).write(0, 1);
    for (int i = 0; i < 1000; i++) {
      wide.write(9, 5);
    }
    wide.write(1, 4).write(0, 32).write(0, 32).write(0, 4).write(0, 1);
    e = assertThrows(UnsupportedAudioFormatException.class, () -> decode(stream(wide)));
    assertEquals("VORBIS: codebooks with more than 4194304 vector values in all are not decoded"
        + " in Java", e.getMessage());
    // lookup type 2 with more values than the header has bits
    BitWriter values = new BitWriter();
    values.write(0, 8).write(0x564342, 24).write(4000, 16).write(1000, 24).write(0, 1)
        .write(0, 1);
    for (int i = 0; i < 1000; i++) {
      values.write(9, 5);
    }
    values.write(2, 4).write(0, 32).write(0, 32).write(15, 4).write(0, 1);
    CorruptAudioException c = assertThrows(CorruptAudioException.class,
        () -> decode(stream(values)));
    assertEquals("VORBIS: invalid setup header: codebook 0: codebook of 4000000 values longer"
        + " than the header", c.getMessage());
    // block sizes out of range, 0 channels
    c = assertThrows(CorruptAudioException.class,
        () -> decode(stream(identification(2, 44100, 0xE8), new BitWriter())));
    assertEquals("VORBIS: block sizes 256 and 16384", c.getMessage());
    c = assertThrows(CorruptAudioException.class,
        () -> decode(stream(identification(0, 44100, 0xB8), new BitWriter())));
    assertEquals("VORBIS: 0 channels", c.getMessage());
  }

  /** Floor type 0 is refused at open, so AudioDecoders hands the stream to ffmpeg. */
  @Test
  void refusesFloorType0SoThatFfmpegGetsTheStream() throws Exception {
    BitWriter setup = new BitWriter();
    setup.write(0, 8).write(0x564342, 24).write(1, 16).write(2, 24).write(0, 1).write(0, 1)
        .write(0, 5).write(0, 5).write(0, 4); // one codebook: two 1-bit codes, no vectors
    setup.write(0, 6).write(0, 16); // one time-domain placeholder
    setup.write(0, 6).write(0, 16); // one floor, of type 0
    byte[] ogg = stream(setup);
    UnsupportedAudioFormatException e =
        assertThrows(UnsupportedAudioFormatException.class, () -> decode(ogg));
    assertEquals("VORBIS: floor type 0 is not decoded in Java", e.getMessage());
    e = assertThrows(UnsupportedAudioFormatException.class, () -> AudioDecoders.open(
        AudioDecodersTest.JAVA_ONLY, null, new ByteArrayInputStream(ogg), 0));
    assertEquals("VORBIS: floor type 0 is not decoded in Java", e.getMessage());
    assertEquals(1, e.getSuppressed().length);
    assertTrue(e.getSuppressed()[0].getMessage().startsWith(
        "OGG audio needs ffmpeg, which was not found on PATH"), e.getSuppressed()[0].getMessage());
    // headers longer than AudioDecoders can rewind still reach ffmpeg, from the replayed copy
    byte[] tagged = stream(identification(2, 44100, 0xB8), 300_000, setup);
    e = assertThrows(UnsupportedAudioFormatException.class, () -> AudioDecoders.open(
        AudioDecodersTest.JAVA_ONLY, null, new ByteArrayInputStream(tagged), 0));
    assertEquals("VORBIS: floor type 0 is not decoded in Java", e.getMessage());
    assertEquals(1, e.getSuppressed().length);
  }

  /** A 100 KB comment header (cover art, lyrics) is skipped, not kept, on the way to the audio. */
  @Test
  void decodesAStreamWithALongCommentHeader() throws Exception {
    Path ogg = dir.resolve("tagged.ogg");
    Signals.ffmpeg("-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100:duration=2",
        "-metadata", "lyrics=" + "la ".repeat(33_000), "-c:a", "libvorbis", ogg.toString());
    assertTrue(Files.size(ogg) > 100_000);
    try (PcmSource s = AudioDecoders.open(AudioDecodersTest.JAVA_ONLY, null,
        Files.newInputStream(ogg), 8000)) {
      assertEquals("VorbisDecoder",
          ((FfmpegFallbackSource) s).current().getClass().getSimpleName());
      float[] out = Signals.readAll(s);
      assertEquals(2 * 11025, out.length);
      assertEquals(0.125, Signals.toneAmplitude(out, 1000, 11025), 0.001);
    }
  }

  @Test
  void refusesAnOggStreamThatIsNotVorbis() throws Exception {
    Path opus = dir.resolve("t.opus");
    Signals.ffmpeg("-f", "lavfi", "-i", "sine=duration=0.5", "-c:a", "libopus", opus.toString());
    byte[] head = Files.readAllBytes(opus);
    assertTrue(!VorbisDecoder.isVorbis(head, head.length));
    assertTrue(VorbisDecoder.isVorbis(Files.readAllBytes(sample()), 100));
    CorruptAudioException e = assertThrows(CorruptAudioException.class, () -> decode(head));
    assertEquals("VORBIS: no identification header (not a Vorbis stream)", e.getMessage());
  }

  // ---- through AudioDecoders ---------------------------------------------------------------

  @Test
  void audioDecodersDecodesOggVorbisInJavaWithoutFfmpeg() throws Exception {
    float[] x = Signals.sine(1000, 44100, 2, 0.5);
    float[] stereo = new float[x.length * 2];
    for (int i = 0; i < x.length; i++) {
      stereo[2 * i] = x[i];
      stereo[2 * i + 1] = x[i];
    }
    Path ogg = encode("tone", stereo, 44100, 2, "-q:a", "3");
    for (boolean fromFile : new boolean[] {true, false}) {
      try (PcmSource s = fromFile
          ? AudioDecoders.open(AudioDecodersTest.JAVA_ONLY, ogg, null, 8000)
          : AudioDecoders.open(AudioDecodersTest.JAVA_ONLY, null, Files.newInputStream(ogg),
              8000)) {
        assertEquals(11025, s.sampleRateHz());
        assertEquals("VorbisDecoder",
            ((FfmpegFallbackSource) s).current().getClass().getSimpleName());
        float[] out = Signals.readAll(s);
        assertEquals(2 * 11025, out.length);
        assertEquals(0.5, Signals.toneAmplitude(out, 1000, 11025), 0.01);
      }
    }
    try (PcmSource s = AudioDecoders.open(AudioDecodersTest.JAVA_ONLY, ogg, null, 0)) {
      assertEquals(44100, s.sampleRateHz());
      assertEquals(2 * 44100, Signals.readAll(s).length);
    }
  }

  /**
   * A corrupt page after the start: ffmpeg continues from the same sample. (ffmpeg drops the
   * damaged page, and its -ac 1 downmix of stereo is (L + R) / sqrt(2), not the average.)
   */
  @Test
  void continuesInFfmpegAfterACorruptPage() throws Exception {
    byte[] ogg = Files.readAllBytes(sample());
    List<Integer> pages = pages(ogg);
    int damaged = pages.size() / 2;
    int at = pages.get(damaged);
    long granuleBefore = ByteBuffer.wrap(ogg, pages.get(damaged - 1) + 6, 8)
        .order(ByteOrder.LITTLE_ENDIAN).getLong();
    ogg[at + 60] ^= 0x10; // bad CRC
    Path bad = dir.resolve("bad.ogg");
    Files.write(bad, ogg);
    float[] good = decode(Files.readAllBytes(sample()));
    float[] ffmpeg = ffmpegMono(bad);
    assertTrue(ffmpeg.length < good.length - 10000, ffmpeg.length + " of " + good.length);
    for (boolean fromFile : new boolean[] {true, false}) {
      try (PcmSource s = fromFile
          ? AudioDecoders.open(DecoderTools.fromEnvironment(), bad, null, 0)
          : AudioDecoders.open(DecoderTools.fromEnvironment(), null, new ByteArrayInputStream(ogg),
              0)) {
        float[] out = Signals.readAll(s);
        assertEquals("FfmpegDecoder",
            ((FfmpegFallbackSource) s).current().getClass().getSimpleName());
        assertEquals(ffmpeg.length, out.length);
        // the Java decoder's samples up to the damaged page, then ffmpeg's, in step
        int javaEnd = (int) granuleBefore - 2048;
        assertEquals(-1,
            Arrays.mismatch(Arrays.copyOf(out, javaEnd), Arrays.copyOf(good, javaEnd)));
        for (int i = (int) granuleBefore + 2048; i < out.length; i++) {
          // FfmpegDecoder clips to [-1, 1]
          assertEquals(Math.max(-1f, Math.min(1f, ffmpeg[i])), out[i], 1e-6, "sample " + i);
        }
      }
    }
    try (PcmSource s = AudioDecoders.open(AudioDecodersTest.JAVA_ONLY, bad, null, 0)) {
      CorruptAudioException e = assertThrows(CorruptAudioException.class,
          () -> Signals.readAll(s));
      assertEquals("OGG: page CRC mismatch at byte " + at, e.getMessage());
    }
  }

  private static float[] ffmpegMono(Path file) throws Exception {
    Path raw = dir.resolve("mono.raw");
    Signals.ffmpeg("-i", file.toString(), "-ac", "1", "-f", "f32le", raw.toString());
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(raw)).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  /** An Ogg Vorbis stream whose setup header is {@code setup} (codebooks first). */
  private static byte[] stream(BitWriter setup) {
    return stream(identification(2, 44100, 0xB8), setup);
  }

  private static byte[] identification(int channels, int rate, int blockSizes) {
    ByteBuffer id = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN);
    id.put((byte) 1).put("vorbis".getBytes(StandardCharsets.US_ASCII)).putInt(0)
        .put((byte) channels).putInt(rate).putInt(0).putInt(128000).putInt(0)
        .put((byte) blockSizes).put((byte) 1);
    return id.array();
  }

  private static byte[] stream(byte[] identification, BitWriter setup) {
    return stream(identification, 0, setup);
  }

  /** With {@code padding} more bytes in the comment header, as cover art would add. */
  private static byte[] stream(byte[] identification, int padding, BitWriter setup) {
    byte[] comment = new byte[7 + 4 + 4 + 1 + padding];
    comment[0] = 3;
    System.arraycopy("vorbis".getBytes(StandardCharsets.US_ASCII), 0, comment, 1, 6);
    comment[comment.length - 1] = 1;
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    s.write(5);
    s.writeBytes("vorbis".getBytes(StandardCharsets.US_ASCII));
    s.writeBytes(setup.toByteArray());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(page(2, 0, identification));
    out.writeBytes(page(0, 1, comment, s.toByteArray()));
    return out.toByteArray();
  }

  /** Pages (as many as the packets need, up to 255 lacing values each) from {@code sequence}. */
  private static byte[] page(int flags, int sequence, byte[]... packets) {
    ByteArrayOutputStream lacing = new ByteArrayOutputStream();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (byte[] p : packets) {
      int left = p.length;
      while (left >= 255) {
        lacing.write(255);
        left -= 255;
      }
      lacing.write(left);
      body.writeBytes(p);
    }
    byte[] lace = lacing.toByteArray();
    byte[] data = body.toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int dataPos = 0;
    for (int first = 0; first < lace.length; first += 255, sequence++) {
      int count = Math.min(255, lace.length - first);
      int bytes = 0;
      for (int i = first; i < first + count; i++) {
        bytes += lace[i] & 0xff;
      }
      boolean continued = first > 0 && (lace[first - 1] & 0xff) == 255;
      ByteBuffer h = ByteBuffer.allocate(27 + count + bytes).order(ByteOrder.LITTLE_ENDIAN);
      h.put("OggS".getBytes(StandardCharsets.US_ASCII)).put((byte) 0)
          .put((byte) (first == 0 ? flags : continued ? 1 : 0)).putLong(0).putInt(1234)
          .putInt(sequence).putInt(0).put((byte) count).put(lace, first, count)
          .put(data, dataPos, bytes);
      dataPos += bytes;
      byte[] page = h.array();
      fixCrc(page, 0);
      out.writeBytes(page);
    }
    return out.toByteArray();
  }

  /** Writes bits least significant first, as Vorbis packs them. */
  static final class BitWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private long acc;
    private int n;

    BitWriter write(long value, int bits) {
      for (int i = 0; i < bits; i++) {
        acc |= ((value >>> i) & 1) << n;
        n++;
        if (n == 8) {
          out.write((int) acc);
          acc = 0;
          n = 0;
        }
      }
      return this;
    }

    byte[] toByteArray() {
      ByteArrayOutputStream copy = new ByteArrayOutputStream();
      copy.writeBytes(out.toByteArray());
      if (n > 0) {
        copy.write((int) acc);
      }
      return copy.toByteArray();
    }
  }
}
