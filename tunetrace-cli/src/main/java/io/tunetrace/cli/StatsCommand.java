package io.tunetrace.cli;

import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.index.IndexStats;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tunetrace stats}: size figures of the index. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {
      "Show the size of the index.",
      "Tracks, hours of audio, postings, bytes, bytes per hour and bytes per posting."
    })
final class StatsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin IndexOption indexOption;
  @Mixin VerboseOption verboseOption;

  @Option(names = "--json", description = "One JSON object on stdout.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (TuneTrace tt = indexOption.openExisting(false)) {
      IndexStats s = tt.index().stats();
      if (json) {
        out.println(JsonOutput.write(JsonOutput.object()
            .put("index", indexOption.indexDir().toString())
            .put("tracks", s.tracks())
            .put("hours", JsonOutput.round(s.hours(), 4))
            .put("postings", s.postings())
            .put("bytes", s.bytes())
            .put("bytes_per_hour", Math.round(s.bytesPerHour()))
            .put("bytes_per_posting", JsonOutput.round(s.bytesPerPosting(), 3))));
      } else {
        out.println("index:             " + indexOption.indexDir());
        out.println("tracks:            " + s.tracks());
        out.println(String.format(Locale.ROOT, "hours:             %.3f", s.hours()));
        out.println(String.format(Locale.ROOT, "postings:          %,d", s.postings()));
        out.println(String.format(Locale.ROOT, "bytes:             %,d (%s)", s.bytes(),
            Format.bytes(s.bytes())));
        out.println(String.format(Locale.ROOT, "bytes per hour:    %s", Format.bytes(s.bytesPerHour())));
        out.println(String.format(Locale.ROOT, "bytes per posting: %.2f", s.bytesPerPosting()));
      }
    }
    return Main.EXIT_OK;
  }
}
