package io.tunetrace.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.MatchResult;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import io.tunetrace.core.index.IndexStats;
import io.tunetrace.core.index.NewTrack;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.core.match.MatchPolicy;
import io.tunetrace.core.match.QueryHashes;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tunetrace bench ...}: benchmarks that are not part of {@code eval}. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks: 'bench scale' measures an index of many hours.",
    subcommands = {BenchCommand.Scale.class})
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** {@code tunetrace bench scale --hours H}: build (or reuse) an index of H hours and measure it. */
  @Command(
      name = "scale",
      mixinStandardHelpOptions = true,
      description = {
        "Build (or reuse) an index of H hours and measure it: build CPU and wall time, disk per"
            + " hour, peak RSS while building and while querying, open time, and with a"
            + " make-corpus --corpus (its refs are indexed into it) top-1 accuracy, false"
            + " positives, query latency and the share of query hashes skipped as too common.",
        "The hours beyond the corpus refs are synthetic: blocks of real fingerprints (of the"
            + " refs and of --source music), re-timed and moved in frequency, under new track"
            + " ids; see docs/SCALE.md."
      })
  static final class Scale implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--hours", required = true, paramLabel = "H",
        description = "Hours of audio the index should hold.")
    double hours;

    @Option(names = "--index", paramLabel = "DIR",
        description = "Index to build or extend and keep (default: a temporary one).")
    Path indexDir;

    @Option(names = "--corpus", paramLabel = "DIR",
        description = "A make-corpus folder: its refs are indexed and its queries measured.")
    Path corpus;

    @Option(names = "--source", paramLabel = "DIR",
        description = "Real music whose fingerprints the synthetic tracks are cut from"
            + " (repeatable; default: the corpus refs).")
    List<Path> sources = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "1", description = "Generator seed (default: 1).")
    long seed;

    @Option(names = "--max-postings", paramLabel = "N",
        description = "A fixed lookup cap for the measuring pass: the clip's own hashes with more"
            + " postings are skipped (default: the match policy's, 2000 or one posting in"
            + " 360,000 of the library, whichever is more).")
    Integer maxPostings;

    @Option(names = "--json", description = "One JSON object on stdout instead of the table.")
    boolean json;

    @Mixin VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
      if (!(hours > 0)) {
        throw new CliException("--hours must be above 0: " + hours);
      }
      if (maxPostings != null && maxPostings < 1) {
        throw new CliException("--max-postings must be at least 1: " + maxPostings);
      }
      if (corpus == null && sources.isEmpty()) {
        throw new CliException("give --corpus DIR or --source DIR: the synthetic library is cut"
            + " from real fingerprints");
      }
      boolean temporary = indexDir == null;
      Path dir = temporary ? Files.createTempDirectory("tunetrace-scale-") : indexDir;
      PrintWriter err = spec.commandLine().getErr();
      Map<String, Object> out = new LinkedHashMap<>();
      try {
        build(dir, err, out);
        measure(dir, err, out);
      } finally {
        if (temporary) {
          Evaluation.deleteRecursively(dir);
        }
      }
      PrintWriter o = spec.commandLine().getOut();
      if (json) {
        o.println(toJson(out));
      } else {
        out.forEach((k, v) -> o.printf(Locale.ROOT, "%-26s %s%n", k + ":", v));
      }
      o.flush();
      return 0;
    }

    private void build(Path dir, PrintWriter err, Map<String, Object> out) throws IOException {
      ProcessCpuTime cpu0 = ProcessCpuTime.now();
      long wall0 = System.nanoTime();
      resetPeakRss();
      try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir,
          FingerprintParams.DEFAULT)) {
        TuneTrace tt = TuneTrace.using(index);
        List<Path> refs = corpus == null ? List.of() : audioFiles(corpus.resolve("refs"));
        for (Path ref : refs) {
          tt.add(ref, TuneTrace.nameOf(ref));
        }
        double have = index.stats().hours();
        if (have < hours) {
          List<Path> real = new ArrayList<>(refs);
          for (Path s : sources) {
            real.addAll(audioFiles(s));
          }
          List<Fingerprints> fingerprints = new ArrayList<>();
          for (Path f : real) {
            fingerprints.add(tt.analyze(f, TuneTrace.nameOf(f)).fingerprints());
          }
          err.printf(Locale.ROOT, "bench scale: %.1f h indexed; adding %.1f h of synthetic tracks"
              + " cut from %d real ones%n", have, hours - have, fingerprints.size());
          err.flush();
          addSynthetic(index, fingerprints, (hours - have) * 3600, err);
        }
      }
      ProcessCpuTime cpu1 = ProcessCpuTime.now();
      out.put("build_cpu_s", round(ProcessCpuTime.secondsBetween(cpu0, cpu1), 1));
      out.put("build_wall_s", round((System.nanoTime() - wall0) / 1e9, 1));
      out.put("build_peak_rss_mb", peakRssMb());
    }

    private void addSynthetic(EmbeddedFingerprintIndex index, List<Fingerprints> real,
        double seconds, PrintWriter err) {
      // A seed of its own for each extension, so that re-running with more hours adds new tracks.
      long start = index.stats().tracks();
      SyntheticLibrary library = new SyntheticLibrary(real, index.params(), seed * 1_000_003L + start);
      SplittableRandom lengths = new SplittableRandom(seed ^ start);
      List<NewTrack> batch = new ArrayList<>();
      double left = seconds;
      long n = start;
      double reported = 0;
      while (left > 0) {
        double length = Math.min(left, 120 + lengths.nextInt(241)); // 2-6 min, like songs
        Fingerprints fp = library.track(length);
        n++;
        batch.add(new NewTrack(new TrackMetadata("synthetic " + n, "tunetrace bench scale", "",
            "synthetic:" + seed + ":" + n, Math.round(length * 1000), ""), fp));
        left -= length;
        if (batch.size() == 256 || left <= 0) {
          index.add(batch);
          batch.clear();
          double done = seconds - Math.max(0, left);
          if (done - reported >= 3600 * 50 || left <= 0) {
            err.printf(Locale.ROOT, "bench scale: %.0f of %.0f synthetic hours%n", done / 3600,
                seconds / 3600);
            err.flush();
            reported = done;
          }
        }
      }
    }

    private void measure(Path dir, PrintWriter err, Map<String, Object> out) throws IOException {
      long open0 = System.nanoTime();
      try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.openReadOnly(dir)) {
        double openMs = (System.nanoTime() - open0) / 1e6;
        IndexStats stats = index.stats();
        long disk = diskBytes(dir);
        out.put("hours", round(stats.hours(), 2));
        out.put("tracks", stats.tracks());
        out.put("postings", stats.postings());
        out.put("disk_bytes", disk);
        out.put("disk_bytes_per_hour", Math.round(disk / Math.max(1e-9, stats.hours())));
        out.put("open_ms", round(openMs, 1));
        if (corpus == null) {
          return;
        }
        MatchPolicy policy = maxPostings == null ? MatchPolicy.DEFAULT
            : MatchPolicy.DEFAULT.withMaxPostingsPerHash(maxPostings).withCommonHashShare(0);
        out.put("max_postings_per_hash", policy.maxPostingsPerHash(index.postingCount()));
        TuneTrace tt = TuneTrace.using(index, policy);
        Map<Integer, String> names = new LinkedHashMap<>();
        for (Track t : index.tracks()) {
          names.put(t.id(), Evaluation.fileName(t));
        }
        List<Manifest.Row> rows = Manifest.read(corpus.resolve("manifest.csv"));
        Path queries = corpus.resolve("queries");
        // Warm-up on a few clips, outside the measured pass.
        for (int i = 0; i < Math.min(20, rows.size()); i++) {
          tryMatch(tt, queries.resolve(rows.get(i).query()), err, null);
        }
        resetPeakRss();
        int indexed = 0;
        int correct = 0;
        int heldOut = 0;
        int falsePositives = 0;
        int[] errors = {0};
        double[] latency = new double[rows.size()];
        // CPU time of the querying thread: wall latency on a shared machine measures the load.
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] cpuIndexed = new double[rows.size()];
        double[] cpuHeldOut = new double[rows.size()];
        int timed = 0;
        for (Manifest.Row row : rows) {
          long c0 = threads.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          MatchResult r = tryMatch(tt, queries.resolve(row.query()), err, errors);
          latency[timed++] = (System.nanoTime() - t0) / 1e6;
          double cpuMs = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
          if (row.heldOut()) {
            cpuHeldOut[heldOut] = cpuMs;
          } else {
            cpuIndexed[indexed] = cpuMs;
          }
          boolean named = r != null && !r.matches().isEmpty();
          if (row.heldOut()) {
            heldOut++;
            falsePositives += named ? 1 : 0;
          } else {
            indexed++;
            if (named && row.expected().equals(names.get(r.matches().get(0).track().id()))) {
              correct++;
            }
          }
        }
        out.put("query_peak_rss_mb", peakRssMb());
        Arrays.sort(latency, 0, timed);
        double[] l = Arrays.copyOf(latency, timed);
        out.put("queries", timed);
        out.put("query_errors", errors[0]);
        out.put("top1", indexed == 0 ? 0 : round((double) correct / indexed, 4));
        out.put("top1_correct", correct);
        out.put("top1_clips", indexed);
        out.put("false_positive_rate", heldOut == 0 ? 0 : round((double) falsePositives / heldOut, 4));
        out.put("false_positives", falsePositives);
        out.put("false_positive_clips", heldOut);
        out.put("query_p50_ms", round(Evaluation.percentile(l, 50), 2));
        out.put("query_p95_ms", round(Evaluation.percentile(l, 95), 2));
        out.put("query_p99_ms", round(Evaluation.percentile(l, 99), 2));
        double[] cpuAll = new double[indexed + heldOut];
        System.arraycopy(cpuIndexed, 0, cpuAll, 0, indexed);
        System.arraycopy(cpuHeldOut, 0, cpuAll, indexed, heldOut);
        putPercentiles(out, "query_cpu", cpuAll);
        putPercentiles(out, "query_cpu_indexed", Arrays.copyOf(cpuIndexed, indexed));
        putPercentiles(out, "query_cpu_held_out", Arrays.copyOf(cpuHeldOut, heldOut));
        out.put("hot_hash_share", round(hotHashShare(tt, rows, queries), 4));
      }
    }

    /** Puts {@code name}_p50_ms, _p95_ms and _p99_ms of {@code millis} (sorted here). */
    private static void putPercentiles(Map<String, Object> out, String name, double[] millis) {
      if (millis.length == 0) {
        return;
      }
      Arrays.sort(millis);
      out.put(name + "_p50_ms", round(Evaluation.percentile(millis, 50), 2));
      out.put(name + "_p95_ms", round(Evaluation.percentile(millis, 95), 2));
      out.put(name + "_p99_ms", round(Evaluation.percentile(millis, 99), 2));
    }

    /** Share of the queries' own hashes that have more postings than the lookup cap. */
    private static double hotHashShare(TuneTrace tt, List<Manifest.Row> rows, Path queries) {
      int cap = tt.recognizer().policy().maxPostingsPerHash(tt.index().postingCount());
      long hashes = 0;
      long hot = 0;
      for (Manifest.Row row : rows) {
        QueryHashes q;
        try (var source = Queries.open(tt, queries.resolve(row.query()).toString(), null)) {
          float[] pcm = io.tunetrace.core.audio.PcmSource.readAll(source,
              io.tunetrace.core.Recognizer.MAX_CLIP_SECONDS * source.sampleRateHz());
          q = tt.recognizer().analyze(pcm, source.sampleRateHz()).identityOnly();
        } catch (IOException | RuntimeException e) {
          continue; // unreadable or too short: not a lookup
        }
        int[] own = q.hashes();
        int[] distinct = Arrays.stream(own).distinct().toArray();
        int[] counts = new int[distinct.length];
        tt.index().lookup(distinct, Integer.MAX_VALUE, (i, track, frame) -> counts[i]++);
        for (int c : counts) {
          hashes++;
          hot += c > cap ? 1 : 0;
        }
      }
      return hashes == 0 ? 0 : (double) hot / hashes;
    }

    /**
     * Matches one clip; a clip that fails (unreadable, too short, or an error of the index) counts
     * as no answer, and is counted and reported on {@code err} (the first five) when
     * {@code errors} is given, so that a failure is never mistaken for a miss.
     */
    private static MatchResult tryMatch(TuneTrace tt, Path clip, PrintWriter err, int[] errors) {
      try {
        return Queries.match(tt, clip);
      } catch (IOException | RuntimeException e) {
        if (errors != null && errors[0]++ < 5) {
          err.println("bench scale: " + clip.getFileName() + ": " + Errors.oneLine(e));
          err.flush();
        }
        return null;
      }
    }

    private static List<Path> audioFiles(Path dir) throws IOException {
      if (!Files.isDirectory(dir)) {
        throw new CliException("not a folder: " + dir);
      }
      return AudioFiles.expand(List.of(dir));
    }

    private static long diskBytes(Path dir) throws IOException {
      try (Stream<Path> s = Files.walk(dir)) {
        return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
      }
    }

    /** Resets the kernel's peak-RSS mark (VmHWM), where Linux allows it. */
    private static void resetPeakRss() {
      try {
        Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      } catch (IOException | UnsupportedOperationException e) {
        // not Linux, or not allowed: the peak then covers the whole process
      }
    }

    /** The process's peak resident set (VmHWM) in MB, or -1 where /proc is missing. */
    private static long peakRssMb() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("VmHWM:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
          }
        }
      } catch (IOException | NumberFormatException e) {
        return -1;
      }
      return -1;
    }

    private static double round(double v, int decimals) {
      return JsonOutput.round(v, decimals);
    }

    private static String toJson(Map<String, Object> values) {
      ObjectNode o = JsonOutput.object();
      values.forEach((k, v) -> {
        if (v instanceof Long l) {
          o.put(k, l);
        } else if (v instanceof Integer i) {
          o.put(k, i);
        } else if (v instanceof Number n) {
          o.put(k, n.doubleValue());
        } else {
          o.put(k, String.valueOf(v));
        }
      });
      return JsonOutput.write(o);
    }
  }
}
