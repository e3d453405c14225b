package io.tunetrace.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the CLI in-process and keeps what it printed. */
record Cli(int exitCode, String out, String err) {
  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Cli(code, out.toString(), err.toString());
  }

  List<String> lines() {
    return out.lines().toList();
  }

  /** The samples/ folder of the repository. */
  static Path samples() {
    return Path.of(System.getProperty("tunetrace.samples", "../samples")).toAbsolutePath().normalize();
  }

  /** A string field of a flat JSON line, unescaped for the simple cases tests use. */
  static String stringField(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": \"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    return m.find() ? m.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : null;
  }

  /** A numeric field of a JSON line. */
  static Double numberField(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\": (-?[0-9.eE+-]+)").matcher(json);
    return m.find() ? Double.valueOf(m.group(1)) : null;
  }
}
