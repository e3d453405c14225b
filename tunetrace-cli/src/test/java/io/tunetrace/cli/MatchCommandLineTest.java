package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** A plain {@code match} command line is read without picocli, exactly as picocli reads it. */
class MatchCommandLineTest {
  /** The options a command reads, as one comparable value. */
  private record Read(
      boolean json, boolean verbose, Path index, int top, double minScore, List<String> queries) {
    static Read of(MatchCommand m) {
      return new Read(m.json, m.verboseOption.verbose, m.indexOption.index, m.top, m.minScore,
          m.queries);
    }
  }

  private static MatchCommand byPicocli(String... args) {
    StringWriter sink = new StringWriter();
    return (MatchCommand) Main.commandLine(new PrintWriter(sink), new PrintWriter(sink))
        .parseArgs(args).subcommand().commandSpec().userObject();
  }

  @Test
  void readsWhatPicocliReadsTheSameWay() {
    List<String[]> lines = List.of(
        new String[] {"match", "a.wav"},
        new String[] {"match", "-"},
        new String[] {"match", "a.wav", "b c.mp3", "-"},
        new String[] {"match", "--json", "a.wav"},
        new String[] {"match", "a.wav", "--json", "--verbose"},
        new String[] {"match", "--index", "/tmp/ix", "a.wav"},
        new String[] {"match", "--index=ix", "a.wav", "b.ogg"},
        new String[] {"match", "--index=a=b", "a.wav"},
        new String[] {"match", "--top", "3", "a.wav"},
        new String[] {"match", "--top=12", "--min-score=0.35", "a.wav"},
        new String[] {"match", "--min-score", "1", "a.wav", "--top", "1"},
        new String[] {"match", "--min-score", ".5", "a.wav"},
        new String[] {"match", "--min-score", "0.", "a.wav"},
        new String[] {"match", "--min-score", "0", "--top", "007", "x"},
        new String[] {"match", "--top", "010", "x"},
        new String[] {"match", "--json", "--verbose", "--index", "d", "--top", "2",
            "--min-score", "0.125", "match", "add", "a b"});
    for (String[] line : lines) {
      MatchCommand fast = MatchCommandLine.read(line, ClipPrefetch.NONE);
      assertNotNull(fast, Arrays.toString(line));
      assertEquals(Read.of(byPicocli(line)), Read.of(fast), Arrays.toString(line));
    }
  }

  @Test
  void knowsEveryOptionThatPicocliKnowsForMatch() {
    // A new option of match (or a default given in its annotation) must be read here too, or a
    // command line without it would run with the field's own value instead of picocli's default.
    StringWriter sink = new StringWriter();
    CommandSpec match = Main.commandLine(new PrintWriter(sink), new PrintWriter(sink))
        .getSubcommands().get("match").getCommandSpec();
    Set<String> names = new TreeSet<>();
    for (OptionSpec option : match.options()) {
      names.addAll(Arrays.asList(option.names()));
      if (!option.usageHelp() && !option.versionHelp()) {
        assertNull(option.defaultValue(), option.longestName());
      }
    }
    assertEquals(new TreeSet<>(List.of("--help", "--index", "--json", "--min-score", "--top",
        "--verbose", "--version", "-V", "-h")), names);
    assertEquals(1, match.positionalParameters().size());
  }

  @Test
  void leavesEverythingElseToPicocli() {
    List<String[]> lines = List.of(
        new String[] {"match"},
        new String[] {"add", "a.wav"},
        new String[] {"--help", "match", "a.wav"},
        new String[] {"match", "--help"},
        new String[] {"match", "-h", "a.wav"},
        new String[] {"match", "--version"},
        new String[] {"match", "-V", "a.wav"},
        new String[] {"match", "--json"},
        new String[] {"match", "--", "-a.wav"},
        new String[] {"match", "@args.txt"},
        new String[] {"match", ""},
        new String[] {"match", "-x", "a.wav"},
        new String[] {"match", "--jsonn", "a.wav"},
        new String[] {"match", "--json=true", "a.wav"},
        new String[] {"match", "--json", "--json", "a.wav"},
        new String[] {"match", "--top", "2", "--top=3", "a.wav"},
        new String[] {"match", "--top", "0", "a.wav"},
        new String[] {"match", "--top", "-1", "a.wav"},
        new String[] {"match", "--top", "+2", "a.wav"},
        new String[] {"match", "--top", "0x10", "a.wav"},
        new String[] {"match", "--top", "9999999999", "a.wav"},
        new String[] {"match", "--top", "many", "a.wav"},
        new String[] {"match", "a.wav", "--top"},
        new String[] {"match", "--top=", "a.wav"},
        new String[] {"match", "--min-score", "1.5", "a.wav"},
        new String[] {"match", "--min-score", "NaN", "a.wav"},
        new String[] {"match", "--min-score", "1e-1", "a.wav"},
        new String[] {"match", "--min-score", ".", "a.wav"},
        new String[] {"match", "--min-score", "0.5.5", "a.wav"},
        new String[] {"match", "--index", "--json", "a.wav"},
        new String[] {"match", "--index", "@ix", "a.wav"},
        new String[] {"match", "--index", "a\0b", "a.wav"},
        new String[] {"match", "--index", "ix"});
    for (String[] line : lines) {
      assertNull(MatchCommandLine.read(line, ClipPrefetch.NONE), Arrays.toString(line));
    }
  }

  @Test
  void aFailureOfACommandReadHereIsReportedAsPicocliReportsIt(@TempDir Path dir) {
    // --index names a directory that is no index: one line on stderr, exit code 2.
    Path none = dir.resolve("none");
    Cli quick = Cli.run("match", "--index", none.toString(), "a.wav");
    Cli viaPicocli = Cli.run("match", "--index", none.toString(), "--", "a.wav");
    assertEquals(2, quick.exitCode());
    assertEquals("tunetrace: no index at " + none + "; create one with: tunetrace add PATH...\n",
        quick.err());
    assertEquals(viaPicocli, quick);
    Cli verbose = Cli.run("match", "--verbose", "--index", none.toString(), "a.wav");
    assertEquals(2, verbose.exitCode());
    assertTrue(verbose.err().startsWith("io.tunetrace.cli.CliException: no index at " + none),
        verbose.err());
  }
}
