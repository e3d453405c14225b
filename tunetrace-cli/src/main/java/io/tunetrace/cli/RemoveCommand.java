package io.tunetrace.cli;

import io.tunetrace.core.TuneTrace;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tunetrace remove}: remove tracks by id. */
@Command(
    name = "remove",
    mixinStandardHelpOptions = true,
    description = {
      "Remove tracks by id.",
      "Removes tracks and all their postings, by the ids 'tunetrace list' shows.",
      "Exit code 2 if any id was not in the index."
    })
final class RemoveCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin IndexOption indexOption;
  @Mixin VerboseOption verboseOption;

  @Parameters(paramLabel = "ID", arity = "1..*", description = "Track ids.")
  List<Integer> ids;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int missing = 0;
    try (TuneTrace tt = indexOption.openExisting(true)) {
      for (int id : ids) {
        if (tt.index().remove(id)) {
          out.println("removed #" + id);
        } else {
          missing++;
          err.println("tunetrace: no such track: " + id);
        }
      }
    }
    return missing == 0 ? Main.EXIT_OK : Main.EXIT_ERROR;
  }
}
