package io.tunetrace.core.peaks;

/**
 * Where a clip's power spectrum has a local maximum: bin {@code b} of frame {@code f} is one when
 * its power is at least that of each of its eight neighbours (±1 bin, ±1 frame) and above the
 * floor the peak picker uses. Unlike the peaks the picker keeps (the strongest of a wide
 * neighbourhood, at a fixed density), every local maximum counts, so a partial that noise has
 * outshone as a peak still shows as a local maximum of its own. {@link
 * io.tunetrace.core.match.SpectralAgreement} asks whether the clip has one where a reference has
 * its peaks.
 *
 * <p>Holds the maxima spread over ±1 bin and ±1 or ±2 frames (the tolerances of the check), one
 * bit per bin and frame each: 5 longs per frame and map at the default parameters, about 1.2 MB
 * for the longest clip kept (120 s). Immutable; thread-safe.
 */
public final class LocalMaxima {
  private final int frames;
  private final int bins;
  private final int words;
  /** Local maxima spread over ±1 bin and ±1 frame. */
  private final long[] nearOneFrame;
  /** Local maxima spread over ±1 bin and ±2 frames. */
  private final long[] nearTwoFrames;

  private LocalMaxima(int frames, int bins, long[] exact) {
    this.frames = frames;
    this.bins = bins;
    this.words = wordsFor(bins);
    long[] nearBins = new long[exact.length];
    for (int f = 0; f < frames; f++) {
      for (int w = 0; w < words; w++) {
        int i = f * words + w;
        long x = exact[i];
        long below = w > 0 ? exact[i - 1] >>> 63 : 0;
        long above = w + 1 < words ? exact[i + 1] << 63 : 0;
        nearBins[i] = x | (x << 1) | below | (x >>> 1) | above;
      }
    }
    this.nearOneFrame = spreadOverFrames(nearBins, 1);
    this.nearTwoFrames = spreadOverFrames(nearBins, 2);
  }

  private long[] spreadOverFrames(long[] src, int tol) {
    long[] out = new long[src.length];
    for (int f = 0; f < frames; f++) {
      for (int g = Math.max(0, f - tol); g <= Math.min(frames - 1, f + tol); g++) {
        for (int w = 0; w < words; w++) {
          out[f * words + w] |= src[g * words + w];
        }
      }
    }
    return out;
  }

  private static int wordsFor(int bins) {
    return (bins + 63) >>> 6;
  }

  /** Frames of the clip. */
  public int frameCount() {
    return frames;
  }

  /** Bins of each frame (FFT size / 2 + 1). */
  public int binCount() {
    return bins;
  }

  /**
   * Whether the clip has a local maximum within ±1 bin and ±{@code toleranceFrames} frames (1 or
   * 2) of {@code (frame, bin)}; false outside the clip.
   */
  public boolean near(int frame, int bin, int toleranceFrames) {
    if (frame < 0 || frame >= frames || bin < 0 || bin >= bins) {
      return false;
    }
    long[] map = switch (toleranceFrames) {
      case 1 -> nearOneFrame;
      case 2 -> nearTwoFrames;
      default -> throw new IllegalArgumentException(
          "toleranceFrames must be 1 or 2: " + toleranceFrames);
    };
    return (map[frame * words + (bin >>> 6)] >>> (bin & 63) & 1L) != 0;
  }

  /**
   * Collects the local maxima of power spectra pushed frame by frame (an STFT's), keeping three
   * frames at a time. Not thread-safe.
   */
  public static final class Builder {
    /** The least power above the floor: a maximum must reach it. */
    private final float aboveFloor;
    private float[] scratch = new float[0];
    /** 3-bin maxima of the frame before the one to decide; that frame's powers and maxima. */
    private float[] previousMax;
    private float[] currentRow;
    private float[] currentMax;
    /** Arrays no longer needed, for the next frame. */
    private float[] freeRow;
    private float[] freeMax;
    private long[] bits = new long[64];
    private int frames;
    private int bins = -1;
    private boolean built;

