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
      "Reads DIR/manifest.csv, indexes DIR/refs/ into a temporary index, matches every query in",
      "DIR/queries/ (after a warm-up pass) and prints Markdown",
      "tables (accuracy per condition and clip length, false positives, offset precision, ingest",
      "speed, query latency, index size) ready for BENCHMARKS.md."
    })
final class EvalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin VerboseOption verboseOption;

  @Option(names = "--corpus", paramLabel = "DIR", required = true, description = "Corpus folder.")
  Path corpus;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Ingest threads (default: all cores, ${DEFAULT-VALUE}).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--json", paramLabel = "FILE", description = "Also write every result as JSON.")
  Path jsonFile;

  @Override
  public Integer call() throws Exception {
    if (threads < 1) {
      throw new ParameterException(spec.commandLine(), "--threads must be at least 1: " + threads);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Evaluation.Report report = new Evaluation(threads, err).run(corpus);
    out.print(report.markdown());
    out.flush();
    if (jsonFile != null) {
      Files.writeString(jsonFile, report.json(), StandardCharsets.UTF_8);
    }
    return Main.EXIT_OK;
  }
}
