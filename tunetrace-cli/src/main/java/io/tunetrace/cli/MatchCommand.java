package io.tunetrace.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunetrace.core.Match;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.SameRecording;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.core.match.MatchPolicy;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tunetrace match}: recognize clips. */
@Command(
    name = "match",
    mixinStandardHelpOptions = true,
    description = {
      "Recognize audio clips, one result per clip.",
      "PATH - reads the clip from standard input, in any format.",
      "At most the first " + Recognizer.MAX_CLIP_SECONDS + " s of a clip are recognized;",
      "for long recordings use 'tunetrace monitor'.",
      "Exit code like grep: 0 if any clip matched, 1 if none did, 2 if a clip could not be read."
    })
final class MatchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin IndexOption indexOption = new IndexOption();
  @Mixin VerboseOption verboseOption = new VerboseOption();

  @Option(names = "--json", description = "One JSON object per line per clip on stdout.")
  boolean json;

  int top = 1;

  double minScore = 0;

  /** Clips decoded while the command line was parsed and the index opened. */
  private final ClipPrefetch prefetch;

  MatchCommand() {
    this(ClipPrefetch.NONE);
  }

  MatchCommand(ClipPrefetch prefetch) {
    this.prefetch = prefetch;
  }

  @Parameters(
      paramLabel = "PATH",
      arity = "1..*",
      description = "Audio clips to recognize; - for standard input.")
  List<String> queries;

  @Option(
      names = "--top",
      paramLabel = "N",
      description = "Show up to N distinct recordings per clip, best first (default: 1).")
  void setTop(int n) {
    if (!validTop(n)) {
      throw new ParameterException(spec.commandLine(), "--top must be at least 1: " + n);
    }
    top = n;
  }

  static boolean validTop(int n) {
    return n >= 1;
  }

  @Option(
      names = "--min-score",
      paramLabel = "S",
      description = "Only show matches scoring at least S, in [0, 1] (default: 0).")
  void setMinScore(double s) {
    if (!validMinScore(s)) {
      throw new ParameterException(spec.commandLine(), "--min-score must be in [0, 1]: " + s);
    }
    minScore = s;
  }

  static boolean validMinScore(double s) {
    return s >= 0 && s <= 1;
  }

  /**
   * The recognizer's policy: the default, asked for at least {@code --top} recordings and no score
   * below {@code --min-score}.
   */
  MatchPolicy policy() {
    MatchPolicy policy = MatchPolicy.DEFAULT;
    return policy.withMaxResults(Math.max(top, policy.maxResults())).withMinScore(minScore);
  }

  @Override
  public Integer call() throws Exception {
    return run(spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /**
   * Recognizes the clips and prints the results to {@code out}, the errors to {@code err}; the
   * fields are set, by picocli or by {@link MatchCommandLine}. Returns the exit code.
   */
  int run(PrintWriter out, PrintWriter err) throws Exception {
    Queries.checkStdinOnce(queries);
    boolean anyMatched = false;
    boolean anyError = false;
    try (TuneTrace tt = indexOption.openExisting(false, policy())) {
      int width = Math.max("QUERY".length(),
          Math.min(40, queries.stream().mapToInt(String::length).max().orElse(0)));
      if (!json) {
        out.println(tableRow(width, "QUERY", "RESULT", "AT", "SCORE", "CONF", "MS"));
      }
      for (String query : queries) {
        long start = System.nanoTime();
        Queries.Clip clip = null;
        Exception failure = null;
        try {
          clip = Queries.match(tt, query, System.in, prefetch);
        } catch (Exception e) {
          failure = e;
        }
        long aheadNanos = clip == null ? 0 : clip.decodedAheadNanos();
        double elapsedMillis = (System.nanoTime() - start + aheadNanos) / 1e6;
        if (failure != null) {
          anyError = true;
          if (verboseOption.verbose) {
            failure.printStackTrace(err);
          }
          if (json) {
            out.println(errorJson(query, Errors.oneLine(failure), elapsedMillis));
          } else {
            out.println(tableRow(width, query, "error", "", "", "", ms(elapsedMillis)));
            err.println("tunetrace: " + Errors.about(Queries.displayName(query), failure));
          }
        } else {
          if (clip.longerThanKept()) {
            err.println(longClipWarning(query));
            err.flush();
          }
          List<Match> shown = shown(clip.result().matches(), top, minScore);
          anyMatched |= !shown.isEmpty();
          if (json) {
            out.println(resultJson(query, shown, elapsedMillis));
          } else {
            for (String row : tableRows(width, query, shown, top > 1, elapsedMillis)) {
              out.println(row);
            }
          }
        }
        out.flush();
      }
    }
    return anyError ? Main.EXIT_ERROR : anyMatched ? Main.EXIT_OK : Main.EXIT_NO_MATCH;
  }

  /** The stderr line for a clip longer than the recognizer keeps. */
  static String longClipWarning(String query) {
    int max = Recognizer.MAX_CLIP_SECONDS;
    return "tunetrace: warning: " + Queries.displayName(query) + " is longer than " + max
        + " s; only its first " + max + " s were matched (to find every track in a long recording: tunetrace monitor " + query
        + ")";
  }

  /** The matches shown: the first {@code top} (ranked best first) scoring at least {@code minScore}. */
  static List<Match> shown(List<Match> ranked, int top, double minScore) {
    List<Match> shown = new ArrayList<>();
    for (Match m : ranked) {
      if (shown.size() == top) {
        break;
      }
      if (m.score() >= minScore) {
        shown.add(m);
      }
    }
    return shown;
  }

  private static String ms(double millis) {
    return String.format(Locale.ROOT, "%.1f", millis);
  }

  /**
   * The table rows of a query that was read: one "no match" row, else one row per match, numbered
   * when {@code ranked} (more than one may be shown).
   */
  static List<String> tableRows(
      int width, String query, List<Match> shown, boolean ranked, double elapsedMillis) {
    if (shown.isEmpty()) {
      return List.of(tableRow(width, query, "no match", "", "", "", ms(elapsedMillis)));
    }
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < shown.size(); i++) {
      Match m = shown.get(i);
      String copies = copies(m.sameRecording().size());
      String prefix = (ranked ? (i + 1) + ". " : "") + "#" + m.track().id() + " ";
      String result =
          prefix + Format.fit(name(m), 40 - prefix.length() - copies.length()) + copies;
      rows.add(tableRow(width, query, result, Format.clock(m.deltaMillis()),
          String.format(Locale.ROOT, "%.2f", m.score()), Integer.toString(m.confidence()),
          ms(elapsedMillis)));
    }
    return rows;
  }

  private static String name(Match m) {
    TrackMetadata t = m.track().metadata();
    return t.artist().isEmpty() ? t.title() : t.artist() + " - " + t.title();
  }

  /** " (+1 copy)", " (+3 copies)", or "" without copies. */
  static String copies(int n) {
    return n == 0 ? "" : n == 1 ? " (+1 copy)" : " (+" + n + " copies)";
  }

  private static String tableRow(
      int width, String query, String result, String at, String score, String conf, String ms) {
    return String.format(Locale.ROOT, "%-" + width + "s  %-40s  %10s  %5s  %5s  %7s",
        Format.fit(query, width), Format.fit(result, 40), at, score, conf, ms).stripTrailing();
  }

  /**
   * The JSON line of a query that was read: {@code match} is the best match or null for "no
   * match"; {@code matches} every match shown, best first.
   */
  static String resultJson(String query, List<Match> shown, double elapsedMillis) {
    ObjectNode line = JsonOutput.object().put("query", query);
    line.set("match", shown.isEmpty() ? NullNode.instance : matchNode(shown.get(0)));
    line.put("elapsed_ms", JsonOutput.round(elapsedMillis, 3));
    ArrayNode matches = line.putArray("matches");
    for (Match m : shown) {
      matches.add(matchNode(m));
    }
    return JsonOutput.write(line);
  }

  /** The JSON line of a query that could not be read. */
  static String errorJson(String query, String error, double elapsedMillis) {
    return JsonOutput.write(JsonOutput.object()
        .put("query", query)
        .put("error", error)
        .put("elapsed_ms", JsonOutput.round(elapsedMillis, 3)));
  }

  static String matchJson(Match m) {
    return JsonOutput.write(matchNode(m));
  }

  static ObjectNode matchNode(Match m) {
    TrackMetadata t = m.track().metadata();
    ObjectNode match = JsonOutput.object()
        .put("track_id", m.track().id())
        .put("title", t.title())
        .put("artist", t.artist())
        .put("path", t.sourcePath())
        .put("confidence", m.confidence())
        .put("score", JsonOutput.round(m.score(), 4))
        .put("delta_ms", m.deltaMillis())
        .put("query_start_ms", m.queryStartMillis())
        .put("query_stop_ms", m.queryStopMillis())
        .put("ref_start_ms", m.refStartMillis())
        .put("ref_stop_ms", m.refStopMillis())
        .put("matched_share", JsonOutput.round(m.matchedShare(), 4))
        .put("speed", JsonOutput.round(m.speed(), 4));
    match.set("same_recording", sameRecordingNode(m.sameRecording()));
    return match;
  }

  /** The other copies of a match's recording: a JSON array, empty when there are none. */
  static ArrayNode sameRecordingNode(List<SameRecording> copies) {
    ArrayNode array = JsonOutput.array();
    for (SameRecording copy : copies) {
      TrackMetadata t = copy.track().metadata();
      array.addObject()
          .put("track_id", copy.track().id())
          .put("title", t.title())
          .put("artist", t.artist())
          .put("path", t.sourcePath())
          .put("delta_ms", copy.deltaMillis())
          .put("score", JsonOutput.round(copy.score(), 4));
    }
    return array;
  }
}
