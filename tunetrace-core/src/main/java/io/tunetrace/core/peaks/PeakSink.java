package io.tunetrace.core.peaks;

/** Receives spectral peaks in ascending frame order. */
public interface PeakSink {
  /**
   * A peak at an STFT frame and FFT bin.
   *
   * @param strengthDb the peak's power in dB (relative to a full-scale-free reference)
   */
  void peak(int frame, int bin, float strengthDb);

  /** Every peak at a frame below {@code frame} has been delivered. */
  void advanceTo(int frame);

  /** No more peaks will come. */
  void finish();
}
