package io.tunetrace.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunetrace.core.Detection;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.index.TrackMetadata;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tunetrace monitor}: report every track heard in long recordings. */
@Command(
    name = "monitor",
    mixinStandardHelpOptions = true,
    description = {
      "Report every indexed track heard in long recordings.",
      "Slides a window over each recording (a radio show, a DJ mix) in bounded memory and reports",
      "every track heard, with its start and stop in the recording and in the track.",
      "FILE - reads standard input as a stream and prints each track as soon as it is",
      "detected: ffmpeg -f pulse -i default -f wav - | tunetrace monitor -",
      "Exit code 0 if any track was heard, 1 if none, 2 if a recording could not be read."
    })
final class MonitorCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin IndexOption indexOption;
  @Mixin VerboseOption verboseOption;

  @Option(names = "--json", description = "One JSON object per line per detection on stdout.")
  boolean json;

  @Parameters(
      paramLabel = "FILE",
      arity = "1..*",
      description = "Recordings to monitor; - for standard input.")
  List<String> recordings;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean anyError = false;
    int[] detections = {0};
    Queries.checkStdinOnce(recordings);
    try (TuneTrace tt = indexOption.openExisting(false)) {
      if (!json) {
        out.println(String.format(Locale.ROOT, "%-24s  %-12s  %-12s  %-12s  %-12s  %5s  %s",
            "RECORDING", "FROM", "TO", "TRACK FROM", "TRACK TO", "SCORE", "TRACK"));
      }
      for (String recording : recordings) {
        try (PcmSource source = Queries.open(tt, recording, System.in)) {
          tt.recognizer().monitor(source, d -> {
            detections[0]++;
            out.println(json ? detectionJson(recording, d) : detectionRow(recording, d));
            out.flush();
          });
        } catch (Exception e) {
          anyError = true;
          if (verboseOption.verbose) {
            e.printStackTrace(err);
          }
          err.println("tunetrace: " + Errors.about(Queries.displayName(recording), e));
          err.flush();
        }
      }
    }
    return anyError ? Main.EXIT_ERROR : detections[0] > 0 ? Main.EXIT_OK : Main.EXIT_NO_MATCH;
  }

  static String detectionRow(String recording, Detection d) {
    TrackMetadata m = d.track().metadata();
    String name = m.artist().isEmpty() ? m.title() : m.artist() + " - " + m.title();
    return String.format(Locale.ROOT, "%-24s  %-12s  %-12s  %-12s  %-12s  %5.2f  #%d %s",
        Format.fit(recording, 24), Format.clock(d.queryStartMillis()),
        Format.clock(d.queryStopMillis()), Format.clock(d.refStartMillis()),
        Format.clock(d.refStopMillis()), d.score(), d.track().id(), name);
  }

  static String detectionJson(String recording, Detection d) {
    TrackMetadata m = d.track().metadata();
    ObjectNode line = JsonOutput.object()
        .put("query", recording)
        .put("track_id", d.track().id())
        .put("path", m.sourcePath())
        .put("title", m.title())
        .put("artist", m.artist())
        .put("query_start_s", d.queryStartMillis() / 1000.0)
        .put("query_stop_s", d.queryStopMillis() / 1000.0)
        .put("ref_start_s", d.refStartMillis() / 1000.0)
        .put("ref_stop_s", d.refStopMillis() / 1000.0)
        .put("score", JsonOutput.round(d.score(), 4));
    line.set("same_recording", MatchCommand.sameRecordingNode(d.sameRecording()));
    return JsonOutput.write(line);
  }
}
