package io.tunetrace.core.hash;

import java.util.Arrays;

/**
 * The landmark hashes of one piece of audio: parallel arrays of 32-bit hashes and the STFT frame
 * (of the anchor peak) at which each occurs, ordered by frame. Immutable and thread-safe.
 */
public final class Fingerprints {
  private static final int[] EMPTY = new int[0];

  private final int[] hashes;
  private final int[] frames;
  private final int frameCount;

  private Fingerprints(int[] hashes, int[] frames, int frameCount) {
    this.hashes = hashes;
    this.frames = frames;
    this.frameCount = frameCount;
  }

  /**
   * Copies the first {@code size} entries of the given arrays.
   *
   * @param frameCount the number of STFT frames the audio spanned (its duration in frames)
   */
  public static Fingerprints of(int[] hashes, int[] frames, int size, int frameCount) {
    if (size < 0 || size > hashes.length || size > frames.length) {
      throw new IllegalArgumentException("size out of range: " + size);
    }
    if (frameCount < 0) {
      throw new IllegalArgumentException("frameCount < 0: " + frameCount);
    }
    for (int i = 0; i < size; i++) {
      if (frames[i] < 0 || (i > 0 && frames[i] < frames[i - 1])) {
        throw new IllegalArgumentException("frames must be >= 0 and ascending at " + i);
      }
    }
    return new Fingerprints(Arrays.copyOf(hashes, size), Arrays.copyOf(frames, size), frameCount);
  }

  /** No hashes: silence, or audio too short to pair any peaks. */
  public static Fingerprints empty(int frameCount) {
    return new Fingerprints(EMPTY, EMPTY, frameCount);
  }

  public int size() {
    return hashes.length;
  }

  public int hash(int i) {
    return hashes[i];
  }

  public int frame(int i) {
    return frames[i];
  }

  /** A copy of the hashes. */
  public int[] hashes() {
    return hashes.clone();
  }

  /** A copy of the frames. */
  public int[] frames() {
    return frames.clone();
  }

  /** The duration of the fingerprinted audio in STFT frames. */
  public int frameCount() {
    return frameCount;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fingerprints f
        && frameCount == f.frameCount
        && Arrays.equals(hashes, f.hashes)
        && Arrays.equals(frames, f.frames);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(hashes) + Arrays.hashCode(frames);
  }

  @Override
  public String toString() {
    return "Fingerprints{size=" + hashes.length + ", frameCount=" + frameCount + "}";
  }
}
