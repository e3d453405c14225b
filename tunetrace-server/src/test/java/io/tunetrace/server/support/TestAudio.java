package io.tunetrace.server.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Synthesized "songs" (seeded random melodies of tones with a little noise) and WAV/MP3 files. */
public final class TestAudio {
  public static final int RATE = 44100;

  private TestAudio() {}

  /** A deterministic melody: 1/8-second notes of 2-3 harmonics each, different per seed. */
  public static float[] song(long seed, double seconds) {
    Random r = new Random(seed);
    int n = (int) (seconds * RATE);
    float[] out = new float[n];
    int note = RATE / 8;
    double[] phase = new double[3];
    double[] freq = new double[3];
    for (int i = 0; i < n; i++) {
      if (i % note == 0) {
        for (int k = 0; k < 3; k++) {
          freq[k] = 200 + r.nextInt(3000);
        }
      }
      double v = 0;
      for (int k = 0; k < 3; k++) {
        phase[k] += 2 * Math.PI * freq[k] / RATE;
        v += Math.sin(phase[k]) * (0.25 / (k + 1));
      }
      out[i] = (float) (v + (r.nextDouble() - 0.5) * 0.01);
    }
    return out;
  }

  public static float[] slice(float[] samples, double fromSeconds, double seconds) {
    int from = (int) (fromSeconds * RATE);
    int len = Math.min(samples.length - from, (int) (seconds * RATE));
    float[] out = new float[len];
    System.arraycopy(samples, from, out, 0, len);
    return out;
  }

  /** PCM 16-bit little-endian mono samples (no header). */
  public static byte[] pcm16(float[] samples) {
    ByteBuffer b = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float s : samples) {
      b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(s * 32767))));
    }
    return b.array();
  }

  /** A canonical 16-bit mono WAV file. */
  public static byte[] wav(float[] samples) {
    byte[] pcm = pcm16(samples);
    ByteBuffer h = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
    h.put("RIFF".getBytes()).putInt(36 + pcm.length).put("WAVE".getBytes());
    h.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(RATE)
        .putInt(RATE * 2).putShort((short) 2).putShort((short) 16);
    h.put("data".getBytes()).putInt(pcm.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(h.array());
    out.writeBytes(pcm);
    return out.toByteArray();
  }

  /**
   * Encodes to AAC in an M4A file as ffmpeg does by default: the index (moov) after the audio,
   * as phones write it, so a decoder reading a pipe cannot seek back to it.
   */
  public static byte[] m4a(float[] samples, Path dir) throws IOException, InterruptedException {
    return ffmpeg(samples, dir, ".m4a", List.of("-c:a", "aac", "-b:a", "128k"));
  }

  /** Encodes to MP3 with ffmpeg (installed on the machine and in CI). */
  public static byte[] mp3(float[] samples, Path dir) throws IOException, InterruptedException {
    return ffmpeg(samples, dir, ".mp3", List.of("-codec:a", "libmp3lame", "-b:a", "128k"));
  }

  private static byte[] ffmpeg(float[] samples, Path dir, String extension, List<String> codec)
      throws IOException, InterruptedException {
    Path in = Files.createTempFile(dir, "song", ".wav");
    Path out = Files.createTempFile(dir, "song", extension);
    Files.write(in, wav(samples));
    List<String> cmd = new java.util.ArrayList<>(List.of("ffmpeg", "-v", "error", "-y", "-i", in.toString()));
    cmd.addAll(codec);
    cmd.add(out.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("ffmpeg failed to encode " + extension + ": " + log);
    }
    return Files.readAllBytes(out);
  }
}
