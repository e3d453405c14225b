package io.tunetrace.core.peaks;

/** Receives spectral peaks in ascending frame order. */
public interface PeakSink {
  /**
   * A peak at an STFT frame and FFT bin.
   *
   * @param strengthDb the peak's power in dB (relative to a full-scale-free reference)
   */
  void peak(int frame, int bin, float strengthDb);

  /**
   * A peak with its sub-bin position: the true frequency lies near {@code bin + binOffset} bins
   * (parabolic interpolation of the log spectrum, {@code binOffset} in [-0.5, 0.5]). Sinks that
   * need only whole bins keep the default, which drops the offset.
   */
  default void peak(int frame, int bin, float binOffset, float strengthDb) {
    peak(frame, bin, strengthDb);
  }

  /** Every peak at a frame below {@code frame} has been delivered. */
  void advanceTo(int frame);

  /** No more peaks will come. */
  void finish();
}
