package io.tunetrace.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code manifest.csv} of an evaluation corpus: header
 * {@code query,expected,offset_s,length_s,condition}, optionally followed by {@code ,param} (the
 * value a ranged condition was drawn with, empty when fixed), one row per query. {@code expected}
 * is the reference file name relative to {@code refs/}, empty for held-out music that must not
 * match.
 */
final class Manifest {
  static final String HEADER = "query,expected,offset_s,length_s,condition";
  static final String HEADER_WITH_PARAM = HEADER + ",param";

  /**
   * One query of the corpus.
   *
   * @param query file name relative to {@code queries/}
   * @param expected reference file name relative to {@code refs/}, empty for held-out
   * @param param the condition's drawn parameter, empty when fixed or not in the manifest
   */
  record Row(String query, String expected, double offsetSeconds, double lengthSeconds,
      String condition, String param) {
    Row {
      param = param == null ? "" : param;
    }

    Row(String query, String expected, double offsetSeconds, double lengthSeconds,
        String condition) {
      this(query, expected, offsetSeconds, lengthSeconds, condition, "");
    }

    boolean heldOut() {
      return expected.isEmpty();
    }
  }

  private Manifest() {}

  static List<Row> read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString());
  }

  /** Parses CSV text (RFC 4180 quoting); {@code name} is used in error messages. */
  static List<Row> parse(String text, String name) {
    List<List<String>> records = Csv.parse(text);
    String header = records.isEmpty() ? "" : String.join(",", records.get(0)).strip();
    if (!header.equals(HEADER) && !header.equals(HEADER_WITH_PARAM)) {
      throw new CliException(
          name + ": header must be " + HEADER + " or " + HEADER_WITH_PARAM);
    }
    int fields = records.get(0).size();
    List<Row> rows = new ArrayList<>();
    for (int i = 1; i < records.size(); i++) {
      List<String> r = records.get(i);
      int line = i + 1;
      if (r.size() == 1 && r.get(0).isBlank()) {
        continue;
      }
      if (r.size() != fields) {
        throw new CliException(
            name + " line " + line + ": expected " + fields + " fields, got " + r.size());
      }
      if (r.get(0).isBlank()) {
        throw new CliException(name + " line " + line + ": query is empty");
      }
      rows.add(new Row(r.get(0).strip(), r.get(1).strip(), number(r.get(2), name, line, "offset_s"),
          number(r.get(3), name, line, "length_s"), r.get(4).strip(),
          fields == 6 ? r.get(5).strip() : ""));
    }
    return rows;
  }

  private static double number(String s, String name, int line, String field) {
    try {
      double v = Double.parseDouble(s.strip());
      if (v < 0 || Double.isNaN(v) || Double.isInfinite(v)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new CliException(name + " line " + line + ": " + field + " is not a number >= 0: " + s);
    }
  }

  /** Minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF. */
  static final class Csv {
    private Csv() {}

    static List<List<String>> parse(String text) {
      List<List<String>> records = new ArrayList<>();
      List<String> record = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      boolean any = false;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        any = true;
        if (quoted) {
          if (c == '"') {
            if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
              field.append('"');
              i++;
            } else {
              quoted = false;
            }
          } else {
            field.append(c);
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == ',') {
          record.add(field.toString());
          field.setLength(0);
        } else if (c == '\n' || c == '\r') {
          if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
            i++;
          }
          record.add(field.toString());
          field.setLength(0);
          records.add(record);
          record = new ArrayList<>();
          any = false;
        } else {
          field.append(c);
        }
      }
      if (any) {
        record.add(field.toString());
        records.add(record);
      }
      return records;
    }
  }
}
