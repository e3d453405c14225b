package io.tunetrace.core.match;

/**
 * One way a clip may differ in time and frequency from the track it comes from, searched as a
 * variant of the query. A query peak at frame {@code q} and frequency {@code f} is looked for at
 * reference frame {@code q * timeScale} and frequency {@code f / freqScale}.
 *
 * <ul>
 *   <li>played {@code s} times too fast (a turntable, a radio station): {@code timeScale = freqScale = s}
 *   <li>time-stretched by {@code t}, pitch kept (DJ software): {@code timeScale = t, freqScale = 1}
 *   <li>pitch-shifted by {@code c} cents, tempo kept: {@code timeScale = 1, freqScale = 2^(c/1200)}
 * </ul>
 *
 * @param timeScale reference frames per query frame (above 1: the clip plays faster)
 * @param freqScale query frequency per reference frequency (above 1: the clip sounds higher)
 */
public record Variant(double timeScale, double freqScale) {
  /** The clip as it is. */
  public static final Variant IDENTITY = new Variant(1.0, 1.0);

  public Variant {
    if (!(timeScale >= 0.8 && timeScale <= 1.25)) {
      throw new IllegalArgumentException("timeScale out of [0.8, 1.25]: " + timeScale);
    }
    if (!(freqScale >= 0.8 && freqScale <= 1.25)) {
      throw new IllegalArgumentException("freqScale out of [0.8, 1.25]: " + freqScale);
    }
  }

  public static Variant speed(double factor) {
    return new Variant(factor, factor);
  }

  public static Variant tempo(double factor) {
    return new Variant(factor, 1.0);
  }

  public static Variant pitchCents(double cents) {
    return new Variant(1.0, Math.pow(2, cents / 1200));
  }

  public boolean isIdentity() {
    return timeScale == 1.0 && freqScale == 1.0;
  }

  // equals and hashCode as a record's (components compared with Double.compare), written out:
  // the generated ones bootstrap method handles at their first call, about 14 ms of a one-clip
  // match in a cold JVM (BENCHMARKS.md, "Start-up of a one-clip tunetrace match").
  @Override
  public boolean equals(Object o) {
    return o instanceof Variant v
        && Double.compare(timeScale, v.timeScale) == 0
        && Double.compare(freqScale, v.freqScale) == 0;
  }

  @Override
  public int hashCode() {
    return 31 * Double.hashCode(timeScale) + Double.hashCode(freqScale);
  }
}
