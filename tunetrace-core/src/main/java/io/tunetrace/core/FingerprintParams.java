package io.tunetrace.core;

/**
 * Every analysis parameter of the fingerprint pipeline, in one immutable value. An index stores the
 * parameters it was built with and refuses queries made with others, so hashes made with different
 * settings can never be compared by mistake.
 *
 * @param sampleRateHz analysis sample rate; input is resampled to it
 * @param fftSize STFT window length in samples (a power of two)
 * @param hopSamples STFT hop in samples
 * @param minBin lowest FFT bin considered for peaks (inclusive)
 * @param maxBin highest FFT bin considered for peaks (exclusive), at most {@code fftSize / 2}
 * @param peakBinRadius half-height of the peak neighbourhood, in bins
 * @param peakFrameRadius half-width of the peak neighbourhood, in frames
 * @param peaksPerSecond target peak density; the threshold adapts to keep it steady
 * @param fanOut how many target peaks each anchor pairs with
 * @param minDeltaFrames target zone start after the anchor, in frames (at least 1)
 * @param maxDeltaFrames target zone end after the anchor, in frames (inclusive)
 * @param maxDeltaBins target zone half-height around the anchor, in bins
 * @param hashVersion the hash bit layout, documented in docs/FINGERPRINT-FORMAT.md
 * @param peakBinRadiusDivisor when above 0, the peak neighbourhood narrows towards the bass: its
 *     half-height at bin {@code b} is {@code round(b / peakBinRadiusDivisor)}, at least {@code
 *     peakBinRadiusMin} and at most {@code peakBinRadius} (see {@link #peakBinRadiusAt}); 0 keeps
 *     {@code peakBinRadius} at every bin, as indexes written before this parameter did
 * @param peakBinRadiusMin the narrowest half-height, in bins, when {@code peakBinRadiusDivisor} is
 *     above 0; 0 otherwise
 */
