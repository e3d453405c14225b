package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code add} with copies and edited tags, and {@code dedup}, on real embedded indexes. */
@Timeout(180)
class AddAndDedupTest {
  @TempDir Path tmp;

  @Test
  void addReportsSameAudioAndReplacesAReAddedPath() throws Exception {
    Path index = tmp.resolve("index");
    Path amber = Files.copy(Cli.samples().resolve("amber-steps.wav"), tmp.resolve("amber.wav"));
    Path mp3 = tmp.resolve("amber.mp3");
    ffmpeg("-i", amber.toString(), "-codec:a", "libmp3lame", "-b:a", "128k", mp3.toString());
    Pcm audio = Pcm.read(amber);
    Path retagged = tmp.resolve("amber-retagged.wav");
    SampleGenerator.writeWav(retagged, audio.samples(), audio.sampleRateHz(), "Amber (Live)",
        "Someone");

    Cli first = Cli.run("add", "--json", "--index", index.toString(), amber.toString());
    assertEquals(0, first.exitCode(), first.err());
    assertEquals(List.of("{\"path\": " + JsonOutput.quote(amber.toString()) + ", \"status\": \"added\", "
        + "\"track_id\": 1, \"title\": \"Amber Steps\", \"artist\": \"TuneTrace samples\", "
        + "\"duration_ms\": 22000, \"postings\": " + Cli.numberField(first.out(), "postings").intValue()
        + ", \"same_audio_as\": null, \"replaced\": null, \"detail\": null}"), first.lines());

    // One thread: the files are stored in the order given (#2, #3).
    Cli copies = Cli.run("add", "--json", "--threads", "1", "--index", index.toString(),
        mp3.toString(), retagged.toString());
    assertEquals(0, copies.exitCode(), copies.err());
    assertEquals(2, copies.lines().size(), copies.out());
    String ofMp3 = copies.lines().get(0);
    String ofRetagged = copies.lines().get(1);
    assertEquals(mp3.toString(), Cli.stringField(ofMp3, "path"));
    assertEquals(retagged.toString(), Cli.stringField(ofRetagged, "path"));
    String amberJson = "\"same_audio_as\": {\"track_id\": 1, \"title\": \"Amber Steps\", "
        + "\"artist\": \"TuneTrace samples\", \"path\": " + JsonOutput.quote(amber.toString()) + "}";
    assertTrue(ofMp3.contains(amberJson), ofMp3);
    assertTrue(ofRetagged.contains(amberJson), ofRetagged);
    assertTrue(ofRetagged.contains("\"title\": \"Amber (Live)\""), ofRetagged);
    assertTrue(ofRetagged.contains("\"replaced\": null"), ofRetagged);
    assertEquals(3, Cli.numberField(ofRetagged, "track_id"));

    // Tags edited in place: re-adding the folder replaces that track, and adds nothing else.
    SampleGenerator.writeWav(retagged, audio.samples(), audio.sampleRateHz(), "Amber (Live 2)",
        "Someone");
    int oldId = Cli.numberField(ofRetagged, "track_id").intValue();
    Cli again = Cli.run("add", "--index", index.toString(), tmp.toString());
    assertEquals(0, again.exitCode(), again.err());
    List<String> lines = again.lines();
    // In the folder's order: amber-retagged.wav, amber.mp3, amber.wav.
    assertEquals("skipped duplicate: " + mp3 + " (same bytes as #2 " + mp3 + ")", lines.get(0));
    assertEquals("skipped duplicate: " + amber + " (same bytes as #1 " + amber + ")", lines.get(1));
    assertEquals("replaced: " + retagged + " (#4, replaced #" + oldId + ")", lines.get(2));
    assertEquals("same audio: " + retagged + " (#4, same audio as #1 " + amber + ")", lines.get(3));
    assertTrue(lines.get(4).startsWith("added 1 file, 22.0 s of audio, "), again.out());
    assertTrue(lines.get(4).endsWith("; 2 duplicates skipped, 0 failed; 1 replaced, 1 with the same"
        + " audio as an indexed track"), again.out());
    assertEquals(5, lines.size(), again.out());

    Cli list = Cli.run("list", "--json", "--index", index.toString());
    assertEquals(List.of(1, 2, 4), ids(list.out()));
    assertTrue(list.lines().get(2).contains("\"title\": \"Amber (Live 2)\""), list.out());
  }

