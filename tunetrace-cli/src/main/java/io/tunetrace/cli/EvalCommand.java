package io.tunetrace.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tunetrace eval}: accuracy and speed on a corpus made by make-corpus. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Measure accuracy and speed on a corpus made by make-corpus.",
      "Reads DIR/manifest.csv, indexes DIR/refs/ and the --background library into",
      "one index, matches the queries of the chosen --split in one timed pass",
      "(after a short warm-up) and prints Markdown tables ready for BENCHMARKS.md:",
      "accuracy per condition and clip length, wrong tracks and no-matches, false",
      "positives with 95%% Wilson intervals, offset precision, ingest and query CPU",
      "(children included), latency p50/p95/p99, index size."
    })
final class EvalCommand implements Callable<Integer> {
  /** Queries matched before the measured pass, by default. */
  static final int DEFAULT_WARMUP = 20;

  /** The value of a bare {@code --json}: the report goes to stdout. */
  static final String STDOUT = "-";

  @Spec CommandSpec spec;
  @Mixin VerboseOption verboseOption;

  @Option(names = "--corpus", paramLabel = "DIR", required = true, description = "Corpus folder.")
  Path corpus;

  @Option(
      names = "--background",
      paramLabel = "DIR",
      description = "Distractor library (e.g. from collect-music) indexed with the refs;"
          + " every audio file under DIR, symlinks followed.")
  Path background;

  @Option(
      names = "--index",
      paramLabel = "DIR",
      description = "Index to use and keep (created if missing; files already in it are not"
          + " indexed again), so a big background is indexed once. Default: a temporary index.")
  Path index;

  @Option(
      names = "--split",
      paramLabel = "PART",
      description = "tune, test or all (default: ${DEFAULT-VALUE}): match only the queries of"
          + " one half of the refs and never-indexed sources; every ref is indexed in any case.")
  String split = "all";

  @Option(
      names = "--warmup",
      paramLabel = "N",
      description = "Queries matched before the measured pass (default: ${DEFAULT-VALUE}).")
  int warmup = DEFAULT_WARMUP;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Ingest threads (default: all cores, ${DEFAULT-VALUE}).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(
      names = "--json",
      paramLabel = "FILE",
      arity = "0..1",
      fallbackValue = STDOUT,
      description = "Write the whole report as one JSON object: alone (or with -) on stdout"
          + " instead of the tables, with FILE to that file besides the tables.")
  Path jsonFile;

  @Override
  public Integer call() throws Exception {
    if (threads < 1) {
      throw new ParameterException(spec.commandLine(), "--threads must be at least 1: " + threads);
    }
    if (warmup < 0) {
      throw new ParameterException(spec.commandLine(), "--warmup must be at least 0: " + warmup);
    }
    CorpusSplit.Part part;
    try {
      part = CorpusSplit.Part.parse(split);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    EvalReport report = new Evaluation(threads, err)
        .run(corpus, new Evaluation.Options(background, index, part, warmup));
    if (jsonToStdout()) {
      out.print(report.json());
    } else {
      out.print(report.markdown());
      if (jsonFile != null) {
        Files.writeString(jsonFile, report.json(), StandardCharsets.UTF_8);
      }
    }
    out.flush();
    return Main.EXIT_OK;
  }

  boolean jsonToStdout() {
    return jsonFile != null && jsonFile.toString().equals(STDOUT);
  }
}