public record FingerprintParams(
    int sampleRateHz,
    int fftSize,
    int hopSamples,
    int minBin,
    int maxBin,
    int peakBinRadius,
    int peakFrameRadius,
    int peaksPerSecond,
    int fanOut,
    int minDeltaFrames,
    int maxDeltaFrames,
    int maxDeltaBins,
    int hashVersion,
    int peakBinRadiusDivisor,
    int peakBinRadiusMin) {

  /** The current hash layout version. */
  public static final int HASH_VERSION = 1;

  /**
   * Defaults chosen by measurement on real music; see BENCHMARKS.md. The neighbourhood is the same
   * at every bin: one that narrows towards the bass was measured and is not the default yet
   * (docs/MATCHING.md §1).
   */
  public static final FingerprintParams DEFAULT =
      new FingerprintParams(8000, 512, 64, 4, 230, 12, 12, 20, 4, 2, 63, 63, HASH_VERSION);

  /**
   * The parameters with the same neighbourhood at every bin (the default, and what every index
   * whose stored parameters do not name {@code peakBinRadiusDivisor} was built with).
   */
  public FingerprintParams(int sampleRateHz, int fftSize, int hopSamples, int minBin, int maxBin,
      int peakBinRadius, int peakFrameRadius, int peaksPerSecond, int fanOut, int minDeltaFrames,
      int maxDeltaFrames, int maxDeltaBins, int hashVersion) {
    this(sampleRateHz, fftSize, hopSamples, minBin, maxBin, peakBinRadius, peakFrameRadius,
        peaksPerSecond, fanOut, minDeltaFrames, maxDeltaFrames, maxDeltaBins, hashVersion, 0, 0);
  }

  public FingerprintParams {
    if (sampleRateHz < 4000 || sampleRateHz > 48000) {
      throw new IllegalArgumentException("sampleRateHz out of [4000, 48000]: " + sampleRateHz);
    }
    if (fftSize < 64 || fftSize > 8192 || Integer.bitCount(fftSize) != 1) {
      throw new IllegalArgumentException("fftSize not a power of two in [64, 8192]: " + fftSize);
    }
    if (hopSamples < 1 || hopSamples > fftSize) {
      throw new IllegalArgumentException("hopSamples out of [1, fftSize]: " + hopSamples);
    }
    if (minBin < 1 || maxBin > fftSize / 2 || minBin >= maxBin) {
      throw new IllegalArgumentException("bins out of range: [" + minBin + ", " + maxBin + ")");
    }
    if (maxBin > 512) {
      throw new IllegalArgumentException("maxBin > 512 does not fit the hash layout: " + maxBin);
    }
    if (peakBinRadius < 1 || peakFrameRadius < 1) {
      throw new IllegalArgumentException("peak radius < 1: " + peakBinRadius + ", " + peakFrameRadius);
    }
    if (peaksPerSecond < 1) {
      throw new IllegalArgumentException("peaksPerSecond < 1: " + peaksPerSecond);
    }
    if (fanOut < 1) {
      throw new IllegalArgumentException("fanOut < 1: " + fanOut);
    }
    if (minDeltaFrames < 1 || maxDeltaFrames < minDeltaFrames || maxDeltaFrames > 63) {
      throw new IllegalArgumentException(
          "delta frames out of [1, 63]: [" + minDeltaFrames + ", " + maxDeltaFrames + "]");
    }
    if (maxDeltaBins < 1 || maxDeltaBins > 127) {
      throw new IllegalArgumentException("maxDeltaBins out of [1, 127]: " + maxDeltaBins);
    }
    if (peakBinRadiusDivisor < 0 || peakBinRadiusDivisor > 64) {
      throw new IllegalArgumentException(
          "peakBinRadiusDivisor out of [0, 64]: " + peakBinRadiusDivisor);
    }
    if (peakBinRadiusDivisor == 0 ? peakBinRadiusMin != 0
        : peakBinRadiusMin < 1 || peakBinRadiusMin > peakBinRadius) {
      throw new IllegalArgumentException("peakBinRadiusMin out of " + (peakBinRadiusDivisor == 0
          ? "{0} (the neighbourhood does not narrow)" : "[1, peakBinRadius]") + ": "
          + peakBinRadiusMin);
    }
    if (hashVersion != HASH_VERSION) {
      throw new IllegalArgumentException("unsupported hashVersion: " + hashVersion);
    }
  }

  /**
   * Half-height, in bins, of the peak neighbourhood around bin {@code bin}: {@code peakBinRadius},
   * or, when the neighbourhood narrows towards the bass, {@code round(bin / peakBinRadiusDivisor)}
   * kept within [{@code peakBinRadiusMin}, {@code peakBinRadius}].
   */
  public int peakBinRadiusAt(int bin) {
    return binRadiusAt(bin, peakBinRadius);
  }

  /**
   * The rule of {@link #peakBinRadiusAt} for another widest half-height ({@code maxRadius}): a
   * query's own peaks may be picked with a smaller neighbourhood than the index's.
   */
  public int binRadiusAt(int bin, int maxRadius) {
    if (peakBinRadiusDivisor == 0) {
      return maxRadius;
    }
    int rounded = (bin + peakBinRadiusDivisor / 2) / peakBinRadiusDivisor;
    return Math.max(Math.min(peakBinRadiusMin, maxRadius), Math.min(maxRadius, rounded));
  }

  /** Duration of one STFT frame step in milliseconds. */
  public double frameMillis() {
    return hopSamples * 1000.0 / sampleRateHz;
  }

  /** Converts a frame index to milliseconds from the start of the audio. */
  public long framesToMillis(long frames) {
    return Math.round(frames * (double) hopSamples * 1000.0 / sampleRateHz);
  }

  /**
   * A stable one-line text form ({@code key=value,...}) stored with an index and compared when it
   * is opened or queried.
   */
  public String toConfigString() {
    return "sampleRateHz=" + sampleRateHz
        + ",fftSize=" + fftSize
        + ",hopSamples=" + hopSamples
        + ",minBin=" + minBin
        + ",maxBin=" + maxBin
        + ",peakBinRadius=" + peakBinRadius
        + ",peakFrameRadius=" + peakFrameRadius
        + ",peaksPerSecond=" + peaksPerSecond
        + ",fanOut=" + fanOut
        + ",minDeltaFrames=" + minDeltaFrames
        + ",maxDeltaFrames=" + maxDeltaFrames
        + ",maxDeltaBins=" + maxDeltaBins
        + ",hashVersion=" + hashVersion
        // Written only when set, so that indexes built before it read the same.
        + (peakBinRadiusDivisor == 0 ? "" : ",peakBinRadiusDivisor=" + peakBinRadiusDivisor
            + ",peakBinRadiusMin=" + peakBinRadiusMin);
  }

  /** Parses the output of {@link #toConfigString()}. */
  public static FingerprintParams fromConfigString(String text) {
    java.util.Map<String, Integer> values = new java.util.HashMap<>();
    for (String part : text.trim().split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("malformed parameters: " + text);
      }
      try {
        values.put(part.substring(0, eq).trim(), Integer.parseInt(part.substring(eq + 1).trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("malformed parameters: " + text, e);
      }
    }
    String[] names = {
      "sampleRateHz", "fftSize", "hopSamples", "minBin", "maxBin", "peakBinRadius",
      "peakFrameRadius", "peaksPerSecond", "fanOut", "minDeltaFrames", "maxDeltaFrames",
      "maxDeltaBins", "hashVersion"
    };
    int[] v = new int[names.length];
    for (int i = 0; i < names.length; i++) {
      Integer value = values.get(names[i]);
      if (value == null) {
        throw new IllegalArgumentException("missing parameter " + names[i] + " in: " + text);
      }
      v[i] = value;
    }
    // Absent in indexes built before the neighbourhood could narrow: the same bins everywhere.
    int divisor = values.getOrDefault("peakBinRadiusDivisor", 0);
    int min = values.getOrDefault("peakBinRadiusMin", 0);
    return new FingerprintParams(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10],
        v[11], v[12], divisor, min);
  }
}
