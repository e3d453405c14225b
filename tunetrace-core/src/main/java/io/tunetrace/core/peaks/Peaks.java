package io.tunetrace.core.peaks;

import java.util.Arrays;

/**
 * The spectral peaks of one piece of audio, in frame order: STFT frame, FFT bin with its interpolated
 * sub-bin offset, and strength in dB. Queries keep their peaks so that
 * variants of the clip (played faster, time-stretched, pitch-shifted) can be hashed from them without
 * analysing the audio again. Immutable and thread-safe.
 */
public final class Peaks {
  private final int[] frames;
  private final int[] bins;
  private final float[] offsets;
  private final float[] strengthsDb;
  private final int frameCount;

  private Peaks(int[] frames, int[] bins, float[] offsets, float[] strengthsDb, int frameCount) {
    this.frames = frames;
    this.bins = bins;
    this.offsets = offsets;
    this.strengthsDb = strengthsDb;
    this.frameCount = frameCount;
  }

  public int size() {
    return frames.length;
  }

  public int frame(int i) {
    return frames[i];
  }

  /** The peak's FFT bin, as the index stores it. */
  public int bin(int i) {
    return bins[i];
  }

  /** The peak's frequency in fractional FFT bins: its bin plus the interpolated offset. */
  public float frequencyBins(int i) {
    return bins[i] + offsets[i];
  }

  public float strengthDb(int i) {
    return strengthsDb[i];
  }

  /** The duration of the analysed audio in STFT frames. */
  public int frameCount() {
    return frameCount;
  }

  @Override
  public String toString() {
    return "Peaks{size=" + frames.length + ", frameCount=" + frameCount + "}";
  }

  /** Collects peaks from a {@link PeakPicker}. Not thread-safe. */
  public static final class Collector implements PeakSink {
    private int[] frames = new int[256];
    private int[] bins = new int[256];
    private float[] offsets = new float[256];
    private float[] strengths = new float[256];
    private int size;

    @Override
    public void peak(int frame, int bin, float strengthDb) {
      peak(frame, bin, 0f, strengthDb);
    }

    @Override
    public void peak(int frame, int bin, float binOffset, float strengthDb) {
      if (size == frames.length) {
        frames = Arrays.copyOf(frames, size * 2);
        bins = Arrays.copyOf(bins, size * 2);
        offsets = Arrays.copyOf(offsets, size * 2);
        strengths = Arrays.copyOf(strengths, size * 2);
      }
      frames[size] = frame;
      bins[size] = bin;
      offsets[size] = binOffset;
      strengths[size] = strengthDb;
      size++;
    }

    @Override
    public void advanceTo(int frame) {}

    @Override
    public void finish() {}

    /** The peaks collected so far, for audio of {@code frameCount} frames. */
    public Peaks toPeaks(int frameCount) {
      return new Peaks(Arrays.copyOf(frames, size), Arrays.copyOf(bins, size),
          Arrays.copyOf(offsets, size), Arrays.copyOf(strengths, size), frameCount);
    }
  }
}
