package io.tunetrace.cli;

import io.tunetrace.core.Match;
import io.tunetrace.core.MatchResult;
import io.tunetrace.core.TuneTrace;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tunetrace demo}: index samples/ and recognize degraded clips of it. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Index samples/ and recognize noisy clips of it.",
      "Indexes the tracks in samples/ into a temporary index, cuts clips from them at seeded",
      "offsets, adds white noise at 10 dB SNR, recognizes each and prints expected and found track",
      "and offset. Needs no services and no ffmpeg.",
      "Exit code 0 only if every clip is recognized correctly (right track, offset within 100 ms)."
    })
final class DemoCommand implements Callable<Integer> {
  /** A clip counts as correct when its offset is within this of the truth. */
  static final long DELTA_TOLERANCE_MILLIS = 100;

  @Spec CommandSpec spec;
  @Mixin VerboseOption verboseOption;

  @Option(
      names = "--samples",
      paramLabel = "DIR",
      description = "Folder of tracks (default: the repository's samples/, else ./samples).")
  Path samples;

  @Option(names = "--seed", paramLabel = "N", description = "Seed for offsets and noise (default: ${DEFAULT-VALUE}).")
  long seed = 1;

  /** One demo clip. */
  record Clip(String description, Path track, long offsetMillis, Pcm pcm, double snrDb) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path dir = samples != null ? samples : defaultSamples();
    List<Path> tracks = AudioFiles.expand(List.of(dir));
    if (tracks.isEmpty()) {
      throw new CliException("no audio files in " + dir);
    }
    Path indexDir = Files.createTempDirectory("tunetrace-demo-");
    try (TuneTrace tt = IndexOption.openEmbedded(indexDir)) {
      out.printf(Locale.ROOT, "Indexing %d tracks from %s into %s%n", tracks.size(), dir, indexDir);
      Ingester.Summary ingest = new Ingester(tt.index(), Runtime.getRuntime().availableProcessors(),
          null, null).run(tracks);
      AddCommand.printSummary(out, err, ingest);
      if (ingest.count(Ingester.Kind.FAILED) > 0) {
        return Main.EXIT_ERROR;
      }
      List<Clip> clips = clips(tracks, seed);
      out.println();
      out.printf(Locale.ROOT, "%-50s  %-28s  %-28s  %8s  %5s  %s%n",
          "CLIP", "EXPECTED", "GOT", "ERROR_MS", "SCORE", "OK");
      int correct = 0;
      double totalMillis = 0;
      for (Clip clip : clips) {
        long start = System.nanoTime();
        MatchResult result = tt.recognizer().recognize(clip.pcm().samples(), clip.pcm().sampleRateHz());
        totalMillis += (System.nanoTime() - start) / 1e6;
        Match best = result.best().orElse(null);
        String expected = clip.track().getFileName() + " @ " + clip.offsetMillis() + " ms";
        String got = best == null ? "no match"
            : Path.of(best.track().metadata().sourcePath()).getFileName() + " @ " + best.deltaMillis() + " ms";
        boolean ok = best != null
            && Path.of(best.track().metadata().sourcePath()).getFileName().equals(clip.track().getFileName())
            && Math.abs(best.deltaMillis() - clip.offsetMillis()) <= DELTA_TOLERANCE_MILLIS;
        correct += ok ? 1 : 0;
        out.printf(Locale.ROOT, "%-50s  %-28s  %-28s  %8s  %5s  %s%n",
            clip.description(), expected, got,
            best == null ? "-" : Long.toString(best.deltaMillis() - clip.offsetMillis()),
            best == null ? "-" : String.format(Locale.ROOT, "%.2f", best.score()),
            ok ? "yes" : "NO");
      }
      out.println();
      out.printf(Locale.ROOT, "%d/%d clips recognized correctly (right track, offset within %d ms); "
              + "mean recognition time %.1f ms%n",
          correct, clips.size(), DELTA_TOLERANCE_MILLIS, totalMillis / clips.size());
      return correct == clips.size() ? Main.EXIT_OK : Main.EXIT_ERROR;
    } finally {
      Evaluation.deleteRecursively(indexDir);
    }
  }

  /** Two clips per track: 5 s and 3 s at seeded offsets, white noise at 10 dB SNR. */
  static List<Clip> clips(List<Path> tracks, long seed) throws java.io.IOException {
    Random random = new Random(seed);
    List<Clip> clips = new ArrayList<>();
    for (Path track : tracks) {
      Pcm pcm = Pcm.read(track);
      for (long lengthMillis : new long[] {5000, 3000}) {
        long room = Math.max(0, pcm.durationMillis() - lengthMillis - 1000);
        long offset = room == 0 ? 0 : 500 + (long) (random.nextDouble() * room);
        offset -= offset % 10;
        double snrDb = 10;
        Pcm clip = pcm.cut(offset, lengthMillis).withWhiteNoise(snrDb, random.nextLong());
        String description = String.format(Locale.ROOT, "%d s of %s, white noise %.0f dB SNR",
            lengthMillis / 1000, Format.fit(track.getFileName().toString(), 20), snrDb);
        clips.add(new Clip(description, track, offset, clip, snrDb));
      }
    }
    return clips;
  }

  /** samples/ of the repository holding the running jar, else ./samples. */
  static Path defaultSamples() {
    try {
      Path code = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // .../repo/tunetrace-cli/target/tunetrace-cli-*-all.jar or .../target/classes
      for (Path p = code.getParent(); p != null; p = p.getParent()) {
        Path candidate = p.resolve("samples");
        if (Files.isDirectory(candidate) && Files.exists(p.resolve("tunetrace-cli"))) {
          return candidate;
        }
      }
    } catch (URISyntaxException | RuntimeException e) {
      // fall through to the working directory
    }
    return Path.of("samples");
  }
}
