package io.tunetrace.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.core.match.AudioOverlap;
import io.tunetrace.core.match.SameAudioGroup;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tunetrace dedup}: groups of indexed tracks that share audio. */
@Command(
    name = "dedup",
    mixinStandardHelpOptions = true,
    description = {
      "List groups of indexed tracks that share audio (re-encoded or re-tagged copies,",
      "compilations holding a track), with the stretches they share.",
      "Every track's file is read again from the path it was added from; tracks whose file",
      "is gone are reported on stderr and skipped.",
      "Exit code 0 if some tracks share audio, 1 if none do, 2 if a file could not be decoded."
    })
final class DedupCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin IndexOption indexOption;
  @Mixin VerboseOption verboseOption;

  @Option(names = "--json", description = "One JSON object per line per group on stdout.")
  boolean json;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Tracks read and searched at a time (default: all cores, ${DEFAULT-VALUE}).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Override
  public Integer call() throws Exception {
    if (threads < 1) {
      throw new ParameterException(spec.commandLine(), "--threads must be at least 1: " + threads);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int[] undecodable = {0};
    List<SameAudioGroup> groups;
    int tracks;
    try (TuneTrace tt = indexOption.openExisting(false)) {
      tracks = tt.index().tracks().size();
      groups = tt.findSameAudio(threads, (track, e) -> {
        if (!(e instanceof NoSuchFileException)) {
          undecodable[0]++;
        }
        if (verboseOption.verbose) {
          e.printStackTrace(err);
        }
        String path = track.metadata().sourcePath();
        err.println("tunetrace: skipped #" + track.id() + ": "
            + (path.isEmpty() ? "no file path stored" : Errors.about(path, e)));
        err.flush();
      });
    }
    for (int g = 0; g < groups.size(); g++) {
      if (json) {
        out.println(groupJson(g + 1, groups.get(g)));
      } else {
        printGroup(out, g + 1, groups.get(g));
      }
    }
    if (!json) {
      int grouped = groups.stream().mapToInt(gr -> gr.tracks().size()).sum();
      out.println(groups.isEmpty()
          ? "no tracks share audio (" + tracks + " track" + (tracks == 1 ? "" : "s") + ")"
          : groups.size() + " group" + (groups.size() == 1 ? "" : "s") + " of tracks sharing audio ("
              + grouped + " of " + tracks + " tracks)");
    }
    out.flush();
    if (undecodable[0] > 0) {
      return Main.EXIT_ERROR;
    }
    return groups.isEmpty() ? Main.EXIT_NO_MATCH : Main.EXIT_OK;
  }

  private static void printGroup(PrintWriter out, int number, SameAudioGroup group) {
    out.println("group " + number + ": " + group.tracks().size() + " tracks");
    for (Track t : group.tracks()) {
      TrackMetadata m = t.metadata();
      String name = m.artist().isEmpty() ? m.title() : m.artist() + " - " + m.title();
      out.println("  #" + t.id() + "  " + name + "  " + Format.clock(m.durationMillis()) + "  "
          + m.sourcePath());
    }
    for (AudioOverlap o : group.overlaps()) {
      out.println("  #" + o.first().id() + " " + Format.clock(o.firstStartMillis()) + "-"
          + Format.clock(o.firstStopMillis()) + " = #" + o.second().id() + " "
          + Format.clock(o.secondStartMillis()) + "-" + Format.clock(o.secondStopMillis()));
    }
    out.println();
  }

  static String groupJson(int number, SameAudioGroup group) {
    ObjectNode line = JsonOutput.object().put("group", number);
    ArrayNode tracks = line.putArray("tracks");
    for (Track t : group.tracks()) {
      TrackMetadata m = t.metadata();
      tracks.addObject()
          .put("track_id", t.id())
          .put("title", m.title())
          .put("artist", m.artist())
          .put("duration_ms", m.durationMillis())
          .put("path", m.sourcePath());
    }
    ArrayNode overlaps = line.putArray("overlaps");
    for (AudioOverlap o : group.overlaps()) {
      overlaps.addObject()
          .put("track_id", o.first().id())
          .put("start_ms", o.firstStartMillis())
          .put("stop_ms", o.firstStopMillis())
          .put("other_track_id", o.second().id())
          .put("other_start_ms", o.secondStartMillis())
          .put("other_stop_ms", o.secondStopMillis());
    }
    return JsonOutput.write(line);
  }
}
