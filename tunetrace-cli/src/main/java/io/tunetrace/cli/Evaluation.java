package io.tunetrace.cli;

import io.tunetrace.core.Match;
import io.tunetrace.core.MatchResult;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.index.IndexStats;
import io.tunetrace.core.index.Track;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures recognition quality and speed on a corpus made by {@code make-corpus}: indexes
 * {@code refs/} (then an optional background library of distractor tracks) into one index, in
 * parallel, matches the queries of {@code manifest.csv} of the chosen split sequentially in one
 * measured pass after a short warm-up, and returns an {@link EvalReport}. Not thread-safe.
 */
final class Evaluation {
  /** Display order of the conditions make-corpus knows; others follow alphabetically. */
  static final List<String> CONDITION_ORDER =
      List.of("clean", "white10", "room", "phone", "pink0", "speed2", "speed", "tempo", "pitch",
          "speech", "babble", "gsm", "lowbit", "mix", "fx");

  /** Tolerance on delta_ms around the truth. */
  static final long DELTA_TOLERANCE_MILLIS = 100;

  /** Speed factor of the speed2 condition (sox speed 1.02). */
  static final double SPEED2_FACTOR = 1.02;

  /**
   * What to evaluate besides the corpus.
   *
   * @param background folder of distractor audio indexed after the refs, or null
   * @param index index folder to use and keep (created if missing; files already in it by SHA-256
   *     are not added again), or null for a temporary index
   * @param part which half of the corpus's queries to match
   * @param warmupQueries queries matched before the measured pass (not counted)
   */
  record Options(Path background, Path index, CorpusSplit.Part part, int warmupQueries) {
    Options {
      if (part == null) {
        throw new IllegalArgumentException("part == null");
      }
      if (warmupQueries < 0) {
        throw new IllegalArgumentException("warmupQueries < 0: " + warmupQueries);
      }
    }
  }

  /** The outcome of one query. */
  record QueryResult(Manifest.Row row, String got, Long deltaMillis, double score, int confidence,
      double latencyMillis, String error) {
    boolean matched() {
      return got != null;
    }

    boolean correct() {
      return !row.heldOut() && row.expected().equals(got);
    }

    /** An indexed clip answered with another track. */
    boolean wrongTrack() {
      return !row.heldOut() && matched() && !correct();
    }

    /** Read and matched, with nothing accepted. */
    boolean noMatch() {
      return error == null && !matched();
    }

    /**
     * Whether delta_ms lies within the tolerance of the truth, widened by the time drift of a
     * clip played faster or slower (speed2, and speed/tempo by their param).
     */
    boolean deltaWithinTolerance() {
      if (deltaMillis == null) {
        return false;
      }
      double truth = row.offsetSeconds() * 1000;
      // Query second q holds track second offset + f q: delta drifts by (f - 1) of the clip.
      double drift = (timeFactor(row) - 1) * row.lengthSeconds() * 1000;
      return deltaMillis >= truth + Math.min(0, drift) - DELTA_TOLERANCE_MILLIS
          && deltaMillis <= truth + Math.max(0, drift) + DELTA_TOLERANCE_MILLIS;
    }
  }

  /** How much faster than the track a clip plays: 1.02 for speed2, the param of speed/tempo. */
  static double timeFactor(Manifest.Row row) {
    return switch (row.condition()) {
      case "speed2" -> SPEED2_FACTOR;
      case "speed", "tempo" -> {
        try {
          double f = Double.parseDouble(row.param());
          yield f > 0 && Double.isFinite(f) ? f : 1;
        } catch (NumberFormatException e) {
          yield 1;
        }
      }
      default -> 1;
    };
  }