    /** A builder whose maxima are above the peak picker's floor (silence has none). */
    public Builder() {
      this.aboveFloor = Math.nextUp(PeakPicker.POWER_FLOOR);
    }

    /** Adds the next frame's power spectrum (copied; the caller may reuse the array). */
    public void push(float[] power) {
      if (built) {
        throw new IllegalStateException("already built");
      }
      if (bins < 0) {
        bins = power.length;
      } else if (power.length != bins) {
        throw new IllegalArgumentException("frames differ in bins: " + power.length + " != "
            + bins);
      }
      float[] nextRow = freeRow != null ? freeRow : new float[bins];
      float[] nextMax = freeMax != null ? freeMax : new float[bins];
      System.arraycopy(power, 0, nextRow, 0, bins);
      maxOfThree(nextRow, nextMax);
      if (currentRow != null) {
        decide(previousMax, currentRow, currentMax, nextMax);
      }
      freeRow = currentRow; // decided: only its maxima are needed from now on
      freeMax = previousMax;
      previousMax = currentMax;
      currentRow = nextRow;
      currentMax = nextMax;
    }

    /** The maxima of every frame pushed. */
    public LocalMaxima build() {
      if (built) {
        throw new IllegalStateException("already built");
      }
      if (currentRow != null) {
        decide(previousMax, currentRow, currentMax, null);
      }
      built = true;
      int b = Math.max(bins, 0);
      long[] exact = java.util.Arrays.copyOf(bits, frames * wordsFor(b));
      return new LocalMaxima(frames, b, exact);
    }

    /** {@code max[b]} = the largest of {@code row[b − 1], row[b], row[b + 1]} (those there are). */
    private static void maxOfThree(float[] row, float[] max) {
      int n = row.length;
      if (n < 2) {
        System.arraycopy(row, 0, max, 0, n);
        return;
      }
      // Math.max, not a comparison: an intrinsic the JIT compiles without branches (5× faster).
      max[0] = Math.max(row[0], row[1]);
      for (int b = 1; b < n - 1; b++) {
        max[b] = Math.max(Math.max(row[b - 1], row[b]), row[b + 1]);
      }
      max[n - 1] = Math.max(row[n - 2], row[n - 1]);
    }

    /**
     * Marks the bins of {@code row} at least as strong as the 3-bin maxima of its own frame and of
     * the frames either side ({@code null} at the ends) and above the floor.
     */
    private void decide(float[] prevMax, float[] row, float[] rowMax, float[] nextMax) {
      int words = wordsFor(bins);
      int base = frames * words;
      if (base + words > bits.length) {
        bits = java.util.Arrays.copyOf(bits, Math.max(bits.length * 2, base + words));
      }
      float[] before = prevMax != null ? prevMax : rowMax;
      float[] after = nextMax != null ? nextMax : rowMax;
      // gap[b] = (the largest neighbour, or just above the floor) − row[b]: never negative, as
      // rowMax[b] ≥ row[b], and exactly +0 where row[b] is a maximum above the floor.
      float[] gap = scratch.length == bins ? scratch : (scratch = new float[bins]);
      for (int b = 0; b < bins; b++) {
        gap[b] = Math.max(Math.max(Math.max(rowMax[b], before[b]), after[b]), aboveFloor)
            - row[b];
      }
      for (int w = 0; w < words; w++) {
        long word = 0;
        int from = w << 6;
        int to = Math.min(bins, from + 64);
        for (int b = from; b < to; b++) {
          // +0 has bits 0, which minus 1 sets the sign bit; a positive gap's bits do not
          word |= (long) ((Float.floatToRawIntBits(gap[b]) - 1) >>> 31) << b;
        }
        bits[base + w] = word;
      }
      frames++;
    }
  }
}
