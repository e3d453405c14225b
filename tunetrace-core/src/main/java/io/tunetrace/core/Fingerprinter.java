package io.tunetrace.core;

import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.audio.Resampler;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.hash.LandmarkHasher;
import io.tunetrace.core.internal.IntPairList;
import io.tunetrace.core.peaks.LocalMaxima;
import io.tunetrace.core.peaks.PeakPicker;
import io.tunetrace.core.peaks.Peaks;
import io.tunetrace.core.spectrum.Stft;
import java.io.IOException;

/**
 * Turns audio into landmark hashes: resample to the analysis rate, STFT, spectral peaks, landmark
 * pairs, hashes. Works in bounded memory on streams of any length.
 *
 * <p>Thread-safe: one instance may fingerprint on many threads at once.
 */
public final class Fingerprinter {
  private final FingerprintParams params;

  public Fingerprinter(FingerprintParams params) {
    if (params == null) {
      throw new IllegalArgumentException("params == null");
    }
    this.params = params;
  }

  public FingerprintParams params() {
    return params;
  }

  /** Fingerprints mono samples in [-1, 1] at the given rate, as stored in an index. */
  public Fingerprints fingerprint(float[] samples, int sampleRateHz) {
    return fingerprint(samples, sampleRateHz, params.peaksPerSecond(), params.fanOut());
  }

  /**
   * Fingerprints with another peak density and fan-out than the stored ones. Queries use a denser
   * setting: extra query hashes cost little and raise the chance that the reference's pairs are
   * among them; the hashes themselves are laid out exactly as in the index.
   */
  public Fingerprints fingerprint(float[] samples, int sampleRateHz, int peaksPerSecond, int fanOut) {
    float[] pcm = sampleRateHz == params.sampleRateHz()
        ? samples
        : Resampler.resample(samples, sampleRateHz, params.sampleRateHz(),
            Resampler.Quality.ANALYSIS);
    Pipeline pipeline = new Pipeline(params, peaksPerSecond, fanOut);
    pipeline.push(pcm, 0, pcm.length);
    return pipeline.finish();
  }

  /**
   * The spectral peaks a query keeps, so that it can hash variants of itself without analysing the
   * audio again (see {@link io.tunetrace.core.match.QueryHashes}): two sets from one STFT of mono
   * samples already at the analysis rate, one with the index's neighbourhood at
   * {@code peaksPerSecond}, one with a smaller neighbourhood ({@code binRadius} × {@code
   * frameRadius}, narrowing towards the bass as the index's does) at {@code densePeaksPerSecond}.
   *
   * @return the index-neighbourhood peaks first, the dense ones second
   */
  public Peaks[] peaks(float[] analysisRateSamples, int peaksPerSecond, int densePeaksPerSecond,
      int binRadius, int frameRadius) {
    return peaks(analysisRateSamples, peaksPerSecond, densePeaksPerSecond, binRadius, frameRadius,
        null);
  }

  /**
   * As {@link #peaks(float[], int, int, int, int)}, also pushing every power spectrum of the STFT
   * into {@code maxima} (when not null), for the clip's spectral local maxima.
   */
  public Peaks[] peaks(float[] analysisRateSamples, int peaksPerSecond, int densePeaksPerSecond,
      int binRadius, int frameRadius, LocalMaxima.Builder maxima) {
    double framesPerSecond = (double) params.sampleRateHz() / params.hopSamples();
    Peaks.Collector standard = new Peaks.Collector();
    PeakPicker standardPicker = new PeakPicker(params.minBin(), params.maxBin(),
        params::peakBinRadiusAt, params.peakFrameRadius(), framesPerSecond, peaksPerSecond,
        standard);
    // With the index's own neighbourhood and density, the second set is the first.
    boolean same = binRadius == params.peakBinRadius() && frameRadius == params.peakFrameRadius()
        && densePeaksPerSecond == peaksPerSecond;
    Peaks.Collector dense = new Peaks.Collector();
    PeakPicker densePicker = same ? null : new PeakPicker(params.minBin(), params.maxBin(),
        bin -> params.binRadiusAt(bin, binRadius), frameRadius, framesPerSecond,
        densePeaksPerSecond, dense);
    Stft stft = new Stft(params.fftSize(), params.hopSamples(), (i, power) -> {
      standardPicker.pushFrame(i, power);
      if (densePicker != null) {
        densePicker.pushFrame(i, power);
      }
      if (maxima != null) {
        maxima.push(power);
      }
    });
    stft.push(analysisRateSamples, 0, analysisRateSamples.length);
    standardPicker.finish();
    Peaks peaks = standard.toPeaks(stft.frames());
    if (densePicker == null) {
      return new Peaks[] {peaks, peaks};
    }
    densePicker.finish();
    return new Peaks[] {peaks, dense.toPeaks(stft.frames())};
  }

  /** Reads {@code source} to its end and fingerprints it; does not close it. */
  public Fingerprints fingerprint(PcmSource source) throws IOException {
    return fingerprint(source, params.peaksPerSecond(), params.fanOut());
  }

  /** Streams {@code source} through the pipeline with the given density; does not close it. */
  public Fingerprints fingerprint(PcmSource source, int peaksPerSecond, int fanOut)
      throws IOException {
    Pipeline pipeline = new Pipeline(params, peaksPerSecond, fanOut);
    PcmSource pcm = Resampler.resample(new Unclosed(source), params.sampleRateHz(),
        Resampler.Quality.ANALYSIS);
    float[] buffer = new float[16384];
    int n;
    while ((n = pcm.read(buffer, 0, buffer.length)) >= 0) {
      pipeline.push(buffer, 0, n);
    }
    return pipeline.finish();
  }

  /** One pass of the pipeline over one piece of audio: STFT → peaks → landmark hashes. */
  static final class Pipeline {
    private final IntPairList hashes = new IntPairList();
    private final PeakPicker peaks;
    private final LandmarkHasher hasher;
    private final Stft stft;

    Pipeline(FingerprintParams params, int peaksPerSecond, int fanOut) {
      this.hasher = new LandmarkHasher(fanOut, params.minDeltaFrames(), params.maxDeltaFrames(),
          params.maxDeltaBins(), hashes::add);
      double framesPerSecond = (double) params.sampleRateHz() / params.hopSamples();
      this.peaks = new PeakPicker(params.minBin(), params.maxBin(), params::peakBinRadiusAt,
          params.peakFrameRadius(), framesPerSecond, peaksPerSecond, hasher);
      this.stft = new Stft(params.fftSize(), params.hopSamples(), peaks::pushFrame);
    }

    void push(float[] samples, int offset, int length) {
      stft.push(samples, offset, length);
    }

    Fingerprints finish() {
      peaks.finish();
      hashes.sortBySecond();
      return Fingerprints.of(hashes.firsts(), hashes.seconds(), hashes.size(), stft.frames());
    }
  }

  /** Keeps the caller's source open when the resampler closes its wrapper. */
  private record Unclosed(PcmSource source) implements PcmSource {
    @Override
    public int sampleRateHz() {
      return source.sampleRateHz();
    }

    @Override
    public int read(float[] buffer, int offset, int length) throws IOException {
      return source.read(buffer, offset, length);
    }

    @Override
    public void close() {}
  }
}