  @Test
  void matchNamesTheSongAndListsEveryOtherCopyOfIt() throws Exception {
    Path index = tmp.resolve("index");
    Path music = Files.createDirectories(tmp.resolve("music"));
    for (String name : List.of("amber-steps.wav", "blue-lantern.mp3", "copper-kite.mp3",
        "dune-signal.mp3", "ember-tide.mp3")) {
      Files.copy(Cli.samples().resolve(name), music.resolve(name));
    }
    Path amber = music.resolve("amber-steps.wav");
    ffmpeg("-i", amber.toString(), "-codec:a", "libmp3lame", "-b:a", "128k",
        music.resolve("amber-copy.mp3").toString());
    Pcm audio = Pcm.read(amber);
    SampleGenerator.writeWav(music.resolve("amber-retagged.wav"), audio.samples(),
        audio.sampleRateHz(), "Amber (Remaster)", "Someone Else");
    Cli added = Cli.run("add", "--index", index.toString(), music.toString());
    assertEquals(0, added.exitCode(), added.err());

    // Five seconds from 8 s in, with white noise at about 10 dB SNR.
    int rate = audio.sampleRateHz();
    float[] clip = java.util.Arrays.copyOfRange(audio.samples(), 8 * rate, 13 * rate);
    java.util.Random noise = new java.util.Random(7);
    double power = 0;
    for (float v : clip) {
      power += v * v;
    }
    double sigma = Math.sqrt(power / clip.length / 10);
    for (int i = 0; i < clip.length; i++) {
      clip[i] = (float) Math.max(-1, Math.min(1, clip[i] + sigma * noise.nextGaussian()));
    }
    Path query = tmp.resolve("clip.wav");
    SampleGenerator.writeWav(query, clip, rate);

    Cli matched = Cli.run("match", "--json", "--index", index.toString(), query.toString());
    assertEquals(0, matched.exitCode(), matched.out() + matched.err());
    String line = matched.lines().get(0);
    Set<String> named = new HashSet<>();
    Matcher paths = Pattern.compile("\"path\": \"([^\"]+)\"").matcher(line);
    while (paths.find()) {
      named.add(Path.of(paths.group(1)).getFileName().toString());
    }
    assertEquals(Set.of("amber-steps.wav", "amber-copy.mp3", "amber-retagged.wav"), named, line);
    String copies = line.substring(line.indexOf("\"same_recording\": ["));
    assertEquals(2, copies.substring(0, copies.indexOf(']')).split("\"track_id\"").length - 1,
        line);
    assertEquals(8000, Cli.numberField(line, "delta_ms"), 100, line);

    // monitor lists the copies too, with offsets from the start of the recording.
    Path recording = tmp.resolve("recording.wav");
    SampleGenerator.writeWav(recording,
        java.util.Arrays.copyOfRange(audio.samples(), 2 * rate, 20 * rate), rate);
    Cli monitored = Cli.run("monitor", "--json", "--index", index.toString(), recording.toString());
    assertEquals(0, monitored.exitCode(), monitored.out() + monitored.err());
    String detection = monitored.lines().get(0);
    String copiesHeard = detection.substring(detection.indexOf("\"same_recording\": ["));
    List<Double> deltas = new ArrayList<>();
    Matcher delta = Pattern.compile("\"delta_ms\": (-?[0-9]+)").matcher(copiesHeard);
    while (delta.find()) {
      deltas.add(Double.parseDouble(delta.group(1)));
    }
    assertEquals(2, deltas.size(), detection);
    for (double d : deltas) {
      assertEquals(2000, d, 100, detection);
    }
  }

