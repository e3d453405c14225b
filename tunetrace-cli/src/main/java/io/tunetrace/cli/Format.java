package io.tunetrace.cli;

import java.util.Locale;

/** Human-readable numbers for tables and summaries. */
final class Format {
  private Format() {}

  /** "1.25 h" for long durations, "3.4 min" for shorter, "12.3 s" below a minute. */
  static String hours(long millis) {
    if (millis >= 3_600_000) {
      return String.format(Locale.ROOT, "%.2f h", millis / 3_600_000.0);
    }
    if (millis >= 60_000) {
      return String.format(Locale.ROOT, "%.1f min", millis / 60_000.0);
    }
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  /** "m:ss.mmm" (or "h:mm:ss.mmm"), with a sign when negative. */
  static String clock(long millis) {
    String sign = millis < 0 ? "-" : "";
    long m = Math.abs(millis);
    long h = m / 3_600_000;
    long min = (m / 60_000) % 60;
    long s = (m / 1000) % 60;
    long ms = m % 1000;
    return h > 0
        ? String.format(Locale.ROOT, "%s%d:%02d:%02d.%03d", sign, h, min, s, ms)
        : String.format(Locale.ROOT, "%s%d:%02d.%03d", sign, min, s, ms);
  }

  /** Bytes as "1.2 MB" (powers of 1000), exact below 1 kB. */
  static String bytes(double bytes) {
    if (bytes >= 1e9) {
      return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }
    if (bytes >= 1e6) {
      return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
    }
    if (bytes >= 1e3) {
      return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f B", bytes);
  }

  /** Shortens {@code s} to {@code width} characters with a leading ellipsis. */
  static String fit(String s, int width) {
    return s.length() <= width ? s : "…" + s.substring(s.length() - width + 1);
  }
}
