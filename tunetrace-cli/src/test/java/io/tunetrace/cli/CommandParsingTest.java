package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.match.MatchPolicy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Arguments parse into command objects; nothing is run. */
class CommandParsingTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private ParseResult parse(String... args) {
    return Main.commandLine(new PrintWriter(out), new PrintWriter(err)).parseArgs(args);
  }

  @SuppressWarnings("unchecked")
  private <T> T command(ParseResult result) {
    return (T) result.subcommand().commandSpec().userObject();
  }

  @Test
  void parsesAddWithEveryOption() {
    AddCommand add = command(parse("add", "--index", "/tmp/ix", "--title", "Song", "--artist",
        "Band", "--threads", "3", "--flush-seconds", "0.5", "--verbose", "a.mp3"));
    assertEquals(Path.of("/tmp/ix"), add.indexOption.index);
    assertEquals("Song", add.title);
    assertEquals("Band", add.artist);
    assertEquals(3, add.threads);
    assertEquals(0.5, add.flushSeconds);
    assertTrue(add.verboseOption.verbose);
    assertEquals(List.of(Path.of("a.mp3")), add.paths);
  }

  @Test
  void addDefaultsToAllCoresAndNoTitle() {
    AddCommand add = command(parse("add", "music", "more"));
    assertEquals(Runtime.getRuntime().availableProcessors(), add.threads);
    assertEquals(2.0, add.flushSeconds);
    assertNull(add.title);
    assertNull(add.indexOption.index);
    assertFalse(add.verboseOption.verbose);
    assertEquals(List.of(Path.of("music"), Path.of("more")), add.paths);
  }

  @Test
  void addRejectsAFlushIntervalOutsideOneMillisecondToOneHour() {
    for (String bad : List.of("0", "-1", "3601", "NaN")) {
      Cli add = Cli.run("add", "--flush-seconds", bad, "--index", "/nonexistent/ix", ".");
      assertEquals(2, add.exitCode(), bad);
      assertEquals("tunetrace: --flush-seconds must be between 0.001 and 3600: "
          + Double.parseDouble(bad) + "\n"
          + "Try 'tunetrace add --help' for more information.\n", add.err(), bad);
    }
  }

  @Test
  void addNeedsAPath() {
    CommandLine.ParameterException e =
        assertThrows(CommandLine.ParameterException.class, () -> parse("add"));
    assertEquals("Missing required parameter: 'PATH'", e.getMessage());
  }

  @Test
  void parsesMatchWithJsonAndManyQueries() {
    MatchCommand match = command(parse("match", "--json", "--index=ix", "a.wav", "b c.mp3"));
    assertTrue(match.json);
    assertEquals(Path.of("ix"), match.indexOption.index);
    assertEquals(List.of("a.wav", "b c.mp3"), match.queries);
  }

  @Test
  void matchDefaultsToTheBestMatchAndTheDefaultPolicy() {
    MatchCommand match = command(parse("match", "-"));
    assertEquals(1, match.top);
    assertEquals(0, match.minScore);
    assertEquals(List.of("-"), match.queries);
    assertEquals(MatchPolicy.DEFAULT, match.policy());
  }

  @Test
  void parsesTopAndMinScoreIntoThePolicy() {
    MatchCommand match = command(parse("match", "--top", "8", "--min-score", "0.35", "a.wav"));
    assertEquals(8, match.top);
    assertEquals(0.35, match.minScore);
    assertEquals(MatchPolicy.DEFAULT.withMaxResults(8).withMinScore(0.35), match.policy());
    MatchCommand few = command(parse("match", "--top=2", "a.wav"));
    assertEquals(2, few.top);
    assertEquals(MatchPolicy.DEFAULT.withMaxResults(2), few.policy());
  }

  @Test
  void rejectsTopBelowOneAndMinScoreOutsideZeroToOne() {
    assertEquals("--top must be at least 1: 0", assertThrows(CommandLine.ParameterException.class,
        () -> parse("match", "--top", "0", "a.wav")).getMessage());
    assertEquals("--min-score must be in [0, 1]: 1.5",
        assertThrows(CommandLine.ParameterException.class,
            () -> parse("match", "--min-score", "1.5", "a.wav")).getMessage());
    assertEquals("--min-score must be in [0, 1]: NaN",
        assertThrows(CommandLine.ParameterException.class,
            () -> parse("match", "--min-score", "NaN", "a.wav")).getMessage());
    assertEquals("Invalid value for option '--top': 'many' is not an int",
        assertThrows(CommandLine.ParameterException.class,
            () -> parse("match", "--top", "many", "a.wav")).getMessage());
  }

  @Test
  void standardInputCanBeReadOnlyOnce() {
    int code = Main.run(new String[] {"match", "--index", "none", "-", "a.wav", "-"},
        new PrintWriter(out), new PrintWriter(err));
    assertEquals(2, code);
    assertEquals("tunetrace: standard input (-) can be read only once\n", err.toString());
    StringWriter monitorErr = new StringWriter();
    assertEquals(2, Main.run(new String[] {"monitor", "-", "-"}, new PrintWriter(out),
        new PrintWriter(monitorErr)));
    assertEquals("tunetrace: standard input (-) can be read only once\n", monitorErr.toString());
  }

  @Test
  void parsesMonitor() {
    MonitorCommand monitor = command(parse("monitor", "--json", "show.mp3"));
    assertTrue(monitor.json);
    assertEquals(List.of("show.mp3"), monitor.recordings);
    MonitorCommand stdin = command(parse("monitor", "-"));
    assertEquals(List.of("-"), stdin.recordings);
  }

  @Test
  void parsesListRemoveStats() {
    ListCommand list = command(parse("list", "--index", "ix"));
    assertEquals(Path.of("ix"), list.indexOption.index);
    RemoveCommand remove = command(parse("remove", "3", "17"));
    assertEquals(List.of(3, 17), remove.ids);
    StatsCommand stats = command(parse("stats", "--json"));
    assertTrue(stats.json);
  }

  @Test
  void removeRejectsANonNumericId() {
    CommandLine.ParameterException e =
        assertThrows(CommandLine.ParameterException.class, () -> parse("remove", "abc"));
    assertEquals("Invalid value for positional parameter at index 0..* (ID): 'abc' is not an int",
        e.getMessage());
  }

  @Test
  void parsesDemo() {
    DemoCommand demo = command(parse("demo", "--samples", "s", "--seed", "7"));
    assertEquals(Path.of("s"), demo.samples);
    assertEquals(7, demo.seed);
    DemoCommand defaults = command(parse("demo"));
    assertNull(defaults.samples);
    assertEquals(1, defaults.seed);
  }

  @Test
  void parsesEval() {
    EvalCommand eval = command(parse("eval", "--corpus", "c", "--threads", "2", "--json", "r.json"));
    assertEquals(Path.of("c"), eval.corpus);
    assertEquals(2, eval.threads);
    assertEquals(Path.of("r.json"), eval.jsonFile);
    assertFalse(eval.jsonToStdout());
    assertNull(eval.background);
    assertNull(eval.index);
    assertEquals("all", eval.split);
    assertEquals(EvalCommand.DEFAULT_WARMUP, eval.warmup);
  }

  @Test
  void parsesEvalBackgroundIndexSplitAndBareJson() {
    EvalCommand eval = command(parse("eval", "--json", "--corpus", "c", "--background", "bg",
        "--index", "idx", "--split", "tune", "--warmup", "0"));
    assertEquals(Path.of("c"), eval.corpus);
    assertEquals(Path.of("bg"), eval.background);
    assertEquals(Path.of("idx"), eval.index);
    assertEquals("tune", eval.split);
    assertEquals(0, eval.warmup);
    assertTrue(eval.jsonToStdout());
    EvalCommand last = command(parse("eval", "--corpus", "c", "--json"));
    assertTrue(last.jsonToStdout());
  }

  @Test
  void evalRejectsAnUnknownSplit() {
    Cli eval = Cli.run("eval", "--corpus", "c", "--split", "half");
    assertEquals(Main.EXIT_ERROR, eval.exitCode());
    assertTrue(eval.err().startsWith("tunetrace: --split must be tune, test or all: half\n"), eval.err());
  }

  @Test
  void evalNeedsACorpus() {
    CommandLine.ParameterException e =
        assertThrows(CommandLine.ParameterException.class, () -> parse("eval"));
    assertEquals("Missing required option: '--corpus=DIR'", e.getMessage());
  }

  @Test
  void indexDefaultsToEnvironmentThenHome() {
    IndexOption option = new IndexOption();
    assertEquals(Path.of("/env/ix"), option.indexDir(Map.of("TUNETRACE_INDEX", "/env/ix"), "/home/u"));
    assertEquals(Path.of("/home/u/.tunetrace/index"), option.indexDir(Map.of(), "/home/u"));
    assertEquals(Path.of("/home/u/.tunetrace/index"),
        option.indexDir(Map.of("TUNETRACE_INDEX", " "), "/home/u"));
    option.index = Path.of("given");
    assertEquals(Path.of("given"), option.indexDir(Map.of("TUNETRACE_INDEX", "/env/ix"), "/home/u"));
  }

  @Test
  void everyCommandHasHelp() {
    for (String name : List.of("add", "match", "monitor", "list", "remove", "stats", "demo", "eval")) {
      StringWriter help = new StringWriter();
      int code = Main.run(new String[] {name, "--help"}, new PrintWriter(help), new PrintWriter(err));
      assertEquals(0, code, name);
      assertTrue(help.toString().startsWith("Usage: tunetrace " + name), help.toString());
      assertTrue(help.toString().contains("--verbose"), name);
    }
  }

  @Test
  void topLevelHelpListsLocalAndRemoteCommands() {
    StringWriter help = new StringWriter();
    assertEquals(0, Main.run(new String[] {"--help"}, new PrintWriter(help), new PrintWriter(err)));
    for (String name : List.of("add", "match", "monitor", "list", "remove", "stats", "demo", "eval",
        "serve", "upload", "recognize", "token")) {
      assertTrue(help.toString().contains("\n  " + name + " "), name + " in " + help);
    }
  }

  @Test
  void usageErrorExitsWithTwoAndOneHint() {
    int code = Main.run(new String[] {"match"}, new PrintWriter(out), new PrintWriter(err));
    assertEquals(2, code);
    assertEquals("tunetrace: Missing required parameter: 'PATH'\n"
        + "Try 'tunetrace match --help' for more information.\n", err.toString());
  }

  @Test
  void unknownCommandExitsWithTwo() {
    int code = Main.run(new String[] {"frobnicate"}, new PrintWriter(out), new PrintWriter(err));
    assertEquals(2, code);
    assertTrue(err.toString().startsWith("tunetrace: Unmatched argument at index 0: 'frobnicate'"),
        err.toString());
  }

  @Test
  void missingIndexIsOneLineError(@org.junit.jupiter.api.io.TempDir Path tmp) {
    Path missing = tmp.resolve("none");
    int code = Main.run(new String[] {"list", "--index", missing.toString()},
        new PrintWriter(out), new PrintWriter(err));
    assertEquals(2, code);
    assertEquals("tunetrace: no index at " + missing + "; create one with: tunetrace add PATH...\n",
        err.toString());
  }

  @Test
  void verbosePrintsTheStackTrace(@org.junit.jupiter.api.io.TempDir Path tmp) {
    int code = Main.run(new String[] {"stats", "--verbose", "--index", tmp.resolve("x").toString()},
        new PrintWriter(out), new PrintWriter(err));
    assertEquals(2, code);
    assertTrue(err.toString().startsWith("io.tunetrace.cli.CliException: no index at"), err.toString());
    assertTrue(err.toString().contains("\tat io.tunetrace.cli.IndexOption.openExisting"), err.toString());
  }
}
