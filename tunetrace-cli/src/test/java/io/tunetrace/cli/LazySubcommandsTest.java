package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.cli.remote.ServeCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

class LazySubcommandsTest {
  @Test
  void onlyTheSubcommandBeingRunIsBuilt() {
    assertEquals(List.of(MatchCommand.class),
        Main.subcommandsFor(new String[] {"match", "--json", "clip.wav"}));
    assertEquals(List.of(ServeCommand.class), Main.subcommandsFor(new String[] {"serve", "--port", "1"}));
    assertEquals(List.of(ListCommand.class), Main.subcommandsFor(new String[] {"--verbose", "list"}));
  }

  @Test
  void helpVersionAndUnknownNamesGetEverySubcommand() {
    assertEquals(TuneTraceCommand.SUBCOMMANDS, Main.subcommandsFor(new String[] {}));
    assertEquals(TuneTraceCommand.SUBCOMMANDS, Main.subcommandsFor(new String[] {"--help"}));
    assertEquals(TuneTraceCommand.SUBCOMMANDS, Main.subcommandsFor(new String[] {"frobnicate", "match"}));
    assertEquals(TuneTraceCommand.SUBCOMMANDS, Main.subcommandsFor(new String[] {"Match"}));
  }

  @Test
  void everySubcommandHasItsOwnName() {
    Set<String> names = new HashSet<>();
    for (Class<?> c : TuneTraceCommand.SUBCOMMANDS) {
      assertTrue(names.add(c.getAnnotation(Command.class).name()), c.getName());
    }
    assertEquals(Set.copyOf(Main.commandLine(new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter())).getSubcommands().keySet()), names);
  }

  @Test
  void aSubcommandBuiltAloneParsesAsWhenBuiltWithTheOthers() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(2, Main.run(new String[] {"match", "--top", "0", "x.wav"}, new PrintWriter(out),
        new PrintWriter(err)));
    assertEquals("tunetrace: --top must be at least 1: 0\n"
        + "Try 'tunetrace match --help' for more information.\n", err.toString());
  }
}
