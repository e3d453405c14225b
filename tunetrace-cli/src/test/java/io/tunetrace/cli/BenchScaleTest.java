package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.hash.HashLayout;
import io.tunetrace.core.index.InMemoryFingerprintIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench scale} on a small corpus of samples/, and the synthetic library it builds. */
@Timeout(300)
class BenchScaleTest {
  @TempDir Path tmp;

  @Test
  void syntheticTracksKeepTheBlockStructureButNeverTheSourceHashes() throws IOException {
    FingerprintParams params = FingerprintParams.DEFAULT;
    Fingerprints real;
    try (TuneTrace tt = TuneTrace.using(new InMemoryFingerprintIndex(params))) {
      Path file = Cli.samples().resolve("amber-steps.wav");
      real = tt.analyze(file, TuneTrace.nameOf(file)).fingerprints();
    }
    SyntheticLibrary library = new SyntheticLibrary(List.of(real), params, 7);
    Fingerprints a = library.track(60);
    Fingerprints b = new SyntheticLibrary(List.of(real), params, 7).track(60);
    assertEquals(a, b, "deterministic for a seed");
    assertEquals(Math.round(60 * SyntheticLibrary.framesPerSecond(params)), a.frameCount());
    // About as dense as the music it was cut from (a few hashes move out of the band).
    double realPerFrame = (double) real.size() / real.frameCount();
    double synthPerFrame = (double) a.size() / a.frameCount();
    assertTrue(synthPerFrame > 0.6 * realPerFrame && synthPerFrame <= 1.01 * realPerFrame,
        realPerFrame + " vs " + synthPerFrame);
    // Every (hash, time) of the source is moved in frequency: the synthetic track never holds the
    // source's hash at the source's relative timing, and every hash stays in the analysed band.
    Set<Integer> deltas = new HashSet<>();
    for (int i = 0; i < a.size(); i++) {
      int h = a.hash(i);
      int anchor = HashLayout.anchorBin(h);
      assertTrue(anchor >= params.minBin() && anchor < params.maxBin());
      assertTrue(anchor + HashLayout.deltaBins(h) >= params.minBin()
          && anchor + HashLayout.deltaBins(h) < params.maxBin());
      deltas.add(HashLayout.deltaFrames(h));
    }
    assertTrue(deltas.size() > 10, "time structure kept: " + deltas.size());
    Set<Long> source = new HashSet<>();
    for (int i = 0; i < real.size(); i++) {
      source.add(((long) real.hash(i) << 32) | real.frame(i));
    }
    int sameAtSameFrame = 0;
    for (int i = 0; i < a.size(); i++) {
      sameAtSameFrame += source.contains(((long) a.hash(i) << 32) | a.frame(i)) ? 1 : 0;
    }
    assertTrue(sameAtSameFrame < a.size() / 100, "copied hashes: " + sameAtSameFrame);
  }