  /**
   * The indexed files of one folder (refs or background).
   *
   * @param dir the folder
   * @param summary the ingest run
   * @param tracks files now in the index as their own track (added, or already there)
   * @param added files added in this run
   * @param reused files already in the given index (same SHA-256)
   * @param duplicates files with the same bytes as another file of this run
   * @param failed files that could not be read or stored
   * @param audioMillis audio of the {@code tracks}
   * @param postings postings of the {@code tracks}
   * @param trackIds index ids of the {@code tracks}
   */
  record Library(Path dir, Ingester.Summary summary, long tracks, long added, long reused,
      long duplicates, long failed, long audioMillis, long postings, Set<Integer> trackIds) {
    static Library of(Path dir, Ingester.Summary summary, Set<Integer> earlierIds) {
      long added = 0;
      long reused = 0;
      long duplicates = 0;
      long failed = 0;
      long audio = 0;
      long postings = 0;
      Set<Integer> ids = new HashSet<>();
      // Added files first: a duplicate can be recorded before the file it duplicates.
      for (Ingester.Outcome o : summary.outcomes()) {
        if (o.kind() == Ingester.Kind.ADDED) {
          added++;
          audio += o.audioMillis();
          postings += o.postings();
          if (o.track() != null) {
            ids.add(o.track().id());
          }
        } else if (o.kind() == Ingester.Kind.FAILED) {
          failed++;
        }
      }
      for (Ingester.Outcome o : summary.outcomes()) {
        Track t = o.track();
        if (o.kind() != Ingester.Kind.DUPLICATE) {
          continue;
        }
        if (t == null || earlierIds.contains(t.id()) || !ids.add(t.id())) {
          duplicates++;
        } else {
          reused++;
          audio += t.metadata().durationMillis();
          postings += t.postingCount();
        }
      }
      return new Library(dir, summary, added + reused, added, reused, duplicates, failed, audio,
          postings, Set.copyOf(ids));
    }

    int files() {
      return summary.outcomes().size();
    }
  }

  private final int threads;
  private final PrintWriter log;

  /** @param log progress lines (stderr) */
  Evaluation(int threads, PrintWriter log) {
    this.threads = threads;
    this.log = log;
  }

  /** Evaluates every query with a temporary index, no background and the existing warm-up. */
  EvalReport run(Path corpus) throws IOException, InterruptedException {
    return run(corpus, new Options(null, null, CorpusSplit.Part.ALL, EvalCommand.DEFAULT_WARMUP));
  }

