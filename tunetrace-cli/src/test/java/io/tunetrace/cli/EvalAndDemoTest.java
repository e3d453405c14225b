package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval} on a tiny corpus written by the test, and {@code demo} on samples/. */
@Timeout(180)
class EvalAndDemoTest {
  @TempDir Path tmp;

  @Test
  void evalReportsAccuracyFalsePositivesAndSpeed() throws IOException {
    Path corpus = tmp.resolve("corpus");
    Path refs = Files.createDirectories(corpus.resolve("refs"));
    Path queries = Files.createDirectories(corpus.resolve("queries"));
    StringBuilder manifest = new StringBuilder(Manifest.HEADER + "\n");
    for (String name : new String[] {"amber-steps.wav", "blue-lantern.mp3", "copper-kite.mp3"}) {
      Files.copy(Cli.samples().resolve(name), refs.resolve(name));
      Pcm track = Pcm.read(Cli.samples().resolve(name));
      String stem = AudioFiles.stem(Path.of(name));
      SampleGenerator.writeWav(queries.resolve(stem + "_5s_clean.wav"),
          track.cut(6000, 5000).samples(), track.sampleRateHz());
      SampleGenerator.writeWav(queries.resolve(stem + "_3s_white20.wav"),
          track.cut(11_000, 3000).withWhiteNoise(20, 1).samples(), track.sampleRateHz());
      manifest.append(stem).append("_5s_clean.wav,").append(name).append(",6.0,5.0,clean\n");
      manifest.append(stem).append("_3s_white20.wav,").append(name).append(",11.0,3.0,white20\n");
    }
    // Held-out music: a piece the index has never seen.
    SampleGenerator.Piece unknown = new SampleGenerator.Piece("unknown", 99, 140, 64,
        SampleGenerator.MAJOR, new double[] {1, 0.6, 0.3}, 6, false);
    SampleGenerator.writeWav(queries.resolve("unknown_5s_clean.wav"),
        SampleGenerator.render(unknown, 22050), 22050);
    manifest.append("unknown_5s_clean.wav,,0.5,5.0,clean\n");
    Files.writeString(corpus.resolve("manifest.csv"), manifest);

    Path json = tmp.resolve("eval.json");
    Cli eval = Cli.run("eval", "--corpus", corpus.toString(), "--threads", "2", "--json",
        json.toString());
    assertEquals(0, eval.exitCode(), eval.err());
    String out = eval.out();
    assertTrue(out.contains("| condition | 3 s | 5 s | all |\n| --- | --- | --- | --- |\n"), out);
    assertTrue(out.contains("| clean | — | 100.0% (3/3) | 100.0% (3/3) |"), out);
    assertTrue(out.contains("| white20 | 100.0% (3/3) | — | 100.0% (3/3) |"), out);
    assertTrue(out.contains("| false positives on held-out clips | 0.0% (0/1) |"), out);
    assertTrue(out.contains(
        "| correct matches with delta_ms within 100 ms of the truth (all but speed2) | 100.0% (6/6) |"),
        out);
    assertTrue(out.contains("| wrong track ranked first on clean clips | 0 |"), out);
    assertTrue(out.contains("× realtime per core (worker CPU time)"), out);
    assertTrue(out.contains("| index size | "), out);
    String report = Files.readString(json);
    assertTrue(report.contains("\"false_positives\": [0, 1]"), report);
    assertTrue(report.contains("\"query\": \"unknown_5s_clean.wav\", \"expected\": \"\""), report);
  }

  @Test
  void demoRecognizesEveryClip() {
    Cli demo = Cli.run("demo", "--samples", Cli.samples().toString());
    assertEquals(0, demo.exitCode(), demo.out() + demo.err());
    assertTrue(demo.out().contains("10/10 clips recognized correctly"), demo.out());
  }
}
