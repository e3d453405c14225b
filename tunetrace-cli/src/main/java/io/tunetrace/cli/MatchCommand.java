package io.tunetrace.cli;

import io.tunetrace.core.Match;
import io.tunetrace.core.MatchResult;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.index.TrackMetadata;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tunetrace match}: recognize clips. */
@Command(
    name = "match",
    mixinStandardHelpOptions = true,
    description = {
      "Recognize audio clips, one result per clip.",
      "Exit code like grep: 0 if any clip matched, 1 if none did, 2 if a clip could not be read."
    })
final class MatchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin IndexOption indexOption;
  @Mixin VerboseOption verboseOption;

  @Option(names = "--json", description = "One JSON object per line per clip on stdout.")
  boolean json;

  @Parameters(paramLabel = "PATH", arity = "1..*", description = "Audio clips to recognize.")
  List<String> queries;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean anyMatched = false;
    boolean anyError = false;
    try (TuneTrace tt = indexOption.openExisting(false)) {
      int width = Math.min(40, queries.stream().mapToInt(String::length).max().orElse(5));
      if (!json) {
        out.println(tableRow(width, "QUERY", "RESULT", "AT", "SCORE", "CONF", "MS"));
      }
      for (String query : queries) {
        long start = System.nanoTime();
        MatchResult result = null;
        Exception failure = null;
        try {
          result = Queries.match(tt, Path.of(query));
        } catch (Exception e) {
          failure = e;
        }
        double elapsedMillis = (System.nanoTime() - start) / 1e6;
        if (failure != null) {
          anyError = true;
          if (verboseOption.verbose) {
            failure.printStackTrace(err);
          }
          if (json) {
            out.println(errorJson(query, Errors.oneLine(failure), elapsedMillis));
          } else {
            out.println(tableRow(width, query, "error", "", "", "", ms(elapsedMillis)));
            err.println("tunetrace: " + Errors.about(query, failure));
          }
        } else {
          Match best = result.best().orElse(null);
          anyMatched |= best != null;
          if (json) {
            out.println(resultJson(query, best, elapsedMillis));
          } else if (best == null) {
            out.println(tableRow(width, query, "no match", "", "", "", ms(elapsedMillis)));
          } else {
            TrackMetadata m = best.track().metadata();
            String name = m.artist().isEmpty() ? m.title() : m.artist() + " - " + m.title();
            out.println(tableRow(width, query, "#" + best.track().id() + " " + name,
                Format.clock(best.deltaMillis()), String.format(Locale.ROOT, "%.2f", best.score()),
                Integer.toString(best.confidence()), ms(elapsedMillis)));
          }
        }
        out.flush();
      }
    }
    return anyError ? Main.EXIT_ERROR : anyMatched ? Main.EXIT_OK : Main.EXIT_NO_MATCH;
  }

  private static String ms(double millis) {
    return String.format(Locale.ROOT, "%.1f", millis);
  }

  private static String tableRow(
      int width, String query, String result, String at, String score, String conf, String ms) {
    return String.format(Locale.ROOT, "%-" + width + "s  %-40s  %10s  %5s  %5s  %7s",
        Format.fit(query, width), Format.fit(result, 40), at, score, conf, ms).stripTrailing();
  }

  /** The JSON line of a query that was read: {@code match} is null for "no match". */
  static String resultJson(String query, Match best, double elapsedMillis) {
    return new Json()
        .put("query", query)
        .putRaw("match", best == null ? "null" : matchJson(best))
        .put("elapsed_ms", Json.round(elapsedMillis, 3))
        .toString();
  }

  /** The JSON line of a query that could not be read. */
  static String errorJson(String query, String error, double elapsedMillis) {
    return new Json()
        .put("query", query)
        .put("error", error)
        .put("elapsed_ms", Json.round(elapsedMillis, 3))
        .toString();
  }

  static String matchJson(Match m) {
    TrackMetadata t = m.track().metadata();
    return new Json()
        .put("track_id", m.track().id())
        .put("title", t.title())
        .put("artist", t.artist())
        .put("path", t.sourcePath())
        .put("confidence", m.confidence())
        .put("score", Json.round(m.score(), 4))
        .put("delta_ms", m.deltaMillis())
        .put("query_start_ms", m.queryStartMillis())
        .put("query_stop_ms", m.queryStopMillis())
        .put("ref_start_ms", m.refStartMillis())
        .put("ref_stop_ms", m.refStopMillis())
        .put("matched_share", Json.round(m.matchedShare(), 4))
        .put("speed", Json.round(m.speed(), 4))
        .toString();
  }
}
