package io.tunetrace.core.bench;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.Fingerprinter;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.hash.LandmarkHasher;
import io.tunetrace.core.peaks.PeakPicker;
import io.tunetrace.core.peaks.PeakSink;
import io.tunetrace.core.spectrum.RealFft;
import io.tunetrace.core.spectrum.Stft;
import io.tunetrace.core.testing.TestMusic;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The fingerprint stages on 60 s of synthesized music at the analysis rate (16 kHz): FFT of one
 * frame, the whole STFT, peak picking over precomputed spectra, hashing of precomputed peaks, and
 * the full pipeline. Divide 60 s by the time per operation for "× realtime per core".
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FingerprintBenchmark {
  private final FingerprintParams params = FingerprintParams.DEFAULT;
  private float[] pcm;
  private List<float[]> spectra;
  private int[][] peaks;
  private Fingerprinter fingerprinter;
  private RealFft fft;
  private float[] frame;
  private float[] power;

  @Setup
  public void setUp() {
    pcm = TestMusic.piece(42, 60, params.sampleRateHz());
    fingerprinter = new Fingerprinter(params);
    spectra = new ArrayList<>();
    new Stft(params.fftSize(), params.hopSamples(), (i, p) -> spectra.add(p.clone()))
        .push(pcm, 0, pcm.length);
    List<int[]> found = new ArrayList<>();
    PeakPicker picker = newPicker(new PeakSink() {
      @Override
      public void peak(int f, int bin, float strengthDb) {
        found.add(new int[] {f, bin});
      }

      @Override
      public void advanceTo(int f) {}

      @Override
      public void finish() {}
    });
    for (int i = 0; i < spectra.size(); i++) {
      picker.pushFrame(i, spectra.get(i));
    }
    picker.finish();
    peaks = found.toArray(new int[0][]);
    fft = new RealFft(params.fftSize());
    frame = pcm.clone();
    power = new float[params.fftSize() / 2 + 1];
  }

  private PeakPicker newPicker(PeakSink sink) {
    return new PeakPicker(params.minBin(), params.maxBin(), params.peakBinRadius(),
        params.peakFrameRadius(), (double) params.sampleRateHz() / params.hopSamples(),
        params.peaksPerSecond(), sink);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public float fftOneFrame() {
    fft.powerSpectrum(frame, power);
    return power[10];
  }

  @Benchmark
  public int stft() {
    int[] count = {0};
    new Stft(params.fftSize(), params.hopSamples(), (i, p) -> count[0]++).push(pcm, 0, pcm.length);
    return count[0];
  }

  @Benchmark
  public void peaks(Blackhole hole) {
    PeakPicker picker = newPicker(new PeakSink() {
      @Override
      public void peak(int f, int bin, float strengthDb) {
        hole.consume(bin);
      }

      @Override
      public void advanceTo(int f) {}

      @Override
      public void finish() {}
    });
    for (int i = 0; i < spectra.size(); i++) {
      picker.pushFrame(i, spectra.get(i));
    }
    picker.finish();
  }

  @Benchmark
  public void hashing(Blackhole hole) {
    LandmarkHasher hasher = new LandmarkHasher(params.fanOut(), params.minDeltaFrames(),
        params.maxDeltaFrames(), params.maxDeltaBins(), (h, f) -> hole.consume(h));
    for (int[] p : peaks) {
      hasher.peak(p[0], p[1], 0);
      hasher.advanceTo(p[0]);
    }
    hasher.finish();
  }

  @Benchmark
  public Fingerprints fullPipeline() {
    return fingerprinter.fingerprint(pcm, params.sampleRateHz());
  }
}
