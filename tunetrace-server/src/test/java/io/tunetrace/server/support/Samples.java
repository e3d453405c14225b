package io.tunetrace.server.support;

import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.PcmSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** The project's sample music ({@code samples/}, CC0) and noisy clips of it as WAV files. */
public final class Samples {
  private Samples() {}

  /** {@code samples/<name>} of the repository (tests run in the module's folder). */
  public static Path file(String name) {
    Path p = Path.of("..", "samples", name).toAbsolutePath().normalize();
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("sample missing: " + p);
    }
    return p;
  }

  /** Decoded audio: mono samples and their rate. */
  public record Audio(float[] samples, int sampleRateHz) {}

  public static Audio decode(String name) throws IOException {
    try (PcmSource pcm = AudioDecoders.open(file(name))) {
      return new Audio(PcmSource.readAll(pcm, Integer.MAX_VALUE / 2), pcm.sampleRateHz());
    }
  }

  /**
   * A 16-bit mono WAV of {@code seconds} of sample {@code name} from {@code fromSeconds}, with
   * white noise added at {@code snrDb} (signal power over noise power).
   */
  public static Path noisyClip(String name, double fromSeconds, double seconds, double snrDb,
      long seed, Path dir) throws IOException {
    Audio a = decode(name);
    int from = (int) (fromSeconds * a.sampleRateHz());
    int n = Math.min(a.samples().length - from, (int) (seconds * a.sampleRateHz()));
    float[] clip = new float[n];
    System.arraycopy(a.samples(), from, clip, 0, n);
    Path out = dir.resolve(name.replaceAll("\\..*$", "") + "-clip-" + seed + ".wav");
    Files.write(out, wav(withNoise(clip, snrDb, seed), a.sampleRateHz()));
    return out;
  }

  /** {@code clip} with white noise added in place at {@code snrDb}; returns it. */
  public static float[] withNoise(float[] clip, double snrDb, long seed) {
    int n = clip.length;
    double power = 0;
    for (float v : clip) {
      power += v * v;
    }
    power /= Math.max(1, n);
    double noiseRms = Math.sqrt(power / Math.pow(10, snrDb / 10));
    Random random = new Random(seed);
    for (int i = 0; i < n; i++) {
      clip[i] += (float) (random.nextGaussian() * noiseRms);
    }
    return clip;
  }

  /** A canonical 16-bit mono WAV file at any rate. */
  public static byte[] wav(float[] samples, int rateHz) {
    ByteBuffer b = ByteBuffer.allocate(44 + samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + samples.length * 2).put("WAVE".getBytes());
    b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rateHz)
        .putInt(rateHz * 2).putShort((short) 2).putShort((short) 16);
    b.put("data".getBytes()).putInt(samples.length * 2);
    for (float s : samples) {
      b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(s * 32767))));
    }
    return b.array();
  }
}
