package io.tunetrace.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * A count out of a total, with its Wilson score interval. Immutable and thread-safe.
 *
 * @param count successes (or false positives), 0 to total
 * @param total trials, at least 0
 */
record Proportion(int count, int total) {
  /** The normal quantile of a two-sided 95% interval. */
  static final double Z95 = 1.959963984540054;

  Proportion {
    if (total < 0) {
      throw new IllegalArgumentException("total < 0: " + total);
    }
    if (count < 0 || count > total) {
      throw new IllegalArgumentException("count not in [0, " + total + "]: " + count);
    }
  }

  /** count / total, NaN when there are no trials. */
  double rate() {
    return total == 0 ? Double.NaN : (double) count / total;
  }

  /** Lower end of the 95% Wilson score interval, NaN when there are no trials. */
  double wilsonLow() {
    return wilson(-1);
  }

  /** Upper end of the 95% Wilson score interval, NaN when there are no trials. */
  double wilsonHigh() {
    return wilson(1);
  }

  private double wilson(int sign) {
    if (total == 0) {
      return Double.NaN;
    }
    double n = total;
    double p = count / n;
    double z2 = Z95 * Z95;
    double center = (p + z2 / (2 * n)) / (1 + z2 / n);
    double half = Z95 / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    return Math.max(0, Math.min(1, center + sign * half));
  }

  /** "92.0% (23/25)", or "—" when there are no trials. */
  String share() {
    if (total == 0) {
      return "—";
    }
    return String.format(Locale.ROOT, "%.1f%% (%d/%d)", 100.0 * count / total, count, total);
  }

  /** "92.0% (23/25) [75.0–97.8%]" with the 95% Wilson interval, or "—". */
  String shareWithInterval() {
    if (total == 0) {
      return "—";
    }
    return share() + " " + interval();
  }

  /** "[75.0–97.8%]", the 95% Wilson interval in percent, or "—". */
  String interval() {
    if (total == 0) {
      return "—";
    }
    return String.format(Locale.ROOT, "[%.1f–%.1f%%]", 100 * wilsonLow(), 100 * wilsonHigh());
  }

  /** As a JSON object: count, total, rate, ci_low, ci_high (the 95% Wilson interval). */
  ObjectNode json() {
    return JsonOutput.object()
        .put("count", count)
        .put("total", total)
        .put("rate", round6(rate()))
        .put("ci_low", round6(wilsonLow()))
        .put("ci_high", round6(wilsonHigh()));
  }

  /** Six decimals; NaN stays NaN (written as null). */
  static double round6(double v) {
    return Double.isFinite(v) ? JsonOutput.round(v, 6) : v;
  }
}
