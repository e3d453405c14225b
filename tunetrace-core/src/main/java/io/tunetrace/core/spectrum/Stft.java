package io.tunetrace.core.spectrum;

/**
 * Streaming short-time Fourier transform with a periodic Hann window: push samples in chunks of any
 * size; every complete frame's power spectrum (bins 0..fftSize/2) is handed to the consumer in
 * order. Memory is one frame, whatever the length of the audio.
 *
 * <p>Not thread-safe.
 */
public final class Stft {
  /** Receives one power spectrum; the array is reused after the call returns. */
  @FunctionalInterface
  public interface FrameConsumer {
    void accept(int frameIndex, float[] power);
  }

  private final int fftSize;
  private final int hopSamples;
  private final float[] window;
  private final RealFft fft;
  private final float[] buffer;
  private final float[] power;
  private final FrameConsumer consumer;
  private int filled;
  private int frameIndex;

  public Stft(int fftSize, int hopSamples, FrameConsumer consumer) {
    if (hopSamples < 1 || hopSamples > fftSize) {
      throw new IllegalArgumentException("hopSamples out of [1, fftSize]: " + hopSamples);
    }
    this.fftSize = fftSize;
    this.hopSamples = hopSamples;
    this.fft = new RealFft(fftSize);
    this.window = hann(fftSize);
    this.buffer = new float[fftSize];
    this.power = new float[fftSize / 2 + 1];
    this.consumer = consumer;
  }

  /** The periodic Hann window of length n. */
  public static float[] hann(int n) {
    float[] w = new float[n];
    for (int i = 0; i < n; i++) {
      w[i] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * i / n));
    }
    return w;
  }

  /** Number of complete frames in a signal of the given length. */
  public static int frameCount(long samples, int fftSize, int hopSamples) {
    return samples < fftSize ? 0 : (int) ((samples - fftSize) / hopSamples + 1);
  }

  public void push(float[] samples, int offset, int length) {
    int end = offset + length;
    int i = offset;
    while (i < end) {
      int take = Math.min(end - i, fftSize - filled);
      System.arraycopy(samples, i, buffer, filled, take);
      filled += take;
      i += take;
      if (filled == fftSize) {
        emit();
        System.arraycopy(buffer, hopSamples, buffer, 0, fftSize - hopSamples);
        filled = fftSize - hopSamples;
      }
    }
  }

  private void emit() {
    fft.powerSpectrum(buffer, window, power); // windowed as it is loaded
    consumer.accept(frameIndex++, power);
  }

  /** Frames emitted so far. */
  public int frames() {
    return frameIndex;
  }
}