  @Test
  void scaleBuildsTheHoursAndMeasuresTheCorpusQueries() throws IOException {
    Path corpus = tmp.resolve("corpus");
    Path refs = Files.createDirectories(corpus.resolve("refs"));
    Path queries = Files.createDirectories(corpus.resolve("queries"));
    StringBuilder manifest = new StringBuilder(Manifest.HEADER + "\n");
    for (String name : new String[] {"amber-steps.wav", "blue-lantern.mp3"}) {
      Files.copy(Cli.samples().resolve(name), refs.resolve(name));
      Pcm track = Pcm.read(Cli.samples().resolve(name));
      String stem = AudioFiles.stem(Path.of(name));
      SampleGenerator.writeWav(queries.resolve(stem + "_5s_clean.wav"),
          track.cut(6000, 5000).samples(), track.sampleRateHz());
      manifest.append(stem).append("_5s_clean.wav,").append(name).append(",6.0,5.0,clean\n");
    }
    SampleGenerator.Piece unknown = new SampleGenerator.Piece("unknown", 99, 140, 64,
        SampleGenerator.MAJOR, new double[] {1, 0.6, 0.3}, 6, false);
    SampleGenerator.writeWav(queries.resolve("unknown_5s_clean.wav"),
        SampleGenerator.render(unknown, 22050), 22050);
    manifest.append("unknown_5s_clean.wav,,0.5,5.0,clean\n");
    Files.writeString(corpus.resolve("manifest.csv"), manifest);

    Path index = tmp.resolve("index");
    Cli first = Cli.run("bench", "scale", "--hours", "0.5", "--index", index.toString(),
        "--corpus", corpus.toString(), "--source", Cli.samples().toString(), "--json");
    assertEquals(0, first.exitCode(), first.err());
    String json = first.out().strip();
    double hours = Cli.numberField(json, "hours");
    assertTrue(hours >= 0.5 && hours < 0.6, json);
    assertTrue(Cli.numberField(json, "tracks") > 2, json);
    assertTrue(Cli.numberField(json, "postings") > 1000, json);
    assertTrue(Cli.numberField(json, "disk_bytes") > 0, json);
    assertTrue(Cli.numberField(json, "build_cpu_s") > 0, json);
    assertTrue(Cli.numberField(json, "build_peak_rss_mb") > 0, json);
    assertNotNull(Cli.numberField(json, "open_ms"), json);
    assertEquals(1.0, Cli.numberField(json, "top1"), json);
    assertEquals(0.0, Cli.numberField(json, "false_positive_rate"), json);
    assertEquals(0.0, Cli.numberField(json, "hot_hash_share"), json);
    assertEquals(0.0, Cli.numberField(json, "query_errors"), json);
    for (String field : new String[] {"query_p50_ms", "query_p95_ms", "query_p99_ms",
        "query_cpu_p50_ms", "query_cpu_p95_ms", "query_cpu_p99_ms",
        "query_cpu_indexed_p50_ms", "query_cpu_indexed_p95_ms"}) {
      assertTrue(Cli.numberField(json, field) > 0, field + " in " + json);
    }
    assertTrue(Cli.numberField(json, "query_cpu_p50_ms")
        <= Cli.numberField(json, "query_cpu_p95_ms"), json);

    // Reused: more hours extend the same index; the refs are not added twice.
    Cli second = Cli.run("bench", "scale", "--hours", "1", "--index", index.toString(),
        "--corpus", corpus.toString(), "--source", Cli.samples().toString(), "--json");
    assertEquals(0, second.exitCode(), second.err());
    String json2 = second.out().strip();
    assertTrue(Cli.numberField(json2, "hours") >= 1, json2);
    assertTrue(Cli.numberField(json2, "tracks") > Cli.numberField(json, "tracks"), json2);
    assertEquals(1.0, Cli.numberField(json2, "top1"), json2);
    assertEquals(2000.0, Cli.numberField(json2, "max_postings_per_hash"), json2);

    // A lower lookup cap on the same index: only measured (nothing added), and hashes held by
    // more than one posting are skipped and counted as hot.
    Cli capped = Cli.run("bench", "scale", "--hours", "1", "--index", index.toString(),
        "--corpus", corpus.toString(), "--max-postings", "1", "--json");
    assertEquals(0, capped.exitCode(), capped.err());
    String json3 = capped.out().strip();
    assertEquals(Cli.numberField(json2, "tracks"), Cli.numberField(json3, "tracks"), json3);
    assertEquals(1.0, Cli.numberField(json3, "max_postings_per_hash"), json3);
    assertTrue(Cli.numberField(json3, "hot_hash_share") > 0, json3);

    Cli zero = Cli.run("bench", "scale", "--hours", "1", "--index", index.toString(),
        "--corpus", corpus.toString(), "--max-postings", "0");
    assertEquals(2, zero.exitCode(), zero.err());
    assertTrue(zero.err().contains("--max-postings must be at least 1"), zero.err());
  }

  @Test
  void refusesToBuildFromNothing() {
    Cli run = Cli.run("bench", "scale", "--hours", "1");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("--corpus DIR or --source DIR"), run.err());
  }
}
