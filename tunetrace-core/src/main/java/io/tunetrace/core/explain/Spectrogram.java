package io.tunetrace.core.explain;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.spectrum.Stft;

/**
 * A picture-ready spectrogram: for each STFT frame of a stretch of audio and each bin the peak
 * picker looks at, a level in 0..255 mapping {@code floorDb}..{@code ceilDb} linearly. Immutable.
 *
 * @param firstFrame STFT frame of the first column in the audio it was taken from
 * @param frames number of columns
 * @param minBin lowest FFT bin (row 0)
 * @param bins number of rows
 * @param frameMillis duration of one frame step
 * @param binHz width of one bin
 * @param levels {@code frames * bins} levels, column by column (frame-major)
 * @param floorDb level 0
 * @param ceilDb level 255
 */
public record Spectrogram(int firstFrame, int frames, int minBin, int bins, double frameMillis,
    double binHz, byte[] levels, double floorDb, double ceilDb) {

  /** Loudest-to-floor range shown. */
  static final double RANGE_DB = 70;

  public Spectrogram {
    if (frames < 0 || bins < 1 || levels.length != frames * bins) {
      throw new IllegalArgumentException("levels.length != frames * bins: " + levels.length
          + " != " + frames + " * " + bins);
    }
    levels = levels.clone();
  }

  @Override
  public byte[] levels() {
    return levels.clone();
  }

  /** Level (0..255) of bin {@code minBin + row} in column {@code column}. */
  public int level(int column, int row) {
    return levels[column * bins + row] & 0xFF;
  }

  /** Start of the first column, in milliseconds from the start of the audio. */
  public double startMillis() {
    return firstFrame * frameMillis;
  }

  public double endMillis() {
    return (firstFrame + frames) * frameMillis;
  }

  public double minHz() {
    return minBin * binHz;
  }

  public double maxHz() {
    return (minBin + bins) * binHz;
  }

  /**
   * The spectrogram of mono samples at the analysis rate of {@code params}, keeping frames
   * {@code fromFrame} (inclusive) to {@code toFrame} (exclusive) of that audio.
   *
   * @param samples audio starting at frame {@code sampleFrameOffset} (so frame numbers stay those
   *     of the whole recording)
   */
  static Spectrogram of(float[] samples, int sampleFrameOffset, FingerprintParams params,
      int fromFrame, int toFrame) {
    int minBin = params.minBin();
    int bins = params.maxBin() - params.minBin();
    int frames = Math.max(0, toFrame - fromFrame);
    float[] db = new float[frames * bins];
    java.util.Arrays.fill(db, Float.NEGATIVE_INFINITY);
    Stft stft = new Stft(params.fftSize(), params.hopSamples(), (i, power) -> {
      int column = i + sampleFrameOffset - fromFrame;
      if (column < 0 || column >= frames) {
        return;
      }
      for (int b = 0; b < bins; b++) {
        db[column * bins + b] = (float) (10 * Math.log10(power[minBin + b] + 1e-12));
      }
    });
    stft.push(samples, 0, samples.length);
    float ceil = Float.NEGATIVE_INFINITY;
    for (float v : db) {
      ceil = Math.max(ceil, v);
    }
    if (ceil == Float.NEGATIVE_INFINITY) {
      ceil = 0;
    }
    double floor = ceil - RANGE_DB;
    byte[] levels = new byte[db.length];
    for (int i = 0; i < db.length; i++) {
      double v = (db[i] - floor) / RANGE_DB;
      levels[i] = (byte) Math.round(255 * Math.max(0, Math.min(1, v)));
    }
    return new Spectrogram(fromFrame, frames, minBin, bins, params.frameMillis(),
        (double) params.sampleRateHz() / params.fftSize(), levels, floor, ceil);
  }
}
