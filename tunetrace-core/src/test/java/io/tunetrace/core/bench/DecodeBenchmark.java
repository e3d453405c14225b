package io.tunetrace.core.bench;

import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.audio.Resampler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding 60 s of audio held in memory to mono floats: a 16-bit stereo 44.1 kHz WAV (alone and
 * with resampling to 16 kHz), and a 64 kbps mono MPEG-1 MP3 through the pure-Java decoder (at the
 * full rate, and at a quarter of it resampled to 8 kHz) and through ffmpeg (wall time; ffmpeg runs
 * in its own process). One operation is 60 s of audio, so realtime factor
 * = 60 000 ms / score, except for the 5 s phone query (MPEG-2.5, decoded in Java).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class DecodeBenchmark {
  static final int SECONDS = 60;
  static final int RATE_HZ = 44100;

  private byte[] wav;
  private byte[] mp3;
  private final float[] buffer = new float[4096];

  @Setup
  public void setUp() throws IOException {
    wav = stereoWav(SECONDS, RATE_HZ);
    byte[] two;
    try (InputStream in =
        DecodeBenchmark.class.getResourceAsStream("/audio/sine-1000hz-44100-mono-64k.mp3")) {
      two = in.readAllBytes();
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < SECONDS / 2; i++) {
      b.writeBytes(two); // MPEG frames concatenate into a longer valid stream
    }
    mp3 = b.toByteArray();
  }

  /** A 16-bit stereo WAV with a chirp on the left and noise on the right. */
  static byte[] stereoWav(int seconds, int rateHz) {
    int frames = seconds * rateHz;
    ByteBuffer b = ByteBuffer.allocate(44 + frames * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + frames * 4).put("WAVE".getBytes());
    b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 2);
    b.putInt(rateHz).putInt(rateHz * 4).putShort((short) 4).putShort((short) 16);
    b.put("data".getBytes()).putInt(frames * 4);
    java.util.Random random = new java.util.Random(1);
    for (int i = 0; i < frames; i++) {
      double t = (double) i / rateHz;
      b.putShort((short) (12000 * Math.sin(2 * Math.PI * (200 + 50 * t) * t)));
      b.putShort((short) (random.nextGaussian() * 3000));
    }
    return b.array();
  }

  @Benchmark
  public long wav16BitStereo60s() throws IOException {
    return drain(AudioDecoders.open(new ByteArrayInputStream(wav)));
  }

  /** The whole front end for a WAV: decode, downmix and resample to the 16 kHz analysis rate. */
  @Benchmark
  public long wav16BitStereo60sTo16kHz() throws IOException {
    return drain(Resampler.resample(AudioDecoders.open(new ByteArrayInputStream(wav)), 16000));
  }

  /** The pure-Java MP3 decoder at the full rate, as used for the native rate without ffmpeg. */
  @Benchmark
  public long mp3Mpeg1Mono64k60sPureJava() throws IOException {
    System.setProperty("tunetrace.ffmpeg", "/nonexistent/ffmpeg");
    try {
      return drain(AudioDecoders.open(new ByteArrayInputStream(mp3)));
    } finally {
      System.clearProperty("tunetrace.ffmpeg");
    }
  }

  /** MP3 through an ffmpeg process, at its native rate (what an MPEG-1 MP3 asked for so gets). */
  @Benchmark
  public long mp3Mpeg1Mono64k60sFfmpeg() throws IOException {
    return drain(AudioDecoders.open(new ByteArrayInputStream(mp3), 0));
  }

  /**
   * What fingerprinting does with an MP3: the Java decoder at a quarter of the rate (11,025 Hz,
   * only the lowest 8 subbands), then the resampler to the 8 kHz analysis rate.
   */
  @Benchmark
  public long mp3Mpeg1Mono64k60sJavaTo8kHz() throws IOException {
    return drain(Resampler.resample(
        AudioDecoders.open(new ByteArrayInputStream(mp3), 8000), 8000, Resampler.Quality.ANALYSIS));
  }

  /** A 5 s phone-quality query: MPEG-2.5 layer III, 8 kHz mono, 32 kbps, made by LAME. */
  @State(Scope.Benchmark)
  public static class PhoneClip {
    byte[] mp3;

    @Setup
    public void setUp() throws IOException, InterruptedException {
      mp3 = phoneMp3(5);
    }
  }

  /**
   * LAME-encodes {@code seconds} of a chirp with noise bursts (a speech-like mix of tones and
   * transients) at 8 kHz, 32 kbps, mono. Needs ffmpeg with libmp3lame.
   */
  static byte[] phoneMp3(int seconds) throws IOException, InterruptedException {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("phone", ".mp3");
    try {
      Process p =
          new ProcessBuilder(
                  java.util.List.of("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                      "aevalsrc=exprs='0.3*sin(2*PI*(200+300*t)*t)"
                          + "+0.25*(random(0)-0.5)*gt(mod(t\\,0.5)\\,0.42)':s=8000:d=" + seconds,
                      "-c:a", "libmp3lame", "-b:a", "32k", file.toString()))
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IOException("ffmpeg failed: " + out);
      }
      return java.nio.file.Files.readAllBytes(file);
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  /**
   * A phone query decoded in the JVM (the route AudioDecoders takes for MPEG-2.5); before, it
   * started an ffmpeg process. One operation is 5 s of audio.
   */
  @Benchmark
  public long mp3Mpeg25Mono32k5sPureJava(PhoneClip clip) throws IOException {
    return drain(AudioDecoders.open(new ByteArrayInputStream(clip.mp3)));
  }

  private long drain(PcmSource source) throws IOException {
    long n = 0;
    float sum = 0;
    try (source) {
      int r;
      while ((r = source.read(buffer, 0, buffer.length)) > 0) {
        n += r;
        sum += buffer[0];
      }
    }
    return n + (long) sum;
  }
}
