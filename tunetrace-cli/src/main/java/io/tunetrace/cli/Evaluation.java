package io.tunetrace.cli;

import io.tunetrace.core.Match;
import io.tunetrace.core.MatchResult;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.index.IndexStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Measures recognition quality and speed on a corpus made by {@code make-corpus}: indexes
 * {@code refs/} into a fresh index (in parallel, timing worker CPU), matches every query of
 * {@code manifest.csv} sequentially after a warm-up pass, and reports accuracy, false positives,
 * offset precision, speed and index size. Not thread-safe.
 */
final class Evaluation {
  /** Display order of the conditions make-corpus knows; others follow alphabetically. */
  static final List<String> CONDITION_ORDER =
      List.of("clean", "white10", "room", "phone", "pink0", "speed2");

  /** Tolerance on delta_ms around the truth. */
  static final long DELTA_TOLERANCE_MILLIS = 100;

  /** Speed factor of the speed2 condition (sox speed 1.02). */
  static final double SPEED2_FACTOR = 1.02;

  /** The outcome of one query. */
  record QueryResult(Manifest.Row row, String got, Long deltaMillis, double score, int confidence,
      double latencyMillis, String error) {
    boolean matched() {
      return got != null;
    }

    boolean correct() {
      return !row.heldOut() && row.expected().equals(got);
    }

    /** Whether delta_ms lies within the tolerance of the truth (scaled for speed2). */
    boolean deltaWithinTolerance() {
      if (deltaMillis == null) {
        return false;
      }
      double truth = row.offsetSeconds() * 1000;
      if (row.condition().equals("speed2")) {
        // Query second q holds track second offset + 1.02 q: delta drifts by 2% of the clip.
        double drift = (SPEED2_FACTOR - 1) * row.lengthSeconds() * 1000;
        return deltaMillis >= truth - DELTA_TOLERANCE_MILLIS
            && deltaMillis <= truth + drift + DELTA_TOLERANCE_MILLIS;
      }
      return Math.abs(deltaMillis - truth) <= DELTA_TOLERANCE_MILLIS;
    }
  }

