package io.tunetrace.core.bench;

import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.audio.Resampler;
import java.io.IOException;
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
 * Resampling 60 s of mono audio to 16 kHz (and to 8 kHz with the analysis filter), as an array and as a stream read in 4096-sample
 * blocks. One operation is 60 s of audio, so realtime factor = 60 000 ms / score, and the cost per
 * input second is score / 60.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ResampleBenchmark {
  static final int SECONDS = 60;

  private float[] at44k;
  private float[] at48k;
  private final float[] buffer = new float[4096];

  @Setup
  public void setUp() {
    at44k = signal(44100);
    at48k = signal(48000);
  }

  private static float[] signal(int rateHz) {
    float[] x = new float[SECONDS * rateHz];
    java.util.Random random = new java.util.Random(2);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440.0 * i / rateHz) + 0.1 * random.nextGaussian());
    }
    return x;
  }

  @Benchmark
  public float[] array44100To16000() {
    return Resampler.resample(at44k, 44100, 16000);
  }

  @Benchmark
  public float[] array48000To16000() {
    return Resampler.resample(at48k, 48000, 16000);
  }

  /** What fingerprinting does with a 44.1 kHz WAV: the analysis filter to the default 8 kHz. */
  @Benchmark
  public float[] array44100To8000Analysis() {
    return Resampler.resample(at44k, 44100, 8000, Resampler.Quality.ANALYSIS);
  }

  @Benchmark
  public long stream44100To16000() throws IOException {
    long n = 0;
    try (PcmSource s = Resampler.resample(PcmSource.of(at44k, 44100), 16000)) {
      int r;
      while ((r = s.read(buffer, 0, buffer.length)) > 0) {
        n += r;
      }
    }
    return n;
  }
}
