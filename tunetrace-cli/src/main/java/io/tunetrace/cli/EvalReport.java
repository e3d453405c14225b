package io.tunetrace.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunetrace.cli.Evaluation.Library;
import io.tunetrace.cli.Evaluation.QueryResult;
import io.tunetrace.core.index.IndexStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Everything {@code tunetrace eval} measured, as Markdown tables for BENCHMARKS.md or as one JSON
 * object. Immutable and thread-safe.
 *
 * @param corpus the corpus folder
 * @param split the tune/test split of the corpus
 * @param part the part whose queries were matched
 * @param manifestQueries queries in the manifest, all parts
 * @param warmupQueries queries matched before the measured pass
 * @param refs the corpus's refs/
 * @param background the background library, or null
 * @param stats the index after ingest
 * @param otherTracks tracks in the index that are neither refs nor background of this run
 * @param cpu process CPU time of ingest and of the measured query pass
 * @param results the measured pass, in manifest order
 */
record EvalReport(
    Path corpus,
    CorpusSplit split,
    CorpusSplit.Part part,
    int manifestQueries,
    int warmupQueries,
    Library refs,
    Library background,
    IndexStats stats,
    long otherTracks,
    Cpu cpu,
    List<QueryResult> results) {

  /**
   * CPU seconds of the whole process (every JVM thread) plus its waited-for child processes, from
   * {@code /proc/self/stat}; NaN where that file cannot be read.
   *
   * @param ticksPerSecond USER_HZ used to convert ticks, 0 when unknown
   * @param ingestSeconds indexing refs and background
   * @param ingestChildSeconds the part of {@code ingestSeconds} spent in child processes
   * @param querySeconds the measured query pass
   * @param queryChildSeconds the part of {@code querySeconds} spent in child processes
   */
  record Cpu(long ticksPerSecond, double ingestSeconds, double ingestChildSeconds,
      double querySeconds, double queryChildSeconds) {}

  /**
   * How indexed clips were answered.
   *
   * @param total clips
   * @param correct the expected track ranked first
   * @param wrongTrack another track ranked first
   * @param noMatch nothing accepted
   * @param errors the clip could not be read
   */
  record Tally(int total, int correct, int wrongTrack, int noMatch, int errors) {
    Proportion accuracy() {
      return new Proportion(correct, total);
    }

    ObjectNode json() {
      return JsonOutput.object()
          .put("correct", correct)
          .put("total", total)
          .put("rate", Proportion.round6(accuracy().rate()))
          .put("wrong_track", wrongTrack)
          .put("no_match", noMatch)
          .put("errors", errors);
    }
  }

  /** Latency percentiles in milliseconds of {@code count} queries (NaN when none). */
  record Latency(double p50, double p95, double p99, int count) {
    String text() {
      return count == 0 ? "—" : String.format(Locale.ROOT,
          "%.2f ms / %.2f ms / %.2f ms (%d queries)", p50, p95, p99, count);
    }

    ObjectNode json() {
      return JsonOutput.object().put("p50", round(p50, 3)).put("p95", round(p95, 3))
          .put("p99", round(p99, 3)).put("count", count);
    }
  }

  static final Predicate<QueryResult> KNOWN = r -> !r.row().heldOut();
  static final Predicate<QueryResult> HELD_OUT = r -> r.row().heldOut();

  // ---- figures -------------------------------------------------------------------------------

  /** Conditions of the selected clips in display order. */
  List<String> conditions(Predicate<QueryResult> which) {
    TreeSet<String> present = new TreeSet<>();
    for (QueryResult r : results) {
      if (which.test(r)) {
        present.add(r.row().condition());
      }
    }
    List<String> ordered = new ArrayList<>();
    for (String c : Evaluation.CONDITION_ORDER) {
      if (present.remove(c)) {
        ordered.add(c);
      }
    }
    ordered.addAll(present);
    return ordered;
  }

  /** Clip lengths of the selected clips, ascending. */
  List<Double> lengths(Predicate<QueryResult> which) {
    return results.stream().filter(which).map(r -> r.row().lengthSeconds()).distinct().sorted()
        .toList();
  }

  private static Predicate<QueryResult> cell(Predicate<QueryResult> base, String condition,
      Double length) {
    return base.and(r -> condition == null || r.row().condition().equals(condition))
        .and(r -> length == null || r.row().lengthSeconds() == length);
  }

  /** Answers on indexed clips of {@code condition} (null = all) and {@code length} (null = all). */
  Tally tally(String condition, Double length) {
    int total = 0;
    int correct = 0;
    int wrong = 0;
    int none = 0;
    int errors = 0;
    Predicate<QueryResult> which = cell(KNOWN, condition, length);
    for (QueryResult r : results) {
      if (!which.test(r)) {
        continue;
      }
      total++;
      correct += r.correct() ? 1 : 0;
      wrong += r.wrongTrack() ? 1 : 0;
      none += r.noMatch() ? 1 : 0;
      errors += r.error() != null ? 1 : 0;
    }
    return new Tally(total, correct, wrong, none, errors);
  }

  /** Never-indexed clips of {@code condition} and {@code length} (null = all) that matched. */
  Proportion falsePositives(String condition, Double length) {
    int fp = 0;
    int total = 0;
    Predicate<QueryResult> which = cell(HELD_OUT, condition, length);
    for (QueryResult r : results) {
      if (which.test(r)) {
        total++;
        fp += r.matched() ? 1 : 0;
      }
    }
    return new Proportion(fp, total);
  }

  /** Distinct never-indexed clips that matched. */
  TreeSet<String> falsePositiveClips() {
    TreeSet<String> clips = new TreeSet<>();
    results.stream().filter(HELD_OUT).filter(QueryResult::matched)
        .forEach(r -> clips.add(r.row().query()));
    return clips;
  }

  /** Distinct never-indexed sources (pieces) with at least one clip that matched. */
  TreeSet<String> falsePositiveSources() {
    TreeSet<String> sources = new TreeSet<>();
    results.stream().filter(HELD_OUT).filter(QueryResult::matched)
        .forEach(r -> sources.add(CorpusSplit.sourceStem(r.row().query())));
    return sources;
  }

  /** Distinct tracks returned for never-indexed clips. */
  TreeSet<String> falsePositiveTracks() {
    TreeSet<String> tracks = new TreeSet<>();
    results.stream().filter(HELD_OUT).filter(QueryResult::matched).forEach(r -> tracks.add(r.got()));
    return tracks;
  }

  /** Never-indexed sources among the evaluated clips. */
  long heldOutSources() {
    return results.stream().filter(HELD_OUT).map(r -> CorpusSplit.sourceStem(r.row().query()))
        .distinct().count();
  }

  /** [within tolerance, correct matches], for speed2 only or for every other condition. */
  Proportion deltaPrecision(boolean speed2) {
    int ok = 0;
    int total = 0;
    for (QueryResult r : results) {
      if (r.correct() && r.row().condition().equals("speed2") == speed2) {
        total++;
        ok += r.deltaWithinTolerance() ? 1 : 0;
      }
    }
    return new Proportion(ok, total);
  }

  int wrongTrackFirstOnClean() {
    return tally("clean", null).wrongTrack();
  }

  long errors() {
    return results.stream().filter(r -> r.error() != null).count();
  }

  /** Latency of the readable queries that pass {@code which}. */
  Latency latency(Predicate<QueryResult> which) {
    double[] l = results.stream().filter(r -> r.error() == null).filter(which)
        .mapToDouble(QueryResult::latencyMillis).sorted().toArray();
    return new Latency(Evaluation.percentile(l, 50), Evaluation.percentile(l, 95),
        Evaluation.percentile(l, 99), l.length);
  }

  static boolean fiveSecondWav(QueryResult r) {
    return r.row().lengthSeconds() == 5.0
        && r.row().query().toLowerCase(Locale.ROOT).endsWith(".wav");
  }

  /** Per file extension: [audio millis, CPU nanos, files] of the added refs. */
  Map<String, long[]> ingestByFormat() {
    Map<String, long[]> byFormat = new TreeMap<>();
    Ingester.Summary ingest = refs.summary();
    for (Ingester.Outcome o : ingest.outcomes()) {
      Long cpuNanos = ingest.fileCpuNanos().get(o.file());
      if (o.kind() != Ingester.Kind.ADDED || cpuNanos == null) {
        continue;
      }
      long[] v = byFormat.computeIfAbsent(AudioFiles.extension(o.file()), k -> new long[3]);
      v[0] += o.audioMillis();
      v[1] += cpuNanos;
      v[2]++;
    }
    return byFormat;
  }

  /** Audio added to the index in this run (refs and background). */
  long addedAudioMillis() {
    return refs.summary().audioMillis() + (background == null ? 0 : background.summary().audioMillis());
  }

  /** Seconds of audio of the measured queries (from the manifest's lengths). */
  double queryAudioSeconds() {
    return results.stream().mapToDouble(r -> r.row().lengthSeconds()).sum();
  }

  // ---- Markdown ------------------------------------------------------------------------------

  String markdown() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT,
        "Split: %s (%d of %d refs, %d of %d never-indexed sources; %d of %d queries)."
            + " Every ref is indexed whatever the split.%n%n",
        part.label(), split.refs(part).size(), split.refs(CorpusSplit.Part.ALL).size(),
        split.sources(part).size(), split.sources(CorpusSplit.Part.ALL).size(), results.size(),
        manifestQueries));

    b.append("Top-1 accuracy (correct / clips):\n\n");
    grid(b, KNOWN, (c, len) -> tally(c, len).accuracy().share());

    b.append("Answers on indexed clips:\n\n");
    b.append("| condition | clips | correct | wrong track | no match | unreadable |\n");
    b.append("| --- | --- | --- | --- | --- | --- |\n");
    for (String c : conditions(KNOWN)) {
      tallyRow(b, c, tally(c, null));
    }
    tallyRow(b, "**all**", tally(null, null));
    b.append('\n');

    if (results.stream().anyMatch(HELD_OUT)) {
      b.append("False positives on never-indexed clips (any match; 95% Wilson interval):\n\n");
      grid(b, HELD_OUT, (c, len) -> falsePositives(c, len).shareWithInterval());
    }

    Proportion fp = falsePositives(null, null);
    Latency all = latency(r -> true);
    Latency wav5 = latency(EvalReport::fiveSecondWav);
    Ingester.Summary ingest = refs.summary();
    b.append("| metric | value |\n| --- | --- |\n");
    row(b, "false positives on held-out clips", fp.share());
    row(b, "false positives, 95% Wilson interval", fp.total() == 0 ? "—" : String.format(
        Locale.ROOT, "%s; clips with a match: %d, from %d of %d sources; distinct tracks matched: %d",
        fp.interval(), falsePositiveClips().size(), falsePositiveSources().size(),
        heldOutSources(), falsePositiveTracks().size()));
    row(b, "correct matches with delta_ms within 100 ms of the truth (all but speed2; speed, tempo: plus their drift)",
        deltaPrecision(false).share());
    row(b, "speed2 correct matches with delta_ms within the 2% drift window ± 100 ms",
        deltaPrecision(true).share());
    row(b, "wrong track ranked first on clean clips", Integer.toString(wrongTrackFirstOnClean()));
    row(b, "queries that could not be read", Long.toString(errors()));
    row(b, "refs indexed", String.format(Locale.ROOT, "%d (%d failed), %s of audio, %,d postings%s",
        refs.tracks(), refs.failed(), Format.hours(refs.audioMillis()), refs.postings(),
        refs.reused() > 0 ? String.format(Locale.ROOT, " (%d already in the index)", refs.reused())
            : ""));
    if (background != null) {
      row(b, "background indexed", String.format(Locale.ROOT,
          "%d tracks, %s of audio, %,d postings (%d files: %d added, %d already in the index,"
              + " %d duplicates, %d failed)",
          background.tracks(), Format.hours(background.audioMillis()), background.postings(),
          background.files(), background.added(), background.reused(), background.duplicates(),
          background.failed()));
    }
    row(b, "index", String.format(Locale.ROOT, "%d tracks, %s of audio, %,d postings%s",
        stats.tracks(), Format.hours(stats.durationMillis()), stats.postings(),
        otherTracks > 0 ? String.format(Locale.ROOT, " (%d neither refs nor background)",
            otherTracks) : ""));
    if (ingest.audioMillis() > 0) {
      row(b, "ingest speed (decode included)", String.format(Locale.ROOT,
          "%.0f× realtime per core (worker CPU time); %.0f× realtime wall-clock on %d threads",
          ingest.realtimePerCore(), ingest.realtimeFactor(), ingest.threads()));
      if (ingest.realtimePerCoreWithChildren() >= 0) {
        row(b, "ingest speed counting child processes (ffmpeg decode of OGG etc.)", String.format(
            Locale.ROOT, "%.0f× realtime per core", ingest.realtimePerCoreWithChildren()));
      }
    }
    for (Map.Entry<String, long[]> e : ingestByFormat().entrySet()) {
      long[] v = e.getValue();
      row(b, "hash + decode + fingerprint speed, " + e.getKey() + " refs (in-JVM CPU)",
          String.format(Locale.ROOT, "%.0f× realtime per core (%d files, %s)",
              v[1] == 0 ? 0 : v[0] * 1e6 / v[1], v[2], Format.hours(v[0])));
    }
    row(b, "ingest CPU, whole process + child processes (/proc/self/stat)",
        cpuText(cpu.ingestSeconds(), cpu.ingestChildSeconds(), addedAudioMillis() / 1000.0,
            "audio added"));
    row(b, "query CPU, whole process + child processes (/proc/self/stat)",
        Double.isNaN(cpu.querySeconds()) || results.isEmpty() ? "—" : cpuText(cpu.querySeconds(),
            cpu.queryChildSeconds(), queryAudioSeconds(), "queries") + String.format(Locale.ROOT,
            "; %.2f CPU-ms per query", 1000 * cpu.querySeconds() / results.size()));
    row(b, "query latency p50 / p95 / p99 (in-process, decode included, one pass)", all.text());
    row(b, "query latency p50 / p95 / p99, queries that matched",
        latency(QueryResult::matched).text());
    row(b, "query latency p50 / p95 / p99, queries with no match",
        latency(QueryResult::noMatch).text());
    row(b, "query latency p50 / p95 / p99, 5 s WAV clips", wav5.text());
    row(b, "index size", String.format(Locale.ROOT,
        "%s per hour of audio, %.2f bytes per posting, %s total",
        Format.bytes(stats.bytesPerHour()), stats.bytesPerPosting(), Format.bytes(stats.bytes())));
    return b.toString();
  }

  private interface CellText {
    String of(String condition, Double length);
  }

  private void grid(StringBuilder b, Predicate<QueryResult> which, CellText text) {
    List<Double> lengths = lengths(which);
    b.append("| condition |");
    for (double len : lengths) {
      b.append(' ').append(Evaluation.seconds(len)).append(" |");
    }
    b.append(" all |\n| --- |").append(" --- |".repeat(lengths.size() + 1)).append('\n');
    List<String> rowsOf = new ArrayList<>(conditions(which));
    rowsOf.add(null);
    for (String c : rowsOf) {
      b.append("| ").append(c == null ? "**all**" : c).append(" |");
      for (double len : lengths) {
        b.append(' ').append(text.of(c, len)).append(" |");
      }
      b.append(' ').append(text.of(c, null)).append(" |\n");
    }
    b.append('\n');
  }

  private static void tallyRow(StringBuilder b, String name, Tally t) {
    b.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d |%n", name, t.total(),
        t.correct(), t.wrongTrack(), t.noMatch(), t.errors()));
  }

  private static String cpuText(double seconds, double childSeconds, double audioSeconds,
      String what) {
    if (Double.isNaN(seconds)) {
      return "— (no /proc/self/stat)";
    }
    String speed = seconds > 0 && audioSeconds > 0
        ? String.format(Locale.ROOT, ": %.0f× realtime per CPU-second", audioSeconds / seconds)
        : "";
    return String.format(Locale.ROOT, "%.2f CPU-s (%.2f in child processes) for %s of %s%s",
        seconds, childSeconds, Format.hours(Math.round(audioSeconds * 1000)), what, speed);
  }

  private static void row(StringBuilder b, String metric, String value) {
    b.append("| ").append(metric).append(" | ").append(value).append(" |\n");
  }

  // ---- JSON ----------------------------------------------------------------------------------

  String json() {
    Ingester.Summary ingest = refs.summary();
    Proportion fp = falsePositives(null, null);
    Proportion delta = deltaPrecision(false);
    Latency all = latency(r -> true);

    ObjectNode legacy = JsonOutput.object();
    List<String> known = conditions(KNOWN);
    for (String condition : known) {
      ObjectNode byLength = legacy.putObject(condition);
      for (double len : lengths(KNOWN)) {
        Tally t = tally(condition, len);
        if (t.total() > 0) {
          byLength.putArray(lengthKey(len)).add(t.correct()).add(t.total());
        }
      }
    }

    ObjectNode cells = JsonOutput.object();
    List<String> conditionsAndAll = new ArrayList<>(known);
    conditionsAndAll.add(null);
    for (String c : conditionsAndAll) {
      ObjectNode byLength = JsonOutput.object();
      for (double len : lengths(KNOWN)) {
        Tally t = tally(c, len);
        if (t.total() > 0) {
          byLength.set(lengthKey(len), t.json());
        }
      }
      byLength.set("all", tally(c, null).json());
      cells.set(c == null ? "all" : c, byLength);
    }

    ObjectNode fpCells = JsonOutput.object();
    List<String> negatives = new ArrayList<>(conditions(HELD_OUT));
    negatives.add(null);
    for (String c : negatives) {
      if (c == null && fp.total() == 0) {
        break;
      }
      ObjectNode byLength = JsonOutput.object();
      for (double len : lengths(HELD_OUT)) {
        Proportion p = falsePositives(c, len);
        if (p.total() > 0) {
          byLength.set(lengthKey(len), p.json());
        }
      }
      byLength.set("all", falsePositives(c, null).json());
      fpCells.set(c == null ? "all" : c, byLength);
    }
    ObjectNode fpJson = fp.json()
        .put("distinct_clips", falsePositiveClips().size())
        .put("distinct_sources", falsePositiveSources().size())
        .put("sources", heldOutSources())
        .put("distinct_tracks", falsePositiveTracks().size());
    fpJson.set("clips", JsonOutput.strings(falsePositiveClips()));
    fpJson.set("cells", fpCells);

    ObjectNode latencyJson = JsonOutput.object();
    latencyJson.set("all", all.json());
    latencyJson.set("matched", latency(QueryResult::matched).json());
    latencyJson.set("no_match", latency(QueryResult::noMatch).json());
    latencyJson.set("wav_5s", latency(EvalReport::fiveSecondWav).json());

    double addedAudio = addedAudioMillis() / 1000.0;
    ObjectNode cpuJson = JsonOutput.object()
        .put("clock_ticks_per_s", cpu.ticksPerSecond())
        .put("ingest_s", round(cpu.ingestSeconds(), 2))
        .put("ingest_child_s", round(cpu.ingestChildSeconds(), 2))
        .put("ingest_audio_added_s", round(addedAudio, 3))
        .put("ingest_realtime_per_cpu_s", cpu.ingestSeconds() > 0 && addedAudio > 0
            ? round(addedAudio / cpu.ingestSeconds(), 1) : Double.NaN)
        .put("query_s", round(cpu.querySeconds(), 2))
        .put("query_child_s", round(cpu.queryChildSeconds(), 2))
        .put("queries", results.size())
        .put("query_audio_s", round(queryAudioSeconds(), 3))
        .put("query_ms_per_query", results.isEmpty() ? Double.NaN
            : round(1000 * cpu.querySeconds() / results.size(), 3))
        .put("query_realtime_per_cpu_s", cpu.querySeconds() > 0 && !results.isEmpty()
            ? round(queryAudioSeconds() / cpu.querySeconds(), 1) : Double.NaN);

    ObjectNode indexJson = JsonOutput.object()
        .put("tracks", stats.tracks())
        .put("hours", round(stats.hours(), 4))
        .put("postings", stats.postings())
        .put("bytes", stats.bytes())
        .put("bytes_per_hour", Math.round(stats.bytesPerHour()))
        .put("bytes_per_posting", round(stats.bytesPerPosting(), 3))
        .put("other_tracks", otherTracks);
    indexJson.set("refs", library(refs));
    indexJson.set("background", background == null ? NullNode.instance : library(background));

    ObjectNode splitJson = JsonOutput.object()
        .put("part", part.label())
        .put("rule", "names sorted by SHA-256 of their UTF-8 bytes; first ceil(n/2) = tune;"
            + " indexed clips keyed by expected ref, never-indexed clips by source stem");
    splitJson.set("refs", JsonOutput.strings(split.refs(part)));
    splitJson.set("never_indexed_sources", JsonOutput.strings(split.sources(part)));
    splitJson.put("queries", results.size())
        .put("manifest_queries", manifestQueries);

    ObjectNode report = JsonOutput.object().put("corpus", corpus.toString());
    report.set("split", splitJson);
    report.set("accuracy", legacy);
    report.putArray("false_positives").add(fp.count()).add(fp.total());
    report.putArray("delta_within_100ms").add(delta.count()).add(delta.total());
    report.put("wrong_track_first_clean", wrongTrackFirstOnClean())
        .put("ingest_realtime_per_core", JsonOutput.round(ingest.realtimePerCore(), 1))
        .put("ingest_realtime_wall", JsonOutput.round(ingest.realtimeFactor(), 1))
        .put("ingest_audio_s", ingest.audioMillis() / 1000.0)
        .put("latency_p50_ms", round(all.p50(), 3))
        .put("latency_p95_ms", round(all.p95(), 3))
        .put("index_bytes", stats.bytes())
        .put("index_bytes_per_hour", Math.round(stats.bytesPerHour()))
        .put("index_bytes_per_posting", JsonOutput.round(stats.bytesPerPosting(), 3));
    report.set("cells", cells);
    report.set("fp", fpJson);
    report.set("latency_ms", latencyJson);
    report.set("cpu", cpuJson);
    report.set("index", indexJson);
    report.put("warmup_queries", warmupQueries)
        .put("errors", errors());
    ArrayNode rows = report.putArray("queries");
    for (QueryResult r : results) {
      ObjectNode j = rows.addObject()
          .put("query", r.row().query())
          .put("expected", r.row().expected())
          .put("condition", r.row().condition())
          .put("param", r.row().param())
          .put("offset_s", r.row().offsetSeconds())
          .put("length_s", r.row().lengthSeconds())
          .put("got", r.got())
          .put("delta_ms", r.deltaMillis())
          .put("score", JsonOutput.round(r.score(), 4))
          .put("confidence", r.confidence())
          .put("correct", r.correct() ? 1 : 0)
          .put("latency_ms", JsonOutput.round(r.latencyMillis(), 3));
      if (r.error() != null) {
        j.put("error", r.error());
      }
    }
    // One query per line, so that a diff of two reports shows which queries changed.
    return JsonOutput.write(report, Set.of("queries")) + "\n";
  }

  private static ObjectNode library(Library l) {
    return JsonOutput.object()
        .put("dir", l.dir().toString())
        .put("files", l.files())
        .put("tracks", l.tracks())
        .put("added", l.added())
        .put("already_indexed", l.reused())
        .put("duplicates", l.duplicates())
        .put("failed", l.failed())
        .put("hours", round(l.audioMillis() / 3_600_000.0, 4))
        .put("postings", l.postings());
  }

  private static String lengthKey(double len) {
    return Evaluation.seconds(len).replace(" ", "");
  }

  /** Rounded to {@code decimals}; NaN stays NaN (written as null). */
  static double round(double v, int decimals) {
    return Double.isFinite(v) ? JsonOutput.round(v, decimals) : v;
  }
}