  /** Everything measured. */
  record Report(
      Path corpus,
      int refs,
      int refFailures,
      Ingester.Summary ingest,
      IndexStats stats,
      List<QueryResult> results) {

    List<String> conditions() {
      TreeSet<String> others = new TreeSet<>();
      List<String> ordered = new ArrayList<>();
      for (QueryResult r : results) {
        if (!r.row().heldOut() && !CONDITION_ORDER.contains(r.row().condition())) {
          others.add(r.row().condition());
        }
      }
      for (String c : CONDITION_ORDER) {
        if (results.stream().anyMatch(r -> !r.row().heldOut() && r.row().condition().equals(c))) {
          ordered.add(c);
        }
      }
      ordered.addAll(others);
      return ordered;
    }

    List<Double> lengths() {
      return results.stream().map(r -> r.row().lengthSeconds()).distinct().sorted().toList();
    }

    /** [correct, total] for known clips of this condition (null = all) and length (null = all). */
    int[] accuracy(String condition, Double length) {
      int correct = 0;
      int total = 0;
      for (QueryResult r : results) {
        if (r.row().heldOut()
            || condition != null && !r.row().condition().equals(condition)
            || length != null && r.row().lengthSeconds() != length) {
          continue;
        }
        total++;
        correct += r.correct() ? 1 : 0;
      }
      return new int[] {correct, total};
    }

    int[] falsePositives() {
      int fp = 0;
      int total = 0;
      for (QueryResult r : results) {
        if (r.row().heldOut()) {
          total++;
          fp += r.matched() ? 1 : 0;
        }
      }
      return new int[] {fp, total};
    }

    /** [within tolerance, correct matches], for speed2 only or for every other condition. */
    int[] deltaPrecision(boolean speed2) {
      int ok = 0;
      int total = 0;
      for (QueryResult r : results) {
        if (r.correct() && r.row().condition().equals("speed2") == speed2) {
          total++;
          ok += r.deltaWithinTolerance() ? 1 : 0;
        }
      }
      return new int[] {ok, total};
    }

    int wrongTrackFirstOnClean() {
      int n = 0;
      for (QueryResult r : results) {
        if (!r.row().heldOut() && r.row().condition().equals("clean") && r.matched()
            && !r.correct()) {
          n++;
        }
      }
      return n;
    }

    long errors() {
      return results.stream().filter(r -> r.error() != null).count();
    }

    double[] latencyPercentiles(java.util.function.Predicate<QueryResult> which) {
      double[] l = results.stream().filter(r -> r.error() == null).filter(which)
          .mapToDouble(QueryResult::latencyMillis).sorted().toArray();
      return new double[] {percentile(l, 50), percentile(l, 95), l.length};
    }

    /** Per file extension: [audio millis, CPU nanos, files] of the added refs. */
    Map<String, long[]> ingestByFormat() {
      Map<String, long[]> byFormat = new TreeMap<>();
      for (Ingester.Outcome o : ingest.outcomes()) {
        Long cpu = ingest.fileCpuNanos().get(o.file());
        if (o.kind() != Ingester.Kind.ADDED || cpu == null) {
          continue;
        }
        long[] v = byFormat.computeIfAbsent(AudioFiles.extension(o.file()), k -> new long[3]);
        v[0] += o.audioMillis();
        v[1] += cpu;
        v[2]++;
      }
      return byFormat;
    }

    String markdown() {
      StringBuilder b = new StringBuilder();
      List<Double> lengths = lengths();
      b.append("Top-1 accuracy (correct / clips):\n\n| condition |");
      for (double len : lengths) {
        b.append(' ').append(seconds(len)).append(" |");
      }
      b.append(" all |\n| --- |");
      b.append(" --- |".repeat(lengths.size() + 1)).append('\n');
      for (String c : conditions()) {
        b.append("| ").append(c).append(" |");
        for (double len : lengths) {
          b.append(' ').append(share(accuracy(c, len))).append(" |");
        }
        b.append(' ').append(share(accuracy(c, null))).append(" |\n");
      }
      b.append("| **all** |");
      for (double len : lengths) {
        b.append(' ').append(share(accuracy(null, len))).append(" |");
      }
      b.append(' ').append(share(accuracy(null, null))).append(" |\n\n");

      double[] all = latencyPercentiles(r -> true);
      double[] wav5 = latencyPercentiles(
          r -> r.row().lengthSeconds() == 5.0 && r.row().query().toLowerCase(Locale.ROOT).endsWith(".wav"));
      long audio = ingest.audioMillis();
      b.append("| metric | value |\n| --- | --- |\n");
      row(b, "false positives on held-out clips", share(falsePositives()));
      row(b, "correct matches with delta_ms within 100 ms of the truth (all but speed2)",
          share(deltaPrecision(false)));
      row(b, "speed2 correct matches with delta_ms within the 2% drift window ± 100 ms",
          share(deltaPrecision(true)));
      row(b, "wrong track ranked first on clean clips", Integer.toString(wrongTrackFirstOnClean()));
      row(b, "queries that could not be read", Long.toString(errors()));
      row(b, "refs indexed", String.format(Locale.ROOT, "%d (%d failed), %s of audio, %,d postings",
          refs - refFailures, refFailures, Format.hours(audio), ingest.postings()));
      row(b, "ingest speed (decode included)", String.format(Locale.ROOT,
          "%.0f× realtime per core (worker CPU time); %.0f× realtime wall-clock on %d threads",
          ingest.realtimePerCore(), ingest.realtimeFactor(), ingest.threads()));
      if (ingest.realtimePerCoreWithChildren() >= 0) {
        row(b, "ingest speed counting child processes (ffmpeg decode of OGG etc.)", String.format(
            Locale.ROOT, "%.0f× realtime per core", ingest.realtimePerCoreWithChildren()));
      }
      for (Map.Entry<String, long[]> e : ingestByFormat().entrySet()) {
        long[] v = e.getValue();
        row(b, "hash + decode + fingerprint speed, " + e.getKey() + " refs (in-JVM CPU)",
            String.format(Locale.ROOT, "%.0f× realtime per core (%d files, %s)",
                v[1] == 0 ? 0 : v[0] * 1e6 / v[1], v[2], Format.hours(v[0])));
      }
      row(b, "query latency p50 / p95 (in-process, decode included, warm)", String.format(
          Locale.ROOT, "%.2f ms / %.2f ms (%d queries)", all[0], all[1], (int) all[2]));
      if (wav5[2] > 0) {
        row(b, "query latency p50 / p95, 5 s WAV clips", String.format(
            Locale.ROOT, "%.2f ms / %.2f ms (%d queries)", wav5[0], wav5[1], (int) wav5[2]));
      }
      row(b, "index size", String.format(Locale.ROOT, "%s per hour of audio, %.2f bytes per posting, %s total",
          Format.bytes(stats.bytesPerHour()), stats.bytesPerPosting(), Format.bytes(stats.bytes())));
      return b.toString();
    }

    String json() {
      StringBuilder rows = new StringBuilder("[");
      for (int i = 0; i < results.size(); i++) {
        QueryResult r = results.get(i);
        Json j = new Json()
            .put("query", r.row().query())
            .put("expected", r.row().expected())
            .put("condition", r.row().condition())
            .put("offset_s", r.row().offsetSeconds())
            .put("length_s", r.row().lengthSeconds())
            .put("got", r.got())
            .putRaw("delta_ms", r.deltaMillis() == null ? "null" : r.deltaMillis().toString())
            .put("score", Json.round(r.score(), 4))
            .put("confidence", r.confidence())
            .put("correct", r.correct() ? 1 : 0)
            .put("latency_ms", Json.round(r.latencyMillis(), 3));
        if (r.error() != null) {
          j.put("error", r.error());
        }
        rows.append(i == 0 ? "\n  " : ",\n  ").append(j);
      }
      rows.append("\n]");
      StringBuilder acc = new StringBuilder("{");
      List<String> conditions = conditions();
      for (int i = 0; i < conditions.size(); i++) {
        String c = conditions.get(i);
        Json byLength = new Json();
        for (double len : lengths()) {
          int[] a = accuracy(c, len);
          if (a[1] > 0) {
            byLength.putRaw(seconds(len).replace(" ", ""), "[" + a[0] + ", " + a[1] + "]");
          }
        }
        acc.append(i == 0 ? "" : ", ").append(Json.quote(c)).append(": ").append(byLength);
      }
      acc.append('}');
      int[] fp = falsePositives();
      int[] delta = deltaPrecision(false);
      double[] lat = latencyPercentiles(r -> true);
      return new Json()
          .put("corpus", corpus.toString())
          .putRaw("accuracy", acc.toString())
          .putRaw("false_positives", "[" + fp[0] + ", " + fp[1] + "]")
          .putRaw("delta_within_100ms", "[" + delta[0] + ", " + delta[1] + "]")
          .put("wrong_track_first_clean", wrongTrackFirstOnClean())
          .put("ingest_realtime_per_core", Json.round(ingest.realtimePerCore(), 1))
          .put("ingest_realtime_wall", Json.round(ingest.realtimeFactor(), 1))
          .put("ingest_audio_s", ingest.audioMillis() / 1000.0)
          .put("latency_p50_ms", Json.round(lat[0], 3))
          .put("latency_p95_ms", Json.round(lat[1], 3))
          .put("index_bytes", stats.bytes())
          .put("index_bytes_per_hour", Math.round(stats.bytesPerHour()))
          .put("index_bytes_per_posting", Json.round(stats.bytesPerPosting(), 3))
          .putRaw("queries", rows.toString())
          + "\n";
    }
  }

