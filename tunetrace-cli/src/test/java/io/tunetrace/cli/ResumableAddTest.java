package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.audio.Resampler;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import io.tunetrace.core.index.Track;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash-safe, resumable {@code add}: the CLI runs in its own JVM on 30 files, is stopped with
 * SIGINT or killed with SIGKILL once it has reported some files, and the index must hold exactly
 * what it reported (SIGINT) or at least that (SIGKILL), open fine, and a re-run must add the rest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResumableAddTest {
  private static final int FILES = 30;
  private static final int RATE = 8000; // the analysis rate: no resampling in the CLI
  /** Each file is this many 15 s parts: long enough that a run is stopped well before its end. */
  private static final int PARTS = 8;
  private static final List<String> SAMPLES = List.of("amber-steps.wav", "blue-lantern.mp3",
      "copper-kite.mp3", "dune-signal.mp3", "ember-tide.mp3");

  @TempDir static Path tmp;
  Path library;
  /** Postings of each file when the library is added in one uninterrupted run, by path. */
  Map<String, Long> expectedPostings;
  private final List<Process> started = new ArrayList<>();

  /** 30 WAV files of 2 min, each of samples' parts cut at other offsets: 30 different contents. */
  @BeforeAll
  void makeLibraryAndAddItOnce() throws IOException {
    library = Files.createDirectories(tmp.resolve("library"));
    List<Pcm> samples = new ArrayList<>();
    for (String s : SAMPLES) {
      Pcm pcm = Pcm.read(Cli.samples().resolve(s));
      samples.add(new Pcm(Resampler.resample(pcm.samples(), pcm.sampleRateHz(), RATE), RATE));
    }
    for (int i = 0; i < FILES; i++) {
      Pcm[] parts = new Pcm[PARTS];
      for (int k = 0; k < PARTS; k++) {
        parts[k] = samples.get((i + k) % samples.size()).cut((i / samples.size()) * 700L + k * 100L,
            15_000);
      }
      Pcm all = Pcm.concat(parts);
      SampleGenerator.writeWav(library.resolve(String.format("track%02d.wav", i)), all.samples(),
          all.sampleRateHz(), "Track " + i, "Resume");
    }
    Path reference = tmp.resolve("reference");
    Cli add = Cli.run("add", "--index", reference.toString(), library.toString());
    assertEquals(0, add.exitCode(), add.err());
    expectedPostings = postingsByPath(reference);
    assertEquals(FILES, expectedPostings.size());
  }

  @AfterEach
  void stopProcesses() {
    for (Process p : started) {
      p.destroyForcibly();
    }
  }

  @Test
  void sigintKeepsEveryReportedFileAndAReRunAddsTheRest() throws Exception {
    Path index = tmp.resolve("sigint");
    Path stderr = tmp.resolve("sigint.err");
    Process p = add(index, stderr);
    BufferedReader stdout = reader(p);
    List<String> lines = readAdded(stdout, 3);
    signal(p, "INT");
    lines.addAll(stdout.lines().toList());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "add did not exit after SIGINT");
    String err = Files.readString(stderr);
    assertEquals(130, p.exitValue(), err);

    Map<String, Long> reported = added(lines);
    assertEquals(lines.size(), reported.size(), String.join("\n", lines));
    assertTrue(reported.size() >= 3 && reported.size() < FILES, lines.toString());
    assertEquals("tunetrace: interrupted: " + reported.size() + " files added, "
        + (FILES - reported.size()) + " not started; re-run to continue\n", err);
    // Exactly the reported files, each with all of its postings.
    Map<String, Long> indexed = postingsByPath(index);
    assertEquals(reported, indexed);
    assertEquals(subset(expectedPostings, indexed.keySet()), indexed);
    try (EmbeddedFingerprintIndex ix = EmbeddedFingerprintIndex.openReadOnly(index)) {
      assertTrue(ix.segmentCount() <= EmbeddedFingerprintIndex.MAX_SEGMENTS,
          "segments: " + ix.segmentCount());
    }

    assertReRunAddsTheRest(index, indexed.keySet());
  }

  @Test
  void sigkillKeepsEveryReportedFileAndTheIndexOpens() throws Exception {
    Path index = tmp.resolve("sigkill");
    Process p = add(index, tmp.resolve("sigkill.err"));
    BufferedReader stdout = reader(p);
    List<String> lines = readAdded(stdout, 3);
    // kill -KILL rather than destroyForcibly(), which also closes our end of its stdout: every
    // line it printed before it died counts.
    signal(p, "KILL");
    stdout.lines().forEach(lines::add);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "add did not die");
    assertEquals(137, p.exitValue());
    Map<String, Long> reported = added(lines);
    assertTrue(reported.size() < FILES, lines.toString());

    // Every reported file is kept; a write in flight when it died may have kept a few more.
    Map<String, Long> indexed = postingsByPath(index);
    assertEquals(reported, subset(indexed, reported.keySet()));
    assertEquals(subset(expectedPostings, indexed.keySet()), indexed);

    assertReRunAddsTheRest(index, indexed.keySet());
  }

  @Test
  void frequentFlushesStoreTheSamePostingsInOneSegment() {
    Path index = tmp.resolve("frequent");
    Cli add = Cli.run("add", "--threads", "2", "--flush-seconds", "0.001", "--index",
        index.toString(), library.toString());
    assertEquals(0, add.exitCode(), add.err());
    assertEquals(expectedPostings, postingsByPath(index));
    try (EmbeddedFingerprintIndex ix = EmbeddedFingerprintIndex.openReadOnly(index)) {
      assertEquals(1, ix.segmentCount()); // compacted at the end of a complete run
    }
  }

  @Test
  void aSmallAddToALargerIndexDoesNotRewriteIt() throws IOException {
    Path index = tmp.resolve("small-add");
    assertEquals(0, Cli.run("add", "--index", index.toString(), library.toString()).exitCode());
    Set<String> bulk = segmentFiles(index);
    assertEquals(1, bulk.size()); // the bulk add ended in one segment
    // 20 s more, a thirtieth of what is indexed: its compaction may rewrite four times that.
    Path one = Files.createDirectories(tmp.resolve("one-more"));
    Pcm pcm = Pcm.read(Cli.samples().resolve(SAMPLES.get(0)));
    Pcm part = new Pcm(Resampler.resample(pcm.samples(), pcm.sampleRateHz(), RATE), RATE)
        .cut(3_000, 20_000);
    SampleGenerator.writeWav(one.resolve("extra.wav"), part.samples(), RATE, "Extra", "Resume");
    Cli add = Cli.run("add", "--index", index.toString(), one.toString());
    assertEquals(0, add.exitCode(), add.err());
    Set<String> after = segmentFiles(index);
    assertEquals(2, after.size(), after.toString());
    assertTrue(after.containsAll(bulk), "the large segment was rewritten: " + after);
    Map<String, Long> indexed = postingsByPath(index);
    assertEquals(expectedPostings, subset(indexed, expectedPostings.keySet()));
    assertEquals(FILES + 1, indexed.size());
  }

  private static Set<String> segmentFiles(Path index) throws IOException {
    try (var files = Files.list(index)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tts"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** A re-run adds exactly the files not indexed yet, skips the others, and leaves all 30. */
  private void assertReRunAddsTheRest(Path index, Set<String> before) {
    Cli again = Cli.run("add", "--json", "--index", index.toString(), library.toString());
    assertEquals(0, again.exitCode(), again.err());
    Set<String> added = new TreeSet<>();
    Set<String> skipped = new TreeSet<>();
    for (String line : again.lines()) {
      String status = Cli.stringField(line, "status");
      (status.equals("added") ? added : skipped).add(Cli.stringField(line, "path"));
      assertTrue(status.equals("added") || status.equals("duplicate"), line);
    }
    assertEquals(new TreeSet<>(before), skipped);
    Set<String> rest = new TreeSet<>(expectedPostings.keySet());
    rest.removeAll(before);
    assertEquals(rest, added);
    assertEquals(expectedPostings, postingsByPath(index));
  }

  private Process add(Path index, Path stderr) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    // A job started in the background of a non-interactive shell (`cmd &`, nohup: how CI jobs are
    // often run) ignores SIGINT, and so does every process it starts, this add included: the JVM
    // then keeps ignoring Ctrl-C, as it should. The test sends SIGINT as a terminal would, so the
    // add starts with its default handling (GNU env).
    List<String> cmd = List.of("env", "--default-signal=INT", java, "-Xmx256m", "-cp",
        System.getProperty("java.class.path"),
        Main.class.getName(), "add", "--json", "--threads", "1", "--flush-seconds", "0.2",
        "--index", index.toString(), library.toString());
    Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    started.add(p);
    return p;
  }

  private static BufferedReader reader(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Reads lines until {@code n} files were reported as added. */
  private static List<String> readAdded(BufferedReader stdout, int n) throws IOException {
    List<String> lines = new ArrayList<>();
    while (added(lines).size() < n) {
      String line = stdout.readLine();
      assertTrue(line != null, "add exited early: " + lines);
      lines.add(line);
    }
    return lines;
  }

  private static void signal(Process p, String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(p.pid())).start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, kill.exitValue());
  }

  /** Paths reported as added, with their postings. */
  private static Map<String, Long> added(List<String> lines) {
    Map<String, Long> added = new LinkedHashMap<>();
    for (String line : lines) {
      assertFalse(line.isBlank());
      if ("added".equals(Cli.stringField(line, "status"))) {
        added.put(Cli.stringField(line, "path"), Cli.numberField(line, "postings").longValue());
      }
    }
    return added;
  }

  private static Map<String, Long> postingsByPath(Path index) {
    try (EmbeddedFingerprintIndex ix = EmbeddedFingerprintIndex.openReadOnly(index)) {
      Map<String, Long> byPath = new HashMap<>();
      for (Track t : ix.tracks()) {
        Long earlier = byPath.put(t.metadata().sourcePath(), t.postingCount());
        assertEquals(null, earlier, "indexed twice: " + t.metadata().sourcePath());
      }
      assertEquals(byPath.values().stream().mapToLong(Long::longValue).sum(), ix.stats().postings());
      return byPath;
    }
  }

  private static Map<String, Long> subset(Map<String, Long> map, Set<String> keys) {
    return map.entrySet().stream().filter(e -> keys.contains(e.getKey()))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }
}
