package io.tunetrace.cli;

import io.tunetrace.core.Recognizer;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.explain.Explainer;
import io.tunetrace.core.explain.Explanation;
import io.tunetrace.core.explain.ExplanationPicture;
import io.tunetrace.core.explain.ReferenceAudio;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tunetrace explain CLIP -o match.png|svg}: a picture of why a clip matched, or did not. */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {
      "Draw why a clip matched a track, or why the best candidate was refused: the clip's",
      "spectrogram with its peaks, the track's over the aligned stretch (read from the path the",
      "index keeps), the hashes that voted for the alignment, the votes per time offset, and the",
      "numbers (votes, score, runner-up, speed). Works without a display.",
      "Exit code: 0 match, 1 no match, 2 error."
    })
final class ExplainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin IndexOption indexOption;
  @Mixin VerboseOption verboseOption;

  @Parameters(paramLabel = "CLIP", description = "Audio clip to explain; - for standard input.")
  String clip;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true,
      description = "Picture to write: FILE.png or FILE.svg.")
  Path output;

  /** "png" or "svg", from the output's extension. */
  static String format(Path output) {
    String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".png")) {
      return "png";
    }
    if (name.endsWith(".svg")) {
      return "svg";
    }
    throw new CliException("-o must end in .png or .svg: " + output);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String format = format(output);
    Explanation e;
    try (TuneTrace tt = indexOption.openExisting(false)) {
      float[] samples;
      int rate;
      try (PcmSource pcm = Queries.open(tt, clip, System.in)) {
        rate = pcm.sampleRateHz();
        samples = PcmSource.readAll(pcm, Recognizer.MAX_CLIP_SECONDS * rate);
      }
      e = new Explainer(tt.recognizer()).explain(samples, rate, ReferenceAudio.files());
    }
    // Written next to the target first, so a failed write never leaves half a picture behind.
    Path dir = output.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".explain", "." + format);
    try {
      if (format.equals("png")) {
        try (OutputStream o = Files.newOutputStream(tmp)) {
          ExplanationPicture.writePng(e, o);
        }
      } else {
        Files.writeString(tmp, ExplanationPicture.svg(e), StandardCharsets.UTF_8);
      }
      Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    out.println(e.reason());
    if (!e.referenceProblem().isEmpty() && e.candidate().isPresent()) {
      spec.commandLine().getErr().println("tunetrace: warning: no reference picture: "
          + e.referenceProblem());
    }
    out.println("wrote " + output);
    out.flush();
    return e.accepted() ? Main.EXIT_OK : Main.EXIT_NO_MATCH;
  }
}
