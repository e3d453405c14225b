package io.tunetrace.core.hash;

import io.tunetrace.core.peaks.PeakSink;
import java.util.Arrays;

/**
 * Pairs each anchor peak with up to {@code fanOut} target peaks in its target zone (from
 * {@code minDeltaFrames} to {@code maxDeltaFrames} frames later, within ±{@code maxDeltaBins}
 * bins), nearest in time first, and emits one {@link HashLayout} hash per pair at the anchor's
 * frame. Streaming: an anchor is paired as soon as every peak of its zone is known.
 *
 * <p>Not thread-safe.
 */
public final class LandmarkHasher implements PeakSink {
  /** Receives hashes in ascending frame order. */
  @FunctionalInterface
  public interface HashSink {
    void hash(int hash, int frame);
  }

  private final int fanOut;
  private final int minDeltaFrames;
  private final int maxDeltaFrames;
  private final int maxDeltaBins;
  private final HashSink sink;
  private int[] frames = new int[256];
  private int[] bins = new int[256];
  private int head;
  private int tail;

  public LandmarkHasher(
      int fanOut, int minDeltaFrames, int maxDeltaFrames, int maxDeltaBins, HashSink sink) {
    this.fanOut = fanOut;
    this.minDeltaFrames = minDeltaFrames;
    this.maxDeltaFrames = maxDeltaFrames;
    this.maxDeltaBins = maxDeltaBins;
    this.sink = sink;
  }

  @Override
  public void peak(int frame, int bin, float strengthDb) {
    if (tail == frames.length) {
      if (head > 0) {
        int n = tail - head;
        System.arraycopy(frames, head, frames, 0, n);
        System.arraycopy(bins, head, bins, 0, n);
        tail = n;
        head = 0;
      } else {
        frames = Arrays.copyOf(frames, frames.length * 2);
        bins = Arrays.copyOf(bins, bins.length * 2);
      }
    }
    frames[tail] = frame;
    bins[tail] = bin;
    tail++;
  }

  @Override
  public void advanceTo(int frame) {
    while (head < tail && frames[head] + maxDeltaFrames < frame) {
      pair(head++);
    }
  }

  @Override
  public void finish() {
    while (head < tail) {
      pair(head++);
    }
  }

  private void pair(int anchor) {
    int frame = frames[anchor];
    int bin = bins[anchor];
    int made = 0;
    for (int j = anchor + 1; j < tail && made < fanOut; j++) {
      int dt = frames[j] - frame;
      if (dt > maxDeltaFrames) {
        break;
      }
      int df = bins[j] - bin;
      if (dt >= minDeltaFrames && df >= -maxDeltaBins && df <= maxDeltaBins) {
        sink.hash(HashLayout.encode(bin, df, dt), frame);
        made++;
      }
    }
  }
}