  @Test
  void copiesAddedInOneRunNameOneAnother() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("music"));
    Path wav = Files.copy(Cli.samples().resolve("amber-steps.wav"), folder.resolve("a.wav"));
    ffmpeg("-i", wav.toString(), "-codec:a", "libmp3lame", "-b:a", "96k",
        folder.resolve("b.mp3").toString());
    Files.copy(Cli.samples().resolve("ember-tide.mp3"), folder.resolve("c.mp3"));
    Cli add = Cli.run("add", "--json", "--threads", "2", "--index", tmp.resolve("ix").toString(),
        folder.toString());
    assertEquals(0, add.exitCode(), add.err());
    List<String> lines = add.lines();
    assertEquals(3, lines.size(), add.out());
    // Whichever of a.wav and b.mp3 was stored first, the other names it.
    int a = Cli.numberField(lines.get(0), "track_id").intValue();
    int b = Cli.numberField(lines.get(1), "track_id").intValue();
    String later = a < b ? lines.get(1) : lines.get(0);
    String earlier = a < b ? lines.get(0) : lines.get(1);
    assertTrue(later.contains("\"same_audio_as\": {\"track_id\": " + Math.min(a, b) + ", "), later);
    assertTrue(earlier.contains("\"same_audio_as\": null"), earlier);
    assertTrue(lines.get(2).contains("\"same_audio_as\": null"), lines.get(2));
  }

  @Test
  void dedupGroupsTracksThatShareAudioWithTheirSpans() throws Exception {
    Path index = tmp.resolve("index");
    Path amber = Files.copy(Cli.samples().resolve("amber-steps.wav"), tmp.resolve("amber.wav"));
    Path amberMp3 = tmp.resolve("amber.mp3");
    ffmpeg("-i", amber.toString(), "-codec:a", "libmp3lame", "-b:a", "128k", amberMp3.toString());
    Path copper = Cli.samples().resolve("copper-kite.mp3");
    Path dune = Cli.samples().resolve("dune-signal.mp3");
    Pcm dunePcm = Pcm.read(dune);
    // 12 s of copper-kite (from 2 s in), then all of dune-signal.
    Path compilation = tmp.resolve("compilation.wav");
    SampleGenerator.writeWav(compilation,
        Pcm.concat(Pcm.read(copper).cut(2000, 12_000), dunePcm).samples(), dunePcm.sampleRateHz());
    Path ember = Cli.samples().resolve("ember-tide.mp3");
    Path gone = tmp.resolve("gone.wav");
    Files.copy(Cli.samples().resolve("blue-lantern.mp3"), gone);
    for (Path file : List.of(amber, copper, amberMp3, dune, compilation, ember, gone)) {
      Cli add = Cli.run("add", "--index", index.toString(), file.toString());
      assertEquals(0, add.exitCode(), add.err());
    }
    Files.delete(gone);

    Cli dedup = Cli.run("dedup", "--json", "--index", index.toString());
    assertEquals(0, dedup.exitCode(), dedup.err());
    assertEquals("tunetrace: skipped #7: no such file: " + gone + "\n", dedup.err());
    List<String> lines = dedup.lines();
    assertEquals(2, lines.size(), dedup.out());
    assertEquals(List.of(1, 3), ids(between(lines.get(0), "\"tracks\": ", "\"overlaps\": ")));
    assertEquals(List.of(2, 4, 5), ids(between(lines.get(1), "\"tracks\": ", "\"overlaps\": ")));
    assertTrue(lines.get(0).startsWith("{\"group\": 1, \"tracks\": [{\"track_id\": 1, \"title\": "
        + "\"Amber Steps\", \"artist\": \"TuneTrace samples\", \"duration_ms\": 22000, \"path\": "
        + JsonOutput.quote(amber.toString()) + "}, {\"track_id\": 3, "), lines.get(0));

    List<long[]> amberSpans = overlaps(lines.get(0));
    assertEquals(1, amberSpans.size());
    assertOverlap(amberSpans.get(0), 1, 0, 22_000, 3, 0, 22_000);
    List<long[]> compilationSpans = overlaps(lines.get(1));
    assertEquals(2, compilationSpans.size(), lines.get(1));
    assertOverlap(compilationSpans.get(0), 2, 2000, 14_000, 5, 0, 12_000);
    long duneMillis = dunePcm.samples().length * 1000L / dunePcm.sampleRateHz();
    assertOverlap(compilationSpans.get(1), 4, 0, duneMillis, 5, 12_000, 12_000 + duneMillis);

    Cli table = Cli.run("dedup", "--index", index.toString());
    assertEquals(0, table.exitCode(), table.err());
    assertTrue(table.out().startsWith("group 1: 2 tracks\n  #1  TuneTrace samples - Amber Steps  "
        + "0:22.000  " + amber + "\n"), table.out());
    assertTrue(table.out().contains("\ngroup 2: 3 tracks\n"), table.out());
    assertTrue(table.out().endsWith("\n2 groups of tracks sharing audio (5 of 7 tracks)\n"),
        table.out());

    // The tracks are searched on every core by default; one or three at a time answer the same.
    for (String threads : List.of("1", "3")) {
      Cli on = Cli.run("dedup", "--json", "--threads", threads, "--index", index.toString());
      assertEquals(0, on.exitCode(), on.err());
      assertEquals(dedup.out(), on.out(), "--threads " + threads);
      assertEquals(dedup.err(), on.err(), "--threads " + threads);
    }
    Cli none = Cli.run("dedup", "--threads", "0", "--index", index.toString());
    assertEquals(2, none.exitCode());
    assertTrue(none.err().startsWith("tunetrace: --threads must be at least 1: 0\n"), none.err());
  }

  @Test
  void dedupWithNoSharedAudioExitsOne() {
    Path index = tmp.resolve("index");
    Cli add = Cli.run("add", "--index", index.toString(), Cli.samples().toString());
    assertEquals(0, add.exitCode(), add.err());
    assertTrue(add.out().startsWith("added 5 files, "), "no same audio among the samples: "
        + add.out());
    Cli dedup = Cli.run("dedup", "--index", index.toString());
    assertEquals(1, dedup.exitCode(), dedup.err());
    assertEquals("no tracks share audio (5 tracks)\n", dedup.out());
    assertEquals("", dedup.err());
    Cli json = Cli.run("dedup", "--json", "--index", index.toString());
    assertEquals(1, json.exitCode(), json.err());
    assertEquals("", json.out());
  }

  @Test
  void dedupNeedsAnExistingIndex() {
    Path missing = tmp.resolve("none");
    Cli dedup = Cli.run("dedup", "--index", missing.toString());
    assertEquals(2, dedup.exitCode());
    assertEquals("tunetrace: no index at " + missing + "; create one with: tunetrace add PATH...\n",
        dedup.err());
    assertTrue(Files.notExists(missing));
  }

  /** Each span found covers the truth to within 1 s at each end. */
  private static void assertOverlap(long[] found, long first, long firstStart, long firstStop,
      long second, long secondStart, long secondStop) {
    String shown = java.util.Arrays.toString(found);
    assertEquals(first, found[0], shown);
    assertEquals(second, found[3], shown);
    assertEquals(firstStart, found[1], 1000, shown);
    assertEquals(firstStop, found[2], 1000, shown);
    assertEquals(secondStart, found[4], 1000, shown);
    assertEquals(secondStop, found[5], 1000, shown);
  }

  private static final Pattern OVERLAP = Pattern.compile("\\{\"track_id\": (\\d+), \"start_ms\": "
      + "(\\d+), \"stop_ms\": (\\d+), \"other_track_id\": (\\d+), \"other_start_ms\": (\\d+), "
      + "\"other_stop_ms\": (\\d+)}");

  private static List<long[]> overlaps(String line) {
    List<long[]> out = new ArrayList<>();
    Matcher m = OVERLAP.matcher(line);
    while (m.find()) {
      long[] v = new long[6];
      for (int i = 0; i < 6; i++) {
        v[i] = Long.parseLong(m.group(i + 1));
      }
      out.add(v);
    }
    return out;
  }

  private static List<Integer> ids(String json) {
    List<Integer> out = new ArrayList<>();
    Matcher m = Pattern.compile("\"track_id\": (\\d+)").matcher(json);
    while (m.find()) {
      out.add(Integer.valueOf(m.group(1)));
    }
    return out;
  }

  private static String between(String s, String from, String to) {
    int a = s.indexOf(from);
    int b = s.indexOf(to, a);
    assertTrue(a >= 0 && b > a, s);
    return s.substring(a, b);
  }

  /** Runs ffmpeg, a test dependency (as in CI): its absence fails the test. */
  static void ffmpeg(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-y"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("ffmpeg failed: " + output);
    }
  }
}