  private final int threads;
  private final PrintWriter log;

  /** @param log progress lines (stderr) */
  Evaluation(int threads, PrintWriter log) {
    this.threads = threads;
    this.log = log;
  }

  Report run(Path corpus) throws IOException, InterruptedException {
    Path manifestFile = corpus.resolve("manifest.csv");
    Path refsDir = corpus.resolve("refs");
    Path queriesDir = corpus.resolve("queries");
    if (!Files.isRegularFile(manifestFile)) {
      throw new CliException("no manifest.csv in " + corpus);
    }
    if (!Files.isDirectory(refsDir)) {
      throw new CliException("no refs/ folder in " + corpus);
    }
    List<Manifest.Row> rows = Manifest.read(manifestFile);
    List<Path> refs = AudioFiles.expand(List.of(refsDir));
    Path indexDir = Files.createTempDirectory("tunetrace-eval-");
    try (TuneTrace tt = IndexOption.openEmbedded(indexDir)) {
      log.printf(Locale.ROOT, "indexing %d refs with %d threads...%n", refs.size(), threads);
      log.flush();
      Ingester.Summary ingest = new Ingester(tt.index(), threads, null, null).run(refs);
      int refFailures = (int) ingest.count(Ingester.Kind.FAILED);
      for (Ingester.Outcome o : ingest.outcomes()) {
        if (o.kind() == Ingester.Kind.FAILED) {
          log.println("failed: " + o.file() + ": " + o.detail());
        }
      }
      IndexStats stats = tt.index().stats();
      log.printf(Locale.ROOT, "matching %d queries (warm-up pass, then measured pass)...%n", rows.size());
      log.flush();
      for (Manifest.Row row : rows) {
        matchOne(tt, queriesDir, row);
      }
      log.println("warm-up done; measuring...");
      log.flush();
      List<QueryResult> results = new ArrayList<>();
      for (Manifest.Row row : rows) {
        results.add(matchOne(tt, queriesDir, row));
        if (results.size() % 100 == 0) {
          log.printf(Locale.ROOT, "  %d/%d%n", results.size(), rows.size());
          log.flush();
        }
      }
      return new Report(corpus, refs.size(), refFailures, ingest, stats, results);
    } finally {
      deleteRecursively(indexDir);
    }
  }

