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

  @Option(names = "--json", description = "One JSON object per line per file instead of the summary.")
  boolean json;

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
    if (json) {
      printJson(out, err, summary, files);
    } else {
      printSummary(out, err, summary, files);
    }
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
   * One JSON object per file, in the order of {@code files}; failures are also reported on stderr.
   */
  static void printJson(PrintWriter out, PrintWriter err, Ingester.Summary s, List<Path> files) {
    for (Ingester.Outcome o : inOrder(s.outcomes(), files)) {
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
    out.flush();
    err.flush();
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
