package io.tunetrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.testing.Samples;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fingerprints are a stored format: the same audio must give the same hashes and times, bit for
 * bit, whatever is done to make decoding, resampling, the STFT or peak picking faster. The expected
 * digests were taken from the code before the ingest speed-ups (commit 95b9a0b) and cover the
 * pure-Java paths (WAV decoding, both resamplers, STFT, peaks, hashes); ffmpeg's output depends on
 * its version, so no ffmpeg path is pinned here. The last test pins parameters whose neighbourhood
 * narrows towards the bass, which an index may be built with.
 */
class FingerprintStabilityTest {
  private static final Fingerprinter FP = new Fingerprinter(FingerprintParams.DEFAULT);

  @Test
  void sampleWavGivesTheStoredFingerprints() throws IOException {
    Path wav = Samples.file("amber-steps.wav");
    try (PcmSource source = AudioDecoders.open(wav, 8000)) {
      Fingerprints f = FP.fingerprint(source);
      assertTrue(f.size() > 100, "hashes: " + f.size());
      assertEquals("7c35b92e0c78b68a936f0a74fe92fa4f/1462", digest(f));
    }
  }

  @Test
  void cdQualityStereoWavGivesTheStoredFingerprints() throws IOException {
    byte[] wav = wav16(music(44100, 2, 31.3, 7), 44100, 2);
    try (PcmSource source = AudioDecoders.open(new ByteArrayInputStream(wav), 8000)) {
      assertEquals(44100, source.sampleRateHz());
      assertEquals("18b06e32c03ec610b1391f12b7e5a58a/1486", digest(FP.fingerprint(source)));
    }
  }

  @Test
  void analysisRateAndArrayResamplingGiveTheStoredFingerprints() {
    float[] atRate = music(8000, 1, 40.0, 11);
    assertEquals("183c7c9578e024c89af88d44dd02fb77/2394", digest(FP.fingerprint(atRate, 8000)));
    float[] at48k = music(48000, 1, 12.5, 13);
    assertEquals("8b3cc39b6f87a413ead5be749a5fb240/552", digest(FP.fingerprint(at48k, 48000)));
    assertEquals("c534229a75d74cb0b16716a8a1b14d2d/2872", digest(FP.fingerprint(atRate, 8000, 60, 10)));
  }

  @Test
  void aNarrowingNeighbourhoodGivesItsStoredFingerprints() throws IOException {
    Fingerprinter narrowing = new Fingerprinter(
        new FingerprintParams(8000, 512, 64, 4, 230, 12, 12, 20, 4, 2, 63, 63, 1, 8, 3));
    try (PcmSource source = AudioDecoders.open(Samples.file("amber-steps.wav"), 8000)) {
      Fingerprints f = narrowing.fingerprint(source);
      assertEquals("c0cfb8cbf289a004b0e1fb30610a236d/1522", digest(f));
    }
    assertEquals("f9802bc14795fa04a19148ac4bda5fec/739",
        digest(narrowing.fingerprint(music(48000, 1, 12.5, 13), 48000)));
  }

  /** SHA-256 of the frame count, then each (hash, frame) pair, big-endian. */
  static String digest(Fingerprints f) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      ByteBuffer b = ByteBuffer.allocate(4 + 8 * f.size());
      b.putInt(f.frameCount());
      for (int i = 0; i < f.size(); i++) {
        b.putInt(f.hash(i)).putInt(f.frame(i));
      }
      return HexFormat.of().formatHex(md.digest(b.array())).substring(0, 32) + "/" + f.size();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Interleaved samples in [-1, 1] that change every quarter second: a few partials of random
   * pitch, decaying, plus a little noise, all from a seed (StrictMath, so every JVM agrees).
   */
  static float[] music(int rate, int channels, double seconds, long seed) {
    Random r = new Random(seed);
    int n = (int) (rate * seconds);
    float[] out = new float[n * channels];
    int note = rate / 4;
    double[] freq = new double[4];
    double[] amp = new double[4];
    for (int i = 0; i < n; i++) {
      if (i % note == 0) {
        for (int k = 0; k < 4; k++) {
          freq[k] = 80 + r.nextDouble() * 3000;
          amp[k] = 0.05 + 0.15 * r.nextDouble();
        }
      }
      double t = (double) i / rate;
      double decay = StrictMath.exp(-4.0 * (i % note) / rate);
      for (int c = 0; c < channels; c++) {
        double v = 0;
        for (int k = 0; k < 4; k++) {
          v += amp[k] * decay * StrictMath.sin(2 * StrictMath.PI * freq[k] * (1 + 0.001 * c) * t);
        }
        v += 0.01 * (r.nextDouble() - 0.5);
        out[i * channels + c] = (float) Math.max(-1, Math.min(1, v));
      }
    }
    return out;
  }

  /** A 16-bit PCM WAV of interleaved samples. */
  static byte[] wav16(float[] interleaved, int rate, int channels) {
    int dataBytes = interleaved.length * 2;
    ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + dataBytes);
    b.put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16);
    b.putShort((short) 1).putShort((short) channels).putInt(rate).putInt(rate * channels * 2);
    b.putShort((short) (channels * 2)).putShort((short) 16);
    b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(dataBytes);
    for (float v : interleaved) {
      b.putShort((short) Math.round(v * 32767));
    }
    return b.array();
  }
}