  EvalReport run(Path corpus, Options options) throws IOException, InterruptedException {
    Path manifestFile = corpus.resolve("manifest.csv");
    Path refsDir = corpus.resolve("refs");
    Path queriesDir = corpus.resolve("queries");
    if (!Files.isRegularFile(manifestFile)) {
      throw new CliException("no manifest.csv in " + corpus);
    }
    if (!Files.isDirectory(refsDir)) {
      throw new CliException("no refs/ folder in " + corpus);
    }
    if (options.background() != null && !Files.isDirectory(options.background())) {
      throw new CliException("no background folder at " + options.background());
    }
    List<Manifest.Row> rows = Manifest.read(manifestFile);
    CorpusSplit split = CorpusSplit.of(rows);
    List<Manifest.Row> selected =
        rows.stream().filter(r -> split.includes(r, options.part())).toList();
    List<Path> refs = AudioFiles.expand(List.of(refsDir));
    List<Path> backgroundFiles = options.background() == null ? List.of()
        : AudioFiles.expand(List.of(options.background()));
    if (options.background() != null && backgroundFiles.isEmpty()) {
      throw new CliException("no audio files in background folder " + options.background());
    }
    boolean temporary = options.index() == null;
    Path indexDir = temporary ? Files.createTempDirectory("tunetrace-eval-") : options.index();
    try (TuneTrace tt = IndexOption.openEmbedded(indexDir)) {
      ProcessCpuTime cpu0 = ProcessCpuTime.now();
      log.printf(Locale.ROOT, "indexing %d refs with %d threads...%n", refs.size(), threads);
      log.flush();
      Ingester.Summary refIngest = ingest(tt, refs);
      Library refLibrary = Library.of(refsDir, refIngest, Set.of());
      Library background = null;
      if (options.background() != null) {
        log.printf(Locale.ROOT, "indexing %d background files from %s...%n",
            backgroundFiles.size(), options.background());
        log.flush();
        background = Library.of(options.background(), ingest(tt, backgroundFiles),
            refLibrary.trackIds());
      }
      ProcessCpuTime cpu1 = ProcessCpuTime.now();
      warnAboutRenamedRefs(refIngest);
      IndexStats stats = tt.index().stats();
      Set<Integer> known = new HashSet<>(refLibrary.trackIds());
      if (background != null) {
        known.addAll(background.trackIds());
      }
      long otherTracks = tt.index().tracks().stream().filter(t -> !known.contains(t.id())).count();
      if (otherTracks > 0) {
        log.printf(Locale.ROOT, "warning: the index holds %d tracks that are neither refs nor"
            + " background files of this run%n", otherTracks);
      }

      int warmup = Math.min(options.warmupQueries(), selected.size());
      log.printf(Locale.ROOT, "matching %d of %d queries (split %s; %d warm-up queries first)...%n",
          selected.size(), rows.size(), options.part().label(), warmup);
      log.flush();
      for (Manifest.Row row : selected.subList(0, warmup)) {
        matchOne(tt, queriesDir, row);
      }
      List<QueryResult> results = new ArrayList<>();
      ProcessCpuTime cpu2 = ProcessCpuTime.now();
      for (Manifest.Row row : selected) {
        results.add(matchOne(tt, queriesDir, row));
        if (results.size() % 100 == 0) {
          log.printf(Locale.ROOT, "  %d/%d%n", results.size(), selected.size());
          log.flush();
        }
      }
      ProcessCpuTime cpu3 = ProcessCpuTime.now();
      EvalReport.Cpu cpu = new EvalReport.Cpu(
          cpu1 == null ? 0 : cpu1.ticksPerSecond(),
          ProcessCpuTime.secondsBetween(cpu0, cpu1),
          ProcessCpuTime.childSecondsBetween(cpu0, cpu1),
          ProcessCpuTime.secondsBetween(cpu2, cpu3),
          ProcessCpuTime.childSecondsBetween(cpu2, cpu3));
      return new EvalReport(corpus, split, options.part(), rows.size(), warmup, refLibrary,
          background, stats, otherTracks, cpu, results);
    } finally {
      if (temporary) {
        deleteRecursively(indexDir);
      }
    }
  }

  private Ingester.Summary ingest(TuneTrace tt, List<Path> files) throws InterruptedException {
    AtomicInteger done = new AtomicInteger();
    int step = files.size() >= 1000 ? 100 : files.size() >= 100 ? 25 : Integer.MAX_VALUE;
    Ingester.Summary summary = new Ingester(tt.index(), threads, null, o -> {
      int n = done.incrementAndGet();
      if (n % step == 0) {
        synchronized (log) {
          log.printf(Locale.ROOT, "  %d/%d%n", n, files.size());
          log.flush();
        }
      }
    }).run(files);
    for (Ingester.Outcome o : summary.outcomes()) {
      if (o.kind() == Ingester.Kind.FAILED) {
        log.println("failed: " + o.file() + ": " + o.detail());
      }
    }
    log.flush();
    return summary;
  }

  /** A ref whose bytes are indexed under another file name can never be judged correct. */
  private void warnAboutRenamedRefs(Ingester.Summary refIngest) {
    for (Ingester.Outcome o : refIngest.outcomes()) {
      if (o.kind() == Ingester.Kind.DUPLICATE) {
        String name = o.file().getFileName().toString();
        String stored = o.track() == null ? null : fileName(o.track());
        if (!name.equals(stored)) {
          log.println("warning: ref " + name + " is indexed as " + o.detail()
              + "; its queries will count as wrong");
        }
      }
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
    return new QueryResult(row, fileName(best.track()), best.deltaMillis(), best.score(),
        best.confidence(), ms, null);
  }

  /** The file name a track was added from, else its title. */
  static String fileName(Track track) {
    String source = track.metadata().sourcePath();
    return source.isEmpty() ? track.metadata().title() : Path.of(source).getFileName().toString();
  }

  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
  }

  static String seconds(double s) {
    return s == Math.rint(s) ? (long) s + " s" : s + " s";
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
