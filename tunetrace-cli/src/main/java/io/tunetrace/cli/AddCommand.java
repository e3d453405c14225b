package io.tunetrace.cli;

import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tunetrace add}: index audio files and folders. */
@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    description = {
      "Fingerprint audio files and add them to the index.",
      "Folders are searched recursively; every core is used.",
      "Title and artist come from the file's tags when present, else from its name",
      "(\"Artist - Title.mp3\"). A file whose bytes are already indexed is skipped;",
      "a path already indexed with other bytes (edited tags) replaces its track; a file",
      "whose audio is already indexed (another encoding, a re-tagged copy) is added and",
      "reported as 'same audio as #ID'.",
      "Fingerprints are written at least every --flush-seconds, so a killed run keeps",
      "nearly all finished files; Ctrl-C keeps all of them. Re-run the same command to",
      "continue: files already indexed are skipped by their bytes.",
      "Exit code 0 when every file was added or skipped as a duplicate, 2 when any failed,",
      "130 (SIGINT) or 143 (SIGTERM) when interrupted."
    })
final class AddCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin IndexOption indexOption;
  @Mixin VerboseOption verboseOption;

  @Option(names = "--title", paramLabel = "T", description = "Title (a single file only).")
  String title;

  @Option(names = "--artist", paramLabel = "A", description = "Artist (a single file only).")
  String artist;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Worker threads (default: all cores, ${DEFAULT-VALUE}).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--json", description = "One JSON object per line per file instead of the summary.")
  boolean json;

  @Option(
      names = "--flush-seconds",
      paramLabel = "S",
      description = "Longest a fingerprinted file waits before it is written (default: ${DEFAULT-VALUE}).")
  double flushSeconds = Ingester.FLUSH_MILLIS / 1000.0;

  @Parameters(paramLabel = "PATH", arity = "1..*", description = "Audio files or folders.")
  List<Path> paths;

  @Override
  public Integer call() throws Exception {
    if (threads < 1) {
      throw new ParameterException(spec.commandLine(), "--threads must be at least 1: " + threads);
    }
    if (!(flushSeconds >= 0.001 && flushSeconds <= 3600)) {
      throw new ParameterException(
          spec.commandLine(), "--flush-seconds must be between 0.001 and 3600: " + flushSeconds);
    }
    List<Path> files = AudioFiles.expand(paths);
    if ((title != null || artist != null) && (files.size() != 1 || paths.size() != 1)) {
      throw new ParameterException(
          spec.commandLine(), "--title and --artist need exactly one file, got " + files.size());
    }
    if (title != null && title.isBlank()) {
      throw new ParameterException(spec.commandLine(), "--title is blank");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (files.isEmpty()) {
      err.println("tunetrace: no audio files found in " + paths);
      return Main.EXIT_ERROR;
    }
    ProgressBar bar = ProgressBar.onTerminal(err, files.size());
    JsonLines lines = new JsonLines(out, err);
    Ingester.Summary summary;
    CountDownLatch finished = new CountDownLatch(1);
    Ingester ingester;
    Thread hook;
    try (TuneTrace tt = indexOption.openOrCreate()) {
      ingester = new Ingester(tt.index(), threads, this::override, bar::step,
          json ? lines::stored : (position, outcome) -> {}, Math.round(flushSeconds * 1000));
      // SIGINT, SIGTERM: take no new file, write what finished, close the index, then let the JVM
      // exit (with 130 or 143). The main thread does all of that; the hook only waits for it.
      hook = new Thread(() -> {
        ingester.stop();
        try {
          finished.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "tunetrace-add-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        summary = ingester.run(files);
      } catch (RuntimeException | InterruptedException e) {
        finished.countDown();
        throw e;
      }
    } finally {
      bar.done();
    }
    try {
      if (json) {
        lines.rest();
      } else {
        printSummary(out, err, summary, files);
      }
      if (ingester.stopped()) {
        err.println(interrupted(summary.count(Ingester.Kind.ADDED), ingester.notStarted()));
        err.flush();
        return EXIT_INTERRUPTED;
      }
      return summary.count(Ingester.Kind.FAILED) == 0 ? Main.EXIT_OK : Main.EXIT_ERROR;
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook is running and returns now
      }
    }
  }

  /** The longest a shutdown hook waits for the files in progress and the last write. */
  static final long SHUTDOWN_WAIT_SECONDS = 60;

  /**
   * Returned when a signal stopped the run; the JVM, already exiting, exits with 128 + the signal
   * number instead (130 for SIGINT, 143 for SIGTERM).
   */
  static final int EXIT_INTERRUPTED = 130;

  static String interrupted(long added, int notStarted) {
    return "tunetrace: interrupted: " + added + " file" + (added == 1 ? "" : "s") + " added, "
        + notStarted + " not started; re-run to continue";
  }

  private TrackMetadata override(Path file) {
    if (title == null && artist == null) {
      return null;
    }
    TrackMetadata named = TuneTrace.nameOf(file);
    return new TrackMetadata(
        title != null ? title : named.title(),
        artist != null ? artist : named.artist(),
        named.album(),
        "",
        0,
        "");
  }

  static void printSummary(PrintWriter out, PrintWriter err, Ingester.Summary s) {
    printSummary(out, err, s, List.of());
  }

  /**
   * Prints the notable files (duplicates, replaced tracks, same audio; failures on stderr) in the
   * order of {@code files}, then the summary line.
   */
  static void printSummary(PrintWriter out, PrintWriter err, Ingester.Summary s, List<Path> files) {
    long added = s.count(Ingester.Kind.ADDED);
    long duplicates = s.count(Ingester.Kind.DUPLICATE);
    long failed = s.count(Ingester.Kind.FAILED);
    List<Ingester.Outcome> outcomes = inOrder(s.outcomes(), files);
    long replaced = 0;
    long sameAudio = 0;
    for (Ingester.Outcome o : outcomes) {
      if (o.kind() == Ingester.Kind.DUPLICATE) {
        out.println("skipped duplicate: " + o.file() + " (" + o.detail() + ")");
      }
    }
    for (Ingester.Outcome o : outcomes) {
      if (o.kind() != Ingester.Kind.ADDED) {
        continue;
      }
      if (o.replaced() != null) {
        replaced++;
        out.println("replaced: " + o.file() + " (#" + o.track().id() + ", replaced #"
            + o.replaced().id() + ")");
      }
      if (o.sameAudioAs() != null) {
        sameAudio++;
        Track t = o.sameAudioAs();
        out.println("same audio: " + o.file() + " (#" + o.track().id() + ", same audio as #"
            + t.id() + " " + t.metadata().sourcePath() + ")");
      }
    }
    for (Ingester.Outcome o : outcomes) {
      if (o.kind() == Ingester.Kind.FAILED) {
        err.println("failed: " + o.file() + ": " + o.detail());
      }
    }
    out.printf(
        Locale.ROOT,
        "added %d file%s, %s of audio, %,d postings in %.1f s (%.0f× realtime, %.0f× per core, %d threads); "
            + "%d duplicate%s skipped, %d failed%s%n",
        added,
        added == 1 ? "" : "s",
        Format.hours(s.audioMillis()),
        s.postings(),
        s.wallNanos() / 1e9,
        s.realtimeFactor(),
        s.realtimePerCore(),
        s.threads(),
        duplicates,
        duplicates == 1 ? "" : "s",
        failed,
        replaced + sameAudio == 0 ? "" : "; " + replaced + " replaced, " + sameAudio
            + " with the same audio as an indexed track");
    out.flush();
    err.flush();
  }

  /**
   * Prints the JSON line of each file as soon as it and every file listed before it are final (an
   * added file: stored in the index), so the lines come in the order the files were given and a
   * line printed is never lost to a crash. Thread-safe.
   */
  static final class JsonLines {
    private final PrintWriter out;
    private final PrintWriter err;
    private final Map<Integer, Ingester.Outcome> waiting = new HashMap<>();
    private int next;

    JsonLines(PrintWriter out, PrintWriter err) {
      this.out = out;
      this.err = err;
    }

    synchronized void stored(int position, Ingester.Outcome outcome) {
      waiting.put(position, outcome);
      boolean printed = false;
      for (Ingester.Outcome o; (o = waiting.remove(next)) != null; next++) {
        printJson(out, err, o);
        printed = true;
      }
      if (printed) {
        out.flush();
        err.flush();
      }
    }

    /** Prints the files still waiting for an earlier one (a stopped run), in order. */
    synchronized void rest() {
      waiting.keySet().stream().sorted().forEach(i -> printJson(out, err, waiting.get(i)));
      waiting.clear();
      out.flush();
      err.flush();
    }
  }

  /** One JSON object for one file; a failure is also reported on stderr. */
  private static void printJson(PrintWriter out, PrintWriter err, Ingester.Outcome o) {
    Track t = o.track();
    ObjectNode line = JsonOutput.object()
        .put("path", o.file().toString())
        .put("status", o.kind().name().toLowerCase(Locale.ROOT))
        .put("track_id", t == null ? null : t.id())
        .put("title", t == null ? null : t.metadata().title())
        .put("artist", t == null ? null : t.metadata().artist())
        .put("duration_ms", t == null ? 0 : t.metadata().durationMillis())
        .put("postings", o.postings());
    Track same = o.sameAudioAs();
    line.set("same_audio_as", same == null ? NullNode.instance : JsonOutput.object()
        .put("track_id", same.id())
        .put("title", same.metadata().title())
        .put("artist", same.metadata().artist())
        .put("path", same.metadata().sourcePath()));
    line.put("replaced", o.replaced() == null ? null : o.replaced().id());
    line.put(o.kind() == Ingester.Kind.FAILED ? "error" : "detail", o.detail());
    out.println(JsonOutput.write(line));
    if (o.kind() == Ingester.Kind.FAILED) {
      err.println("failed: " + o.file() + ": " + o.detail());
    }
  }

  /** Outcomes ordered as their files were listed (the rest after, as they came). */
  private static List<Ingester.Outcome> inOrder(List<Ingester.Outcome> outcomes, List<Path> files) {
    Map<Path, Integer> position = new HashMap<>();
    for (int i = 0; i < files.size(); i++) {
      position.putIfAbsent(files.get(i), i);
    }
    List<Ingester.Outcome> sorted = new ArrayList<>(outcomes);
    sorted.sort(Comparator.comparingInt(
        o -> position.getOrDefault(o.file(), Integer.MAX_VALUE)));
    return sorted;
  }

  /** A one-line progress bar on stderr, drawn only when stderr is a terminal. */
  static final class ProgressBar {
    private final PrintWriter err;
    private final int total;
    private final boolean enabled;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicLong audioMillis = new AtomicLong();
    private final long start = System.nanoTime();

    private ProgressBar(PrintWriter err, int total, boolean enabled) {
      this.err = err;
      this.total = total;
      this.enabled = enabled;
    }

    static ProgressBar onTerminal(PrintWriter err, int total) {
      return new ProgressBar(err, total, System.console() != null);
    }

    void step(Ingester.Outcome outcome) {
      int n = done.incrementAndGet();
      long audio = audioMillis.addAndGet(outcome.audioMillis());
      if (!enabled) {
        return;
      }
      int width = 30;
      int filled = (int) ((long) width * n / Math.max(1, total));
      double seconds = (System.nanoTime() - start) / 1e9;
      String line = String.format("\r[%s%s] %d/%d files, %s of audio, %.0f s",
          "#".repeat(filled), ".".repeat(width - filled), n, total, Format.hours(audio), seconds);
      synchronized (err) {
        err.print(line);
        err.flush();
      }
    }

    void done() {
      if (enabled) {
        synchronized (err) {
          err.print("\r" + " ".repeat(79) + "\r");
          err.flush();
        }
      }
    }
  }
}
