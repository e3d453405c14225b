package io.tunetrace.cli;

/**
 * A tiny JSON writer for the one-object-per-line output of {@code --json}: fields are appended in
 * order and strings are escaped per RFC 8259. Not thread-safe.
 */
final class Json {
  private final StringBuilder out = new StringBuilder("{");
  private boolean first = true;

  /** Appends {@code s} as a JSON string literal, quotes included; null becomes {@code null}. */
  static void quote(StringBuilder out, String s) {
    if (s == null) {
      out.append("null");
      return;
    }
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          boolean loneSurrogate =
              Character.isSurrogate(c)
                  && !(Character.isHighSurrogate(c)
                          && i + 1 < s.length()
                          && Character.isLowSurrogate(s.charAt(i + 1))
                      || Character.isLowSurrogate(c)
                          && i > 0
                          && Character.isHighSurrogate(s.charAt(i - 1)));
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || loneSurrogate) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder();
    quote(b, s);
    return b.toString();
  }

  /** A JSON number; NaN and infinities (not representable) become {@code null}. */
  static String number(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "null";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  /** Rounds to {@code decimals} places for compact output. */
  static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }

  private StringBuilder key(String name) {
    if (!first) {
      out.append(", ");
    }
    first = false;
    quote(out, name);
    return out.append(": ");
  }

  Json put(String name, String value) {
    quote(key(name), value);
    return this;
  }

  Json put(String name, long value) {
    key(name).append(value);
    return this;
  }

  Json put(String name, double value) {
    key(name).append(number(value));
    return this;
  }

  /** Appends an already-encoded JSON value (an object, {@code null}, an array). */
  Json putRaw(String name, String json) {
    key(name).append(json);
    return this;
  }

  @Override
  public String toString() {
    return out + "}";
  }
}
