package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.audio.Resampler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The CLI on a real embedded index built from samples/: add, match, list, remove, stats, monitor. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class EndToEndTest {
  @TempDir static Path tmp;
  Path index;

  @BeforeAll
  void addSamples() {
    index = tmp.resolve("index");
    Cli add = Cli.run("add", "--index", index.toString(), Cli.samples().toString());
    assertEquals(0, add.exitCode(), add.err());
    assertTrue(add.out().startsWith("added 5 files, 2.1 min of audio, "), add.out());
    assertTrue(add.out().contains("0 duplicates skipped, 0 failed"), add.out());
  }

  private Path writeClip(String name, Pcm pcm) throws IOException {
    Path file = tmp.resolve(name);
    SampleGenerator.writeWav(file, pcm.samples(), pcm.sampleRateHz());
    return file;
  }

  @Test
  void matchesNoisyOffsetClipWithTheRightDelta() throws IOException {
    Pcm track = Pcm.read(Cli.samples().resolve("blue-lantern.mp3"));
    Path clip = writeClip("noisy \"clip\".wav", track.cut(7300, 5000).withWhiteNoise(15, 3));
    Cli match = Cli.run("match", "--json", "--index", index.toString(), clip.toString());
    assertEquals(0, match.exitCode(), match.err());
    List<String> lines = match.lines();
    assertEquals(1, lines.size(), match.out());
    String line = lines.get(0);
    assertEquals(clip.toString(), Cli.stringField(line, "query"));
    assertEquals(Cli.samples().resolve("blue-lantern.mp3").toString(), Cli.stringField(line, "path"));
    // From the MP3's ID3 tags.
    assertEquals("Blue Lantern", Cli.stringField(line, "title"));
    assertEquals("TuneTrace samples", Cli.stringField(line, "artist"));
    double delta = Cli.numberField(line, "delta_ms");
    assertTrue(Math.abs(delta - 7300) <= 100, "delta_ms " + delta);
    double score = Cli.numberField(line, "score");
    assertTrue(score > 0 && score <= 1, line);
    for (String field : List.of("track_id", "confidence", "query_start_ms", "query_stop_ms",
        "ref_start_ms", "ref_stop_ms", "matched_share", "speed", "elapsed_ms")) {
      assertNotNull(Cli.numberField(line, field), field + " in " + line);
    }
    JsonNode json = JSON.readTree(line);
    assertTrue(json.path("match").path("same_recording").isArray(), line);
    assertEquals(1, json.path("matches").size(), line);
    assertEquals(json.path("match"), json.path("matches").get(0));
    assertEquals("", match.err());
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static float[] at8k(Pcm pcm) {
    return Resampler.resample(pcm.samples(), pcm.sampleRateHz(), 8000);
  }

  @Test
  void warnsOnStderrWhenAClipIsLongerThanMatchKeeps() throws IOException {
    float[] music = at8k(Pcm.read(Cli.samples().resolve("blue-lantern.mp3")).cut(7300, 6000));
    float[] longer = Arrays.copyOf(music, (Recognizer.MAX_CLIP_SECONDS + 1) * 8000);
    float[] exact = Arrays.copyOf(music, Recognizer.MAX_CLIP_SECONDS * 8000);
    Path longClip = writeClip("long.wav", new Pcm(longer, 8000));
    Path exactClip = writeClip("exact.wav", new Pcm(exact, 8000));
    Cli match = Cli.run("match", "--index", index.toString(), exactClip.toString(),
        longClip.toString());
    assertEquals(0, match.exitCode(), match.err());
    assertEquals("tunetrace: warning: " + longClip + " is longer than 120 s; only its first 120 s"
        + " were matched (to find every track in a long recording: tunetrace monitor " + longClip
        + ")\n", match.err());
    assertEquals(3, match.lines().size(), match.out());
    assertTrue(match.lines().get(1).contains("Blue Lantern"), match.out());
    assertTrue(match.lines().get(2).contains("Blue Lantern"), match.out());
  }

  @Test
  void topListsDistinctRecordingsBestFirst() throws IOException {
    Pcm copper = Pcm.read(Cli.samples().resolve("copper-kite.mp3"));
    Pcm ember = Pcm.read(Cli.samples().resolve("ember-tide.mp3"));
    Path clip = writeClip("two-tracks.wav",
        Pcm.concat(copper.cut(4000, 8000), ember.cut(6000, 4000)));
    Cli three = Cli.run("match", "--json", "--top", "3", "--index", index.toString(),
        clip.toString());
    assertEquals(0, three.exitCode(), three.err());
    JsonNode line = JSON.readTree(three.lines().get(0));
    JsonNode matches = line.path("matches");
    assertTrue(matches.size() >= 1 && matches.size() <= 2, line.toString());
    assertEquals(line.path("match"), matches.get(0));
    assertTrue(matches.get(0).path("path").asText().endsWith("copper-kite.mp3"), line.toString());
    if (matches.size() == 2) {
      assertTrue(matches.get(1).path("path").asText().endsWith("ember-tide.mp3"), line.toString());
      assertTrue(Math.abs(matches.get(1).path("delta_ms").asLong() - (6000 - 8000)) <= 100,
          line.toString());
    }
    for (JsonNode m : matches) {
      assertTrue(m.path("same_recording").isArray(), line.toString());
    }

    Cli one = Cli.run("match", "--json", "--top", "1", "--index", index.toString(),
        clip.toString());
    JsonNode best = JSON.readTree(one.lines().get(0));
    assertEquals(1, best.path("matches").size(), one.out());
    assertEquals(matches.get(0), best.path("match"));

    Cli table = Cli.run("match", "--top", "3", "--index", index.toString(), clip.toString());
    assertEquals(1 + matches.size(), table.lines().size(), table.out());
    assertTrue(table.lines().get(1).contains("1. #" + matches.get(0).path("track_id").asInt()
        + " TuneTrace samples - Copper Kite"), table.out());
  }

  @Test
  void minScoreKeepsOnlyMatchesScoringAtLeastIt() throws IOException {
    Pcm track = Pcm.read(Cli.samples().resolve("blue-lantern.mp3"));
    // A clip hard enough to be named without certainty: shorter and noisier until its score is
    // below 1 (a clean clip scores 1, one in a million or rarer).
    Path clip = null;
    Cli plain = null;
    double score = 1;
    search:
    for (int millis : new int[] {3000, 2000, 1500, 1200, 1000}) {
      for (int snr : new int[] {0, -3, -6, -9, -12, -15, -18}) {
        Path candidate = writeClip("scored.wav", track.cut(3000, millis).withWhiteNoise(snr, 11));
        Cli run = Cli.run("match", "--json", "--index", index.toString(), candidate.toString());
        if (run.exitCode() == 0) {
          double s = JSON.readTree(run.lines().get(0)).path("match").path("score").asDouble();
          if (s < 0.999) {
            clip = candidate;
            plain = run;
            score = s;
            break search;
          }
        }
      }
    }
    assertTrue(clip != null, "no clip scored between the threshold and 1");
    // the printed score is rounded to 4 decimals
    assertTrue(score > 0.001 && score < 0.999, plain.out());

    Cli below = Cli.run("match", "--json", "--min-score", Double.toString(score - 0.001),
        "--index", index.toString(), clip.toString());
    assertEquals(0, below.exitCode(), below.out() + below.err());
    assertEquals(plain.lines().get(0).replaceAll("\"elapsed_ms\": [0-9.]+", ""),
        below.lines().get(0).replaceAll("\"elapsed_ms\": [0-9.]+", ""));

    Cli above = Cli.run("match", "--json", "--min-score", Double.toString(score + 0.001),
        "--index", index.toString(), clip.toString());
    assertEquals(1, above.exitCode(), above.out() + above.err());
    JsonNode none = JSON.readTree(above.lines().get(0));
    assertTrue(none.path("match").isNull(), above.out());
    assertEquals(0, none.path("matches").size(), above.out());
  }

  @Test
  void randomBytesGiveAnErrorLineAndExitTwo() throws IOException {
    byte[] junk = new byte[20_000];
    new Random(5).nextBytes(junk);
    Path file = tmp.resolve("junk.bin");
    Files.write(file, junk);
    Pcm track = Pcm.read(Cli.samples().resolve("amber-steps.wav"));
    Path clip = writeClip("good.wav", track.cut(4000, 5000));
    Cli match = Cli.run("match", "--json", "--index", index.toString(), file.toString(),
        clip.toString());
    assertEquals(2, match.exitCode());
    List<String> lines = match.lines();
    assertEquals(2, lines.size(), match.out());
    assertTrue(lines.get(0).startsWith("{\"query\": " + JsonOutput.quote(file.toString()) + ", \"error\": \""),
        lines.get(0));
    assertTrue(lines.get(0).matches(".*\"elapsed_ms\": [0-9.]+}"), lines.get(0));
    assertTrue(lines.get(1).contains("amber-steps.wav"), "the batch goes on: " + lines.get(1));
  }

  @Test
  void silenceMatchesNothingAndExitsOne() throws IOException {
    Path silence = writeClip("silence.wav", new Pcm(new float[5 * 22050], 22050));
    Cli match = Cli.run("match", "--json", "--index", index.toString(), silence.toString());
    assertEquals(1, match.exitCode(), match.err());
    assertEquals(1, match.lines().size());
    assertTrue(match.lines().get(0).startsWith(
        "{\"query\": " + JsonOutput.quote(silence.toString()) + ", \"match\": null, \"elapsed_ms\": "),
        match.out());
  }

  @Test
  void tableOutputNamesTheTrack() throws IOException {
    Pcm track = Pcm.read(Cli.samples().resolve("dune-signal.mp3"));
    Path clip = writeClip("dune.wav", track.cut(12_000, 4000).withWhiteNoise(10, 9));
    Cli match = Cli.run("match", "--index", index.toString(), clip.toString());
    assertEquals(0, match.exitCode(), match.err());
    assertTrue(match.lines().get(0).startsWith("QUERY"), match.out());
    assertTrue(match.lines().get(1).contains("dune"), match.out());
  }

  @Test
  void addingAgainSkipsDuplicates() {
    Cli add = Cli.run("add", "--index", index.toString(), Cli.samples().toString());
    assertEquals(0, add.exitCode(), add.err());
    assertTrue(add.out().contains("added 0 files"), add.out());
    assertTrue(add.out().contains("5 duplicates skipped, 0 failed"), add.out());
  }

  @Test
  void listAndStatsShowTheTracks() {
    Cli list = Cli.run("list", "--index", index.toString());
    assertEquals(0, list.exitCode(), list.err());
    assertEquals(6, list.lines().size(), list.out());
    assertTrue(list.out().contains("ember-tide.mp3"), list.out());
    // WAV title from its LIST/INFO chunk.
    assertTrue(list.lines().get(1).contains("Amber Steps"), list.out());
    Cli stats = Cli.run("stats", "--json", "--index", index.toString());
    assertEquals(0, stats.exitCode(), stats.err());
    assertEquals(5, Cli.numberField(stats.out(), "tracks"));
    assertTrue(Cli.numberField(stats.out(), "postings") > 0, stats.out());
  }

  @Test
  void badFileIsReportedAndTheRestIsAdded() throws IOException {
    Path folder = Files.createDirectories(tmp.resolve("mixed"));
    Files.write(folder.resolve("broken.mp3"), new byte[] {1, 2, 3, 4, 5});
    Files.writeString(folder.resolve("notes.txt"), "not audio, skipped quietly");
    Files.copy(Cli.samples().resolve("copper-kite.mp3"), folder.resolve("copper.mp3"));
    Files.copy(Cli.samples().resolve("copper-kite.mp3"), folder.resolve("copper-again.mp3"));
    Path other = tmp.resolve("other-index");
    Cli add = Cli.run("add", "--index", other.toString(), "--threads", "2", folder.toString());
    assertEquals(2, add.exitCode(), add.out() + add.err());
    assertTrue(add.out().contains("added 1 file, "), add.out());
    assertTrue(add.out().contains("; 1 duplicate skipped, 1 failed"), add.out());
    assertTrue(add.out().startsWith("skipped duplicate: " + folder.resolve("copper")), add.out());
    assertTrue(add.err().startsWith("failed: " + folder.resolve("broken.mp3") + ": "), add.err());
    assertTrue(!add.err().contains("notes.txt"), add.err());

    Cli remove = Cli.run("remove", "--index", other.toString(), "1", "99");
    assertEquals(2, remove.exitCode());
    assertEquals("removed #1\n", remove.out());
    assertEquals("tunetrace: no such track: 99\n", remove.err());
  }

  @Test
  void titleAndArtistNameASingleFile() {
    Path other = tmp.resolve("titled-index");
    Cli add = Cli.run("add", "--index", other.toString(), "--title", "Night \"Bus\"", "--artist",
        "Zoë", Cli.samples().resolve("ember-tide.mp3").toString());
    assertEquals(0, add.exitCode(), add.err());
    Cli list = Cli.run("list", "--json", "--index", other.toString());
    assertEquals(1, list.lines().size(), list.out());
    assertTrue(list.out().startsWith(
        "{\"track_id\": 1, \"title\": \"Night \\\"Bus\\\"\", \"artist\": \"Zoë\", \"duration_ms\": "),
        list.out());
  }

  @Test
  void titleNeedsASingleFile() {
    Cli add = Cli.run("add", "--index", tmp.resolve("t").toString(), "--title", "X",
        Cli.samples().toString());
    assertEquals(2, add.exitCode());
    assertTrue(add.err().startsWith("tunetrace: --title and --artist need exactly one file, got 5"),
        add.err());
  }

  @Test
  void monitorFindsTwoTracksInOrder() throws IOException {
    Pcm first = Pcm.read(Cli.samples().resolve("copper-kite.mp3"));
    Pcm second = Pcm.read(Cli.samples().resolve("ember-tide.mp3"));
    Path mix = writeClip("mix.wav", Pcm.concat(first.cut(2000, 18_000), second.cut(3000, 18_000)));
    Cli monitor = Cli.run("monitor", "--json", "--index", index.toString(), mix.toString());
    assertEquals(0, monitor.exitCode(), monitor.err());
    List<String> lines = monitor.lines();
    assertEquals(2, lines.size(), monitor.out());
    assertTrue(Cli.stringField(lines.get(0), "path").endsWith("copper-kite.mp3"), lines.get(0));
    assertTrue(Cli.stringField(lines.get(1), "path").endsWith("ember-tide.mp3"), lines.get(1));
    assertTrue(Cli.numberField(lines.get(0), "query_start_s") < Cli.numberField(lines.get(1), "query_start_s"));
    assertTrue(Math.abs(Cli.numberField(lines.get(1), "query_start_s") - 18) < 6, lines.get(1));
  }
}
