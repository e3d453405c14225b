package io.tunetrace.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a plain {@code match} command line without picocli, so that a one-clip {@code match} does
 * not wait for picocli's model: its first use in a process costs about 70 ms of a run of about
 * 250 ms (BENCHMARKS.md, "Start-up of a one-clip tunetrace match").
 *
 * <p>Only what users type every day is read here: {@code match} as the first argument, then clips
 * and the options {@code --json}, {@code --verbose}, {@code --index DIR}, {@code --top N} and
 * {@code --min-score S} in any order (a value as the next argument or after {@code =}), each at
 * most once. Anything else gives null, and picocli reads the command line as it always did, with
 * its help and its messages: help and version, {@code --}, an {@code @file}, any other argument
 * that starts with {@code -} but {@code -} itself (standard input), a repeated option, a number
 * that is not plain digits, a value out of range or no clip. So a command line read here is one
 * that picocli reads the same way ({@code MatchCommandLineTest} compares the two); a new option of
 * {@link MatchCommand} that is not known here makes picocli read its command lines, which is slower
 * but still right.
 *
 * <p>Stateless; thread-safe.
 */
final class MatchCommandLine {
  private MatchCommandLine() {}

  /**
   * The {@code match} command that {@code args} ask for, its options set as picocli would set them;
   * null when {@code args} are not a plain {@code match} command line (picocli must read them).
   */
  static MatchCommand read(String[] args, ClipPrefetch prefetch) {
    if (args.length < 2 || !args[0].equals("match")) {
      return null;
    }
    MatchCommand match = new MatchCommand(prefetch);
    List<String> clips = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (arg.isEmpty() || arg.startsWith("@")) {
        return null; // picocli expands @files and says what an empty argument is
      }
      if (arg.equals(Queries.STDIN) || !arg.startsWith("-")) {
        clips.add(arg);
        continue;
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      if (!seen.add(name)) {
        return null; // picocli refuses an option given twice
      }
      if (name.equals("--json") || name.equals("--verbose")) {
        if (eq >= 0) {
          return null;
        }
        if (name.equals("--json")) {
          match.json = true;
        } else {
          match.verboseOption.verbose = true;
        }
        continue;
      }
      String value;
      if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        return null;
      }
      if (value.isEmpty() || value.startsWith("-") || value.startsWith("@")) {
        return null;
      }
      switch (name) {
        case "--index" -> {
          try {
            match.indexOption.index = Path.of(value);
          } catch (InvalidPathException e) {
            return null;
          }
        }
        case "--top" -> {
          if (!plainCount(value)
              || !MatchCommand.validTop(Integer.parseInt(value))) {
            return null;
          }
          match.top = Integer.parseInt(value);
        }
        case "--min-score" -> {
          if (!plainDecimal(value)
              || !MatchCommand.validMinScore(Double.parseDouble(value))) {
            return null;
          }
          match.minScore = Double.parseDouble(value);
        }
        default -> {
          return null; // help, version or an option this class does not know
        }
      }
    }
    if (clips.isEmpty()) {
      return null;
    }
    match.queries = clips;
    return match;
  }

  // By hand, not regular expressions: this runs at the start of every one-clip match.

  /** A count as picocli's converter reads it without surprises: 1 to 9 decimal digits. */
  private static boolean plainCount(String s) {
    return !s.isEmpty() && s.length() <= 9 && digitsOnly(s);
  }

  /** A decimal fraction such as 0.5, .5, 0. or 1 (no sign, exponent, hexadecimal or NaN). */
  private static boolean plainDecimal(String s) {
    int dot = s.indexOf('.');
    String whole = dot < 0 ? s : s.substring(0, dot);
    String fraction = dot < 0 ? "" : s.substring(dot + 1);
    return whole.length() <= 9 && fraction.length() <= 9
        && whole.length() + fraction.length() > 0 && digitsOnly(whole) && digitsOnly(fraction);
  }

  private static boolean digitsOnly(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
