package io.tunetrace.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParseResult;

/**
 * Entry point of the {@code tunetrace} command. Exit codes: 0 success (for {@code match}: some query
 * matched), 1 nothing matched, 2 an input could not be read, a usage error or a failure.
 */
public final class Main {
  /** Success; for {@code match}, at least one query matched. */
  public static final int EXIT_OK = 0;
  /** {@code match}: no query matched (like grep). */
  public static final int EXIT_NO_MATCH = 1;
  /** A usage error, an input that could not be read, or a failure. */
  public static final int EXIT_ERROR = 2;

  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    int code = run(args, out, err);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * Runs the command line with the given streams and returns the exit code. The clips of a short
   * {@code match} start decoding first, while the rest starts ({@link ClipPrefetch}); a plain
   * {@code match} command line is read without picocli ({@link MatchCommandLine}).
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    ClipPrefetch prefetch = ClipPrefetch.start(args);
    MatchCommand match = MatchCommandLine.read(args, prefetch);
    if (match != null) {
      try {
        return match.run(out, err);
      } catch (Exception e) {
        return reportFailure(e, match.verboseOption.verbose, err);
      }
    }
    CommandLine.IFactory factory = new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        return cls == MatchCommand.class
            ? cls.cast(new MatchCommand(prefetch))
            : CommandLine.defaultFactory().create(cls);
      }
    };
    return commandLine(out, err, subcommandsFor(args), factory).execute(args);
  }

  /** The configured command line with every subcommand (parse only, e.g. {@code parseArgs}, in tests). */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    return commandLine(out, err, TuneTraceCommand.SUBCOMMANDS, CommandLine.defaultFactory());
  }

  /**
   * The subcommands {@code args} need: the one named by the first argument that is not an option
   * (the top level has no option that takes a value), else all of them (help, or an unknown name
   * that picocli explains with the list).
   */
  static List<Class<?>> subcommandsFor(String[] args) {
    for (String arg : args) {
      if (arg.startsWith("-")) {
        continue;
      }
      for (Class<?> c : TuneTraceCommand.SUBCOMMANDS) {
        if (c.getAnnotation(Command.class).name().equals(arg)) {
          return List.of(c);
        }
      }
      break;
    }
    return TuneTraceCommand.SUBCOMMANDS;
  }

  private static CommandLine commandLine(
      PrintWriter out, PrintWriter err, List<Class<?>> subcommands, CommandLine.IFactory factory) {
    CommandLine cmd = new CommandLine(new TuneTraceCommand(), factory);
    for (Class<?> c : subcommands) {
      cmd.addSubcommand(c);
    }
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setExecutionExceptionHandler(Main::handleExecutionException);
    cmd.setParameterExceptionHandler(Main::handleParameterException);
    return cmd;
  }

  private static int handleExecutionException(
      Exception e, CommandLine commandLine, ParseResult parseResult) {
    return reportFailure(e, verbose(parseResult), commandLine.getErr());
  }

  /** A command's failure on {@code err}: one line, or the stack trace when verbose. */
  private static int reportFailure(Exception e, boolean verbose, PrintWriter err) {
    if (verbose) {
      e.printStackTrace(err);
    } else {
      err.println("tunetrace: " + Errors.oneLine(e));
    }
    err.flush();
    return EXIT_ERROR;
  }

  private static int handleParameterException(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("tunetrace: " + e.getMessage());
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return EXIT_ERROR;
  }

  static boolean verbose(ParseResult parseResult) {
    for (ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
      if (pr.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}
