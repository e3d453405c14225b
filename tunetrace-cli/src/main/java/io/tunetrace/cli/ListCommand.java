package io.tunetrace.cli;

import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tunetrace list}: the indexed tracks. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List the indexed tracks.")
final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin IndexOption indexOption;
  @Mixin VerboseOption verboseOption;

  @Option(names = "--json", description = "One JSON object per line per track.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (TuneTrace tt = indexOption.openExisting(false)) {
      if (!json) {
        out.println(String.format(Locale.ROOT, "%6s  %-30s  %-20s  %10s  %9s  %s",
            "ID", "TITLE", "ARTIST", "DURATION", "POSTINGS", "PATH"));
      }
      for (Track t : tt.index().tracks()) {
        TrackMetadata m = t.metadata();
        if (json) {
          out.println(JsonOutput.write(JsonOutput.object()
              .put("track_id", t.id())
              .put("title", m.title())
              .put("artist", m.artist())
              .put("duration_ms", m.durationMillis())
              .put("postings", t.postingCount())
              .put("path", m.sourcePath())
              .put("sha256", m.sha256())));
        } else {
          out.println(String.format(Locale.ROOT, "%6d  %-30s  %-20s  %10s  %9d  %s",
              t.id(), Format.fit(m.title(), 30), Format.fit(m.artist(), 20),
              Format.clock(m.durationMillis()), t.postingCount(), m.sourcePath()).stripTrailing());
        }
      }
    }
    return Main.EXIT_OK;
  }
}
