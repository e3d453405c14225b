package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        "| correct matches with delta_ms within 100 ms of the truth (all but speed2; speed, tempo:"
        + " plus their drift) | 100.0% (6/6) |"),
        out);
    assertTrue(out.contains("| wrong track ranked first on clean clips | 0 |"), out);
    assertTrue(out.contains("× realtime per core (worker CPU time)"), out);
    assertTrue(out.contains("| index size | "), out);
    String report = Files.readString(json);
    assertTrue(report.contains("\"false_positives\": [0, 1]"), report);
    assertTrue(report.contains("\"query\": \"unknown_5s_clean.wav\", \"expected\": \"\""), report);
  }

  /** Every query of the corpus written by {@link #corpusWithParamColumn}. */
  private static final Set<String> QUERIES = Set.of(
      "amber-steps_5s_clean.wav", "amber-steps_3s_white20.wav",
      "blue-lantern_5s_clean.wav", "blue-lantern_3s_white20.wav",
      "copper-kite_5s_clean.wav", "copper-kite_3s_white20.wav",
      "dune-signal_5s_clean.wav", "dune-signal_3s_white20.wav",
      "unknown000_5s_clean.wav", "unknown001_5s_clean.wav", "unknown001_3s_white20.wav");

  /**
   * Four refs from samples/ with a clean 5 s and a noisy 3 s clip each, and three clips of two
   * pieces that are never indexed; the manifest has make-corpus's param column.
   */
  private Path corpusWithParamColumn() throws IOException {
    Path corpus = tmp.resolve("corpus6");
    Path refs = Files.createDirectories(corpus.resolve("refs"));
    Path queries = Files.createDirectories(corpus.resolve("queries"));
    StringBuilder manifest = new StringBuilder(Manifest.HEADER_WITH_PARAM + "\n");
    for (String name : new String[] {
        "amber-steps.wav", "blue-lantern.mp3", "copper-kite.mp3", "dune-signal.mp3"}) {
      Files.copy(Cli.samples().resolve(name), refs.resolve(name));
      Pcm track = Pcm.read(Cli.samples().resolve(name));
      String stem = AudioFiles.stem(Path.of(name));
      SampleGenerator.writeWav(queries.resolve(stem + "_5s_clean.wav"),
          track.cut(4000, 5000).samples(), track.sampleRateHz());
      SampleGenerator.writeWav(queries.resolve(stem + "_3s_white20.wav"),
          track.cut(12_000, 3000).withWhiteNoise(20, 3).samples(), track.sampleRateHz());
      manifest.append(stem).append("_5s_clean.wav,").append(name).append(",4.0,5.0,clean,\n");
      manifest.append(stem).append("_3s_white20.wav,").append(name)
          .append(",12.0,3.0,white20,20\n");
    }
    float[] unknown0 = SampleGenerator.render(new SampleGenerator.Piece("unknown000", 99, 140, 64,
        SampleGenerator.MAJOR, new double[] {1, 0.6, 0.3}, 6, false), 22050);
    float[] unknown1 = SampleGenerator.render(new SampleGenerator.Piece("unknown001", 131, 76, 49,
        SampleGenerator.DORIAN, new double[] {1, 0.2, 0.5, 0.1}, 6, false), 22050);
    SampleGenerator.writeWav(queries.resolve("unknown000_5s_clean.wav"), unknown0, 22050);
    SampleGenerator.writeWav(queries.resolve("unknown001_5s_clean.wav"), unknown1, 22050);
    SampleGenerator.writeWav(queries.resolve("unknown001_3s_white20.wav"),
        new Pcm(java.util.Arrays.copyOf(unknown1, 3 * 22050), 22050).withWhiteNoise(20, 5)
            .samples(), 22050);
    manifest.append("unknown000_5s_clean.wav,,0.5,5.0,clean,\n");
    manifest.append("unknown001_5s_clean.wav,,0.5,5.0,clean,\n");
    manifest.append("unknown001_3s_white20.wav,,0.5,3.0,white20,20\n");
    Files.writeString(corpus.resolve("manifest.csv"), manifest);
    return corpus;
  }

  /** A distractor library: a symlinked MP3 and a generated WAV in a sub-folder. */
  private Path background() throws IOException {
    Path bg = Files.createDirectories(tmp.resolve("background"));
    Files.createSymbolicLink(bg.resolve("0001-samples-ember-tide.mp3"),
        Cli.samples().resolve("ember-tide.mp3"));
    Path sub = Files.createDirectories(bg.resolve("more"));
    SampleGenerator.writeWav(sub.resolve("0002-generated-hum.wav"), SampleGenerator.render(
        new SampleGenerator.Piece("hum", 5, 100, 45, SampleGenerator.MINOR,
            new double[] {1, 0.4}, 15, false), 22050), 22050);
    Files.writeString(bg.resolve("notes.txt"), "not audio");
    return bg;
  }

  private static Set<String> queryNames(String json) {
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("\\{\"query\": \"([^\"]+)\"").matcher(json);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static String evalJson(String... args) {
    Cli eval = Cli.run(args);
    assertEquals(0, eval.exitCode(), eval.err());
    String json = eval.out();
    assertTrue(json.startsWith("{\"corpus\": ") && json.endsWith("]}\n"), json);
    assertFalse(json.contains("| condition |"), json);
    return json;
  }

  @Test
  void evalIndexesTheBackgroundAndPrintsOneJsonObject() throws IOException {
    Path corpus = corpusWithParamColumn();
    String plain = evalJson("eval", "--corpus", corpus.toString(), "--threads", "2", "--json");
    assertTrue(plain.contains("\"other_tracks\": 0, \"refs\": {\"dir\": "), plain);
    assertTrue(plain.contains("\"index\": {\"tracks\": 4, "), plain);
    assertTrue(plain.contains("\"background\": null}"), plain);

    Path bg = background();
    String json = evalJson("eval", "--corpus", corpus.toString(), "--threads", "2",
        "--background", bg.toString(), "--json");
    assertTrue(json.contains("\"index\": {\"tracks\": 6, "), json);
    assertTrue(json.contains("\"background\": {\"dir\": " + JsonOutput.quote(bg.toString())
        + ", \"files\": 2, \"tracks\": 2, \"added\": 2, \"already_indexed\": 0,"
        + " \"duplicates\": 0, \"failed\": 0, \"hours\": "), json);
    assertTrue(json.contains("\"cells\": {\"clean\": {\"5s\": {\"correct\": 4, \"total\": 4, "),
        json);
    assertTrue(json.contains("\"white20\": {\"3s\": {\"correct\": 4, \"total\": 4, "), json);
    assertTrue(json.contains("\"fp\": {\"count\": 0, \"total\": 3, \"rate\": 0, \"ci_low\": 0,"
        + " \"ci_high\": 0.561497, "), json);
    assertTrue(json.contains("\"param\": \"20\""), json);
    assertTrue(json.contains("\"latency_ms\": {\"all\": {\"p50\": "), json);
    assertTrue(json.contains("\"cpu\": {\"clock_ticks_per_s\": "), json);
    assertEquals(QUERIES, queryNames(json));
  }

  @Test
  void splitsMatchDisjointHalvesAgainstTheSameLibrary() throws IOException {
    Path corpus = corpusWithParamColumn();
    String tune = evalJson("eval", "--corpus", corpus.toString(), "--threads", "2", "--split",
        "tune", "--json");
    String test = evalJson("eval", "--corpus", corpus.toString(), "--threads", "2", "--split",
        "test", "--json");
    // blue-lantern.mp3 and dune-signal.mp3 (and unknown000) sort first by SHA-256 of the name.
    assertEquals(Set.of("blue-lantern_5s_clean.wav", "blue-lantern_3s_white20.wav",
        "dune-signal_5s_clean.wav", "dune-signal_3s_white20.wav", "unknown000_5s_clean.wav"),
        queryNames(tune));
    Set<String> tuneNames = queryNames(tune);
    Set<String> testNames = queryNames(test);
    assertTrue(Collections.disjoint(tuneNames, testNames));
    Set<String> union = new TreeSet<>(tuneNames);
    union.addAll(testNames);
    assertEquals(QUERIES, union);
    for (String json : new String[] {tune, test}) {
      assertTrue(json.contains("\"index\": {\"tracks\": 4, "), json);
    }
    assertTrue(tune.contains("\"split\": {\"part\": \"tune\", "), tune);
    assertTrue(test.contains("\"refs\": [\"amber-steps.wav\", \"copper-kite.mp3\"],"
        + " \"never_indexed_sources\": [\"unknown001\"], \"queries\": 6,"
        + " \"manifest_queries\": 11}"), test);
  }

  @Test
  void aKeptIndexIsNotIndexedAgain() throws IOException {
    Path corpus = corpusWithParamColumn();
    Path bg = background();
    Path index = tmp.resolve("eval-index");
    String first = evalJson("eval", "--corpus", corpus.toString(), "--threads", "2",
        "--background", bg.toString(), "--index", index.toString(), "--json");
    assertTrue(first.contains("\"files\": 2, \"tracks\": 2, \"added\": 2, "), first);
    assertTrue(Files.isDirectory(index));
    String second = evalJson("eval", "--corpus", corpus.toString(), "--threads", "2",
        "--background", bg.toString(), "--index", index.toString(), "--json");
    assertTrue(second.contains("\"index\": {\"tracks\": 6, "), second);
    assertTrue(second.contains("\"files\": 4, \"tracks\": 4, \"added\": 0,"
        + " \"already_indexed\": 4, "), second);
    assertTrue(second.contains("\"files\": 2, \"tracks\": 2, \"added\": 0,"
        + " \"already_indexed\": 2, "), second);
    assertTrue(second.contains("\"ingest_audio_added_s\": 0, \"ingest_realtime_per_cpu_s\": null, "),
        second);
    assertTrue(second.contains("\"cells\": {\"clean\": {\"5s\": {\"correct\": 4, \"total\": 4, "),
        second);
  }

  @Test
  void demoRecognizesEveryClip() {
    Cli demo = Cli.run("demo", "--samples", Cli.samples().toString());
    assertEquals(0, demo.exitCode(), demo.out() + demo.err());
    assertTrue(demo.out().contains("10/10 clips recognized correctly"), demo.out());
  }
}
