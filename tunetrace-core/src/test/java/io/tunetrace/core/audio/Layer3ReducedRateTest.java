package io.tunetrace.core.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tunetrace.core.testing.Samples;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Layer III decoded at half or a quarter of the stream's rate must be the full-rate decode below
 * the new Nyquist frequency: the same spectrum up to 3.5 kHz (what fingerprinting analyses) frame
 * by frame, with no lag, and the full-rate length divided by the factor (the gapless trim kept).
 * A reduced synthesis one sample out of step, with a wrong window tap or a missing subband misses
 * the SNR bar here by 20 dB or more.
 */
@Timeout(120)
class Layer3ReducedRateTest {
  /** ffmpeg absent: everything here is decoded in Java. */
  private static final DecoderTools NO_FFMPEG =
      new DecoderTools(false, "no-such-ffmpeg-on-path", "ffprobe", false);

  /**
   * Three seconds of a rising chirp with noise bursts (LAME switches to short blocks for them) on
   * the left and a 660 Hz tone with bursts at other times on the right: joint stereo.
   */
  private static final String SOURCE =
      "aevalsrc=exprs="
          + "'0.3*sin(2*PI*(200+300*t)*t)+0.25*(random(0)-0.5)*gt(mod(t\\,0.5)\\,0.42)"
          + "|0.25*sin(2*PI*660*t)+0.25*(random(1)-0.5)*gt(mod(t+0.2\\,0.6)\\,0.5)'"
          + ":s=48000:d=3";

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"blue-lantern.mp3", "copper-kite.mp3", "dune-signal.mp3", "ember-tide.mp3"})
  void sampleMusicAtAQuarterAndHalfRateIsTheFullRateDecodeBelow3500Hz(String name)
      throws IOException {
    Path mp3 = Samples.file(name);
    float[] full = decode(mp3, 0, 44100);
    float[] quarter = decode(mp3, 8000, 11025);
    float[] half = decode(mp3, 16000, 22050);
    assertEquals((full.length + 3) / 4, quarter.length);
    assertEquals((full.length + 1) / 2, half.length);
    assertTrue(bandSnrDb(full, 44100, quarter, 4, 3500) > 60, "quarter rate");
    assertTrue(bandSnrDb(full, 44100, half, 2, 3500) > 60, "half rate");
    // the whole kept band, not only the analysed part
    assertTrue(bandSnrDb(full, 44100, quarter, 4, 5000) > 40, "quarter rate to 5 kHz");
  }

  @ParameterizedTest(name = "{0} Hz, {1} kbps")
  @CsvSource({"48000, 128", "32000, 96", "44100, 192", "24000, 64", "22050, 64"})
  void jointStereoWithShortBlocksAtAReducedRateIsTheFullRateDecodeBelow3500Hz(
      int rateHz, int kbps) throws Exception {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    Path mp3 = dir.resolve("x" + rateHz + ".mp3");
    Signals.ffmpeg("-f", "lavfi", "-i", SOURCE, "-ar", Integer.toString(rateHz), "-ac", "2",
        "-c:a", "libmp3lame", "-b:a", kbps + "k", "-joint_stereo", "1", mp3.toString());
    float[] full = decode(mp3, 0, rateHz);
    int shift = Layer3Decoder.downsampleShift(rateHz, 8000);
    int factor = 1 << shift;
    assertEquals(rateHz >= 32000 ? 2 : 1, shift);
    float[] reduced = decode(mp3, 8000, rateHz / factor);
    assertEquals((full.length + factor - 1) / factor, reduced.length);
    assertEquals(3.0, reduced.length / (double) (rateHz / factor), 0.001);
    assertTrue(bandSnrDb(full, rateHz, reduced, factor, 3500) > 60, "SNR to 3.5 kHz");
  }

  @Test
  void withoutALameTagEveryFrameGivesAQuarterOfItsSamples() throws Exception {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    Path bare = dir.resolve("bare.mp3");
    Signals.ffmpeg("-f", "lavfi", "-i", SOURCE, "-ar", "44100", "-ac", "2", "-c:a", "libmp3lame",
        "-b:a", "128k", "-write_xing", "0", "-id3v2_version", "0", bare.toString());
    byte[] b = Files.readAllBytes(bare);
    int frames = AudioDecodersTest.frameOffsets(b).size();
    float[] full = Signals.readAll(Layer3Decoder.open(new ByteArrayInputStream(b), 0, 0));
    float[] quarter = Signals.readAll(Layer3Decoder.open(new ByteArrayInputStream(b), 0, 2));
    assertEquals(frames * 1152, full.length);
    assertEquals(frames * 288, quarter.length);
    assertTrue(bandSnrDb(full, 44100, quarter, 4, 3500) > 60);
  }

  @Test
  void downsampleShiftPicksTheLargestReductionThatKeepsThePreferredRate() {
    assertEquals(2, Layer3Decoder.downsampleShift(44100, 8000)); // 11,025 Hz
    assertEquals(2, Layer3Decoder.downsampleShift(48000, 8000)); // 12,000 Hz
    assertEquals(2, Layer3Decoder.downsampleShift(32000, 8000)); // 8,000 Hz
    assertEquals(1, Layer3Decoder.downsampleShift(32000, 8001));
    assertEquals(1, Layer3Decoder.downsampleShift(44100, 16000)); // 22,050 Hz
    assertEquals(1, Layer3Decoder.downsampleShift(22050, 8000)); // 11,025; 5,512.5 is no rate
    assertEquals(1, Layer3Decoder.downsampleShift(24000, 8000)); // 12,000 Hz
    assertEquals(0, Layer3Decoder.downsampleShift(11025, 8000));
    assertEquals(0, Layer3Decoder.downsampleShift(44100, 0)); // the native rate
    assertEquals(0, Layer3Decoder.downsampleShift(44100, 44100));
    assertEquals(0, Layer3Decoder.downsampleShift(8000, 16000));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class,
            () -> Layer3Decoder.open(new ByteArrayInputStream(new byte[0]), 0, 3));
    assertEquals("downsampleShift out of range: 3", e.getMessage());
  }

  @Test
  void aToneAtAQuarterRateKeepsItsAmplitudeAndLeavesNothingElse() throws IOException {
    // lavfi sine at 1 kHz, amplitude 1/8, 64 kbps mono: 11,025 Hz out
    byte[] mp3 = AudioDecodersTest.resource(AudioDecodersTest.MP3_44K);
    try (PcmSource s = AudioDecoders.open(NO_FFMPEG, null, new ByteArrayInputStream(mp3), 8000)) {
      assertEquals(11025, s.sampleRateHz());
      float[] out = Signals.readAll(s);
      assertEquals(2.0, out.length / 11025.0, 0.1);
      assertEquals(0.125, Signals.toneAmplitude(out, 1000, 11025), 0.01);
      for (int hz : new int[] {500, 1500, 3000, 4500}) {
        assertTrue(Signals.toneAmplitude(out, hz, 11025) < 0.002, hz + " Hz");
      }
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Decodes in Java through {@link AudioDecoders} at the rate it picks for {@code preferredHz}. */
  private static float[] decode(Path mp3, int preferredHz, int expectedRateHz) throws IOException {
    try (PcmSource s = AudioDecoders.open(NO_FFMPEG, mp3, null, preferredHz)) {
      assertEquals(expectedRateHz, s.sampleRateHz());
      assertEquals("Layer3Decoder", ((FfmpegFallbackSource) s).current().getClass().getSimpleName());
      return Signals.readAll(s);
    }
  }

  /**
   * The SNR of {@code reduced} against {@code full} in 0–{@code maxHz}, from their spectra over
   * the same stretches of time (Hann-windowed frames of 512 reduced-rate samples, {@code 512 *
   * factor} full-rate ones): below the reduced Nyquist frequency bin k of both is the same
   * frequency, the reduced one scaled by 1 / factor.
   */
  static double bandSnrDb(float[] full, int fullRateHz, float[] reduced, int factor, double maxHz) {
    int n = 512;
    int nFull = n * factor;
    int bins = (int) (maxHz * nFull / fullRateHz);
    double signal = 0;
    double error = 0;
    for (int start = 0; (start + n) <= reduced.length && (start + n) * factor <= full.length;
        start += n) {
      double[][] a = spectrum(full, start * factor, nFull);
      double[][] b = spectrum(reduced, start, n);
      for (int k = 0; k < bins; k++) {
        double re = a[0][k] - factor * b[0][k];
        double im = a[1][k] - factor * b[1][k];
        signal += a[0][k] * a[0][k] + a[1][k] * a[1][k];
        error += re * re + im * im;
      }
    }
    assertTrue(signal > 0, "silent");
    return 10 * Math.log10(signal / Math.max(error, 1e-30));
  }

  /** The DFT of {@code x[from, from + n)} under a Hann window ({@code n} a power of two). */
  private static double[][] spectrum(float[] x, int from, int n) {
    double[] re = new double[n];
    double[] im = new double[n];
    for (int i = 0; i < n; i++) {
      re[Integer.reverse(i) >>> (32 - Integer.numberOfTrailingZeros(n))] =
          x[from + i] * (0.5 - 0.5 * Math.cos(2 * Math.PI * i / n));
    }
    for (int len = 2; len <= n; len <<= 1) {
      double angle = -2 * Math.PI / len;
      for (int s = 0; s < n; s += len) {
        for (int j = 0; j < len / 2; j++) {
          double wr = Math.cos(angle * j);
          double wi = Math.sin(angle * j);
          int p = s + j;
          int q = p + len / 2;
          double tr = re[q] * wr - im[q] * wi;
          double ti = re[q] * wi + im[q] * wr;
          re[q] = re[p] - tr;
          im[q] = im[p] - ti;
          re[p] += tr;
          im[p] += ti;
        }
      }
    }
    return new double[][] {re, im};
  }

}
