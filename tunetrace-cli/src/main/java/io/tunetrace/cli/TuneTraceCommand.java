package io.tunetrace.cli;

import io.tunetrace.cli.remote.RecognizeCommand;
import io.tunetrace.cli.remote.ServeCommand;
import io.tunetrace.cli.remote.TokenCommand;
import io.tunetrace.cli.remote.UploadCommand;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level {@code tunetrace} command; it only dispatches to subcommands. */
@Command(
    name = "tunetrace",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Recognize music: index audio files, then name short, noisy clips of them.",
    footer = {
      "",
      "Exit codes: 0 ok (match: some query matched), 1 nothing matched, 2 error.",
      "Default index: $TUNETRACE_INDEX, else ~/.tunetrace/index."
    })
public final class TuneTraceCommand implements Callable<Integer> {
  /**
   * Every subcommand, in the order help lists them. {@link Main} builds the model of only the one
   * being run (picocli reads each command's annotations when it is added, which is most of its
   * start-up), and of all of them for help and for a name it does not know.
   */
  static final List<Class<?>> SUBCOMMANDS = List.of(
      AddCommand.class,
      MatchCommand.class,
      MonitorCommand.class,
      ListCommand.class,
      RemoveCommand.class,
      StatsCommand.class,
      DedupCommand.class,
      DemoCommand.class,
      EvalCommand.class,
      BenchCommand.class,
      ExplainCommand.class,
      // Remote commands, written with the server (io.tunetrace.cli.remote):
      ServeCommand.class,
      UploadCommand.class,
      RecognizeCommand.class,
      TokenCommand.class);

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return Main.EXIT_ERROR;
  }
}
