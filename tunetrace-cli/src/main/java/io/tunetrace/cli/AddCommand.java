package io.tunetrace.cli;

import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.index.TrackMetadata;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
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
      "(\"Artist - Title.mp3\"). A file whose bytes are already indexed is skipped.",
      "Exit code 0 when every file was added or skipped as a duplicate, 2 when any failed."
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

  @Parameters(paramLabel = "PATH", arity = "1..*", description = "Audio files or folders.")
  List<Path> paths;

  @Override
  public Integer call() throws Exception {
    if (threads < 1) {
      throw new ParameterException(spec.commandLine(), "--threads must be at least 1: " + threads);
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
    Ingester.Summary summary;
    try (TuneTrace tt = indexOption.openOrCreate()) {
      Ingester ingester = new Ingester(tt.index(), threads, this::override, bar::step);
      summary = ingester.run(files);
    } finally {
      bar.done();
    }
    printSummary(out, err, summary);
    return summary.count(Ingester.Kind.FAILED) == 0 ? Main.EXIT_OK : Main.EXIT_ERROR;
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
    long added = s.count(Ingester.Kind.ADDED);
    long duplicates = s.count(Ingester.Kind.DUPLICATE);
    long failed = s.count(Ingester.Kind.FAILED);
    for (Ingester.Outcome o : s.outcomes()) {
      if (o.kind() == Ingester.Kind.DUPLICATE) {
        out.println("skipped duplicate: " + o.file() + " (" + o.detail() + ")");
      }
    }
    for (Ingester.Outcome o : s.outcomes()) {
      if (o.kind() == Ingester.Kind.FAILED) {
        err.println("failed: " + o.file() + ": " + o.detail());
      }
    }
    out.printf(
        java.util.Locale.ROOT,
        "added %d file%s, %s of audio, %,d postings in %.1f s (%.0f× realtime, %.0f× per core, %d threads); "
            + "%d duplicate%s skipped, %d failed%n",
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
        failed);
    out.flush();
    err.flush();
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
