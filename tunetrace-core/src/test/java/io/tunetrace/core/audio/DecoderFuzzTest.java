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

  /**
   * What a damaged MPEG-1 MP3 may fail with, decoded in Java only (layer III by Layer3Decoder, a
   * frame that damage turned into layer I or II by javamp3).
   */
  private static final java.util.regex.Pattern MP3_FAILURE =
      java.util.regex.Pattern.compile(
          "MP3: (no decodable MPEG frame|decoder failed to start|undecodable frame near byte \\d+"
              + "|corrupt MPEG-1 layer III frame at byte \\d+: .+|truncated in the first frame"
              + "|no MPEG audio frame|truncated ID3 tag|no MPEG audio frame after the ID3 tag"
              + "|no audio after the ID3 tag)"
              + "|not audio: unrecognized format .*"
              + "|MP3 audio at \\d+ Hz \\(MPEG-[12.5]+ layer I+\\) needs ffmpeg, .*");

  /**
   * Each damaged copy of an MPEG-1 MP3, on its own: it decodes to samples in range and no more
   * than its frames can hold, or fails with a library exception whose message says why — never
   * another exception, never a hang.
   */
  @org.junit.jupiter.params.ParameterizedTest(name = "preferred rate {0} Hz")
  @org.junit.jupiter.params.provider.ValueSource(ints = {0, 8000})
  void eachDamagedMp3DecodesOrFailsWithADocumentedReason(int preferredRateHz) throws IOException {
    byte[] mp3 = AudioDecodersTest.resource(AudioDecodersTest.MP3_44K);
    Random random = new Random(5);
    int decoded = 0;
    java.util.Set<String> reasons = new java.util.TreeSet<>();
    for (int trial = 0; trial < 60; trial++) {
      byte[] b = mp3.clone();
      int edits = 1 + random.nextInt(40);
      for (int i = 0; i < edits; i++) {
        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      }
      if (trial % 4 == 3) {
        b = java.util.Arrays.copyOf(b, random.nextInt(b.length));
      }
      // the smallest MPEG-1 layer III frame (32 kbps at 48 kHz) is 96 bytes, of 1152 samples
      Outcome o = outcome(b, JAVA_ONLY, preferredRateHz, (b.length / 96 + 1) * 1152L);
      if (o.failure == null) {
        decoded++;
      } else {
        assertTrue(MP3_FAILURE.matcher(o.failure).matches(), "trial " + trial + ": " + o.failure);
        reasons.add(o.failure.replaceAll("\\d+", "N"));
      }
    }
    assertTrue(decoded > 0, "no damaged file decoded: " + reasons);
  }

  private static final java.util.regex.Pattern PHONE_FAILURE =
      java.util.regex.Pattern.compile(
          "MP3: (corrupt MPEG-2\\.5 layer III frame at byte \\d+: .+"
              + "|truncated in the first frame|no MPEG audio frame)"
              + "|not audio: unrecognized format .*"
              + "|MP3 audio at \\d+ Hz \\(MPEG-[12.5]+ layer I+\\) needs ffmpeg, .*");

  /**
   * The phone MP3 (MPEG-2.5, 8 kHz) with random bytes changed and often cut short, decoded in
   * Java only: it decodes to samples in range and no more frames than the bytes can hold, or
   * fails with a message that says why.
   */
  @Test
  void damagedPhoneMp3DecodesOrFailsWithAReason() throws IOException {
    byte[] mp3 = AudioDecodersTest.resource(AudioDecodersTest.MP3_8K);
    Random random = new Random(7);
    java.util.Set<String> reasons = new java.util.TreeSet<>();
    int decoded = 0;
    for (int trial = 0; trial < 400; trial++) {
      byte[] b = mp3.clone();
      int edits = 1 + random.nextInt(trial % 2 == 0 ? 4 : 60);
      for (int i = 0; i < edits; i++) {
        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      }
      if (trial % 3 == 0) {
        b = java.util.Arrays.copyOf(b, 1 + random.nextInt(b.length));
      }
      try (PcmSource s = AudioDecoders.open(JAVA_ONLY, null, new ByteArrayInputStream(b), 0)) {
        float[] out = Signals.readAll(s);
        for (float x : out) {
          assertTrue(x >= -1f && x <= 1f, "sample out of range: " + x);
        }
        // the smallest MPEG-2.5 layer III frame (8 kbps at 12 kHz) is 48 bytes
        assertTrue(out.length <= (b.length / 48 + 1) * 576, "trial " + trial + ": " + out.length);
        decoded++;
      } catch (CorruptAudioException | UnsupportedAudioFormatException e) {
        assertTrue(PHONE_FAILURE.matcher(e.getMessage()).matches(), e.getMessage());
        reasons.add(e.getMessage().replaceAll("byte \\d+", "byte N"));
      }
    }
    assertTrue(decoded > 0, "no damaged file decoded");
    assertTrue(
        reasons.contains(
            "MP3: corrupt MPEG-2.5 layer III frame at byte N: big values overrun part2_3_length"),
        reasons.toString());
  }

  /** Frames whose side information contradicts the standard fail with exactly that reason. */
  @Test
  void hostilePhoneFramesFailWithTheirReason() throws IOException {
    // LSF mono side information, in bits after the header: main_data_begin 8, private 1,
    // part2_3_length 12, big_values 9, global_gain 8, scalefac_compress 9, window_switching 1,
    // then block_type 2 (with window switching) or table_select[0] 5 (without)
    assertHostile(37, 9 + 0, 12, 4095, "main data overruns the frame");
    assertHostile(37, 21, 9, 300, "big_values 300 > 288");
    assertHostile(37, 47, 3, 0b100, "window switching with block type 0");
    assertHostile(37, 47, 6, 4, "Huffman table 4 does not exist");
    assertHostile(37, 47, 6, 14, "Huffman table 14 does not exist");
  }

  private static void assertHostile(int frame, int bit, int count, int value, String reason)
      throws IOException {
    byte[] mp3 = AudioDecodersTest.resource(AudioDecodersTest.MP3_8K);
    int at = AudioDecodersTest.frameOffsets(mp3).get(frame);
    AudioDecodersTest.setBits(mp3, (at + 4) * 8 + bit, count, value);
    try (PcmSource s = AudioDecoders.open(JAVA_ONLY, null, new ByteArrayInputStream(mp3), 0)) {
      CorruptAudioException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              CorruptAudioException.class, () -> Signals.readAll(s));
      org.junit.jupiter.api.Assertions.assertEquals(
          "MP3: corrupt MPEG-2.5 layer III frame at byte " + at + ": " + reason, e.getMessage());
    }
  }

  /** What a WAV with a damaged header may fail with (or what it then sniffs as). */
  private static final java.util.regex.Pattern WAV_FAILURE =
      java.util.regex.Pattern.compile(
          "WAV: .+|WAV audio with .+ needs ffmpeg, .*|not audio: .+|MP3: .+|MP3 audio .+ needs ffmpeg.*"
              + "|(OGG|FLAC|MP4|WEBM|AIFF) audio needs ffmpeg, .*");

  @Test
  void eachDamagedWavHeaderDecodesOrFailsWithADocumentedReason() throws IOException {
    byte[] wav =
        new WavBuilder()
            .chunk("LIST", new byte[] {'I', 'N', 'F', 'O', 'I', 'N', 'A', 'M', 2, 0, 0, 0, 'x', 0})
            .order("LIST", "fmt ", "data")
            .sample(WavBuilder.Sample.S24)
            .build(Signals.sine(440, 8000, 0.2, 0.5), 2);
    Random random = new Random(6);
    int decoded = 0;
    for (int trial = 0; trial < 2000; trial++) {
      byte[] b = wav.clone();
      int edits = 1 + random.nextInt(4);
      for (int i = 0; i < edits; i++) {
        b[random.nextInt(80)] = (byte) random.nextInt(256);
      }
      // no ffmpeg: this exercises the pure-Java parser only; at most every byte a sample
      Outcome o = outcome(b, JAVA_ONLY, 0, b.length);
      if (o.failure == null) {
        decoded++;
      } else {
        assertTrue(WAV_FAILURE.matcher(o.failure).matches(), "trial " + trial + ": " + o.failure);
      }
    }
    assertTrue(decoded > 0 && decoded < 2000, decoded + " of 2000 decoded");
  }

  /** How one input ended: {@code failure} is null when it decoded, else the exception's message. */
  private record Outcome(long samples, String failure) {}

  /**
   * Decodes {@code b} within 10 s; samples must be in range and at most {@code maxSamples}. A
   * library exception becomes a failure outcome; any other exception fails the test.
   */
  private static Outcome outcome(
      byte[] b, DecoderTools tools, int preferredRateHz, long maxSamples) {
    return org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        java.time.Duration.ofSeconds(10),
        () -> {
          try (PcmSource s =
              AudioDecoders.open(tools, null, new ByteArrayInputStream(b), preferredRateHz)) {
            float[] buf = new float[4096];
            long total = 0;
            int r;
            while ((r = s.read(buf, 0, buf.length)) > 0) {
              total += r;
              for (int i = 0; i < r; i++) {
                assertTrue(buf[i] >= -1f && buf[i] <= 1f, "sample out of range: " + buf[i]);
              }
              assertTrue(total <= maxSamples, total + " samples from " + b.length + " bytes");
            }
            return new Outcome(total, null);
          } catch (CorruptAudioException | UnsupportedAudioFormatException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "no reason given");
            return new Outcome(0, e.getMessage());
          }
        },
        "decoding hung");
  }
}