  private static QueryResult matchOne(TuneTrace tt, Path queriesDir, Manifest.Row row) {
    Path file = queriesDir.resolve(row.query());
    long start = System.nanoTime();
    MatchResult result;
    try {
      result = Queries.match(tt, file);
    } catch (Exception e) {
      double ms = (System.nanoTime() - start) / 1e6;
      return new QueryResult(row, null, null, 0, 0, ms, Errors.oneLine(e));
    }
    double ms = (System.nanoTime() - start) / 1e6;
    Match best = result.best().orElse(null);
    if (best == null) {
      return new QueryResult(row, null, null, 0, 0, ms, null);
    }
    String source = best.track().metadata().sourcePath();
    String got = source.isEmpty() ? best.track().metadata().title()
        : Path.of(source).getFileName().toString();
    return new QueryResult(row, got, best.deltaMillis(), best.score(), best.confidence(), ms, null);
  }

  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
  }

  static String share(int[] counts) {
    if (counts[1] == 0) {
      return "—";
    }
    return String.format(Locale.ROOT, "%.1f%% (%d/%d)", 100.0 * counts[0] / counts[1], counts[0],
        counts[1]);
  }

  static String seconds(double s) {
    return s == Math.rint(s) ? (long) s + " s" : s + " s";
  }

  private static void row(StringBuilder b, String metric, String value) {
    b.append("| ").append(metric).append(" | ").append(value).append(" |\n");
  }

  static void deleteRecursively(Path dir) {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A temp folder left behind is harmless.
    }
  }
}
