package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunetrace.core.audio.Resampler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code match -} and {@code monitor -}: the CLI runs in its own JVM and the test writes the audio
 * into its standard input, a real pipe, the way {@code ffmpeg ... -f wav - | tunetrace ...} does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StdinPipeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RATE = 8000;

  @TempDir static Path tmp;
  Path index;
  private final List<Process> started = new ArrayList<>();

  @BeforeAll
  void addSamples() {
    index = tmp.resolve("index");
    Cli add = Cli.run("add", "--index", index.toString(), Cli.samples().toString());
    assertEquals(0, add.exitCode(), add.err());
  }

  @AfterEach
  void stopProcesses() {
    for (Process p : started) {
      p.destroyForcibly();
    }
  }

  /** Starts {@code tunetrace ARGS} in a new JVM; stderr goes to {@code stderr}. */
  private Process tunetrace(Path stderr, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    started.add(p);
    return p;
  }

  /** A part of a sample track at the index's rate. */
  private static float[] cut(String sample, long startMillis, long lengthMillis) throws IOException {
    Pcm track = Pcm.read(Cli.samples().resolve(sample));
    Pcm part = track.cut(startMillis, lengthMillis);
    return Resampler.resample(part.samples(), part.sampleRateHz(), RATE);
  }

  /** The header of a 16-bit mono WAV whose length is unknown (0xFFFFFFFF), as from a pipe. */
  private static byte[] wavHeaderOfUnknownLength() {
    ByteBuffer b = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(-1)
        .put("WAVE".getBytes(StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16)
        .putShort((short) 1).putShort((short) 1).putInt(RATE).putInt(RATE * 2)
        .putShort((short) 2).putShort((short) 16)
        .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(-1);
    return b.array();
  }

  private static byte[] pcm16(float[]... parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] p : parts) {
      for (float s : p) {
        b.putShort((short) Math.round(Math.max(-1, Math.min(1, s)) * 32767));
      }
    }
    return b.array();
  }

  /** Writes on a thread of its own; the reader may stop reading (and close the pipe) early. */
  private static Thread feed(Process p, byte[]... chunks) {
    Thread t = new Thread(() -> {
      try (OutputStream in = p.getOutputStream()) {
        for (byte[] c : chunks) {
          in.write(c);
        }
      } catch (IOException e) {
        // the CLI closed standard input after reading what it keeps
      }
    }, "stdin-feeder");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static List<String> finish(Process p) throws Exception {
    List<String> lines;
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      lines = r.lines().toList();
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the CLI did not exit");
    return lines;
  }

  @Test
  void matchReadsAnMp3FromStandardInputWithTopAndMinScore() throws Exception {
    Path err = tmp.resolve("mp3.err");
    Process p = tunetrace(err, "match", "--json", "--top", "3", "--min-score", "0.01", "--index",
        index.toString(), "-");
    feed(p, Files.readAllBytes(Cli.samples().resolve("blue-lantern.mp3")));
    List<String> lines = finish(p);
    assertEquals(0, p.exitValue(), Files.readString(err));
    assertEquals("", Files.readString(err));
    assertEquals(1, lines.size(), String.join("\n", lines));
    JsonNode line = JSON.readTree(lines.get(0));
    assertEquals("-", line.path("query").asText());
    JsonNode match = line.path("match");
    assertEquals("Blue Lantern", match.path("title").asText(), line.toString());
    assertEquals(Cli.samples().resolve("blue-lantern.mp3").toString(), match.path("path").asText());
    assertTrue(Math.abs(match.path("delta_ms").asLong()) <= 100, line.toString());
    assertTrue(match.path("same_recording").isArray(), line.toString());
    JsonNode matches = line.path("matches");
    assertTrue(matches.size() >= 1 && matches.size() <= 3, line.toString());
    assertEquals(match, matches.get(0));
  }

  @Test
  void matchReadsAWavOfUnknownLengthFromStandardInputAndWarnsWhenItIsLong() throws Exception {
    Path err = tmp.resolve("long.err");
    Process p = tunetrace(err, "match", "--json", "--index", index.toString(), "-");
    // 8 s of the track from 12 s on, then silence: 125 s in all, more than match keeps
    float[] music = cut("dune-signal.mp3", 12_000, 8000);
    float[] silence = new float[125 * RATE - music.length];
    feed(p, wavHeaderOfUnknownLength(), pcm16(music, silence));
    List<String> lines = finish(p);
    assertEquals(0, p.exitValue(), Files.readString(err));
    assertEquals(MatchCommand.longClipWarning("-") + "\n", Files.readString(err));
    assertEquals("tunetrace: warning: standard input is longer than 120 s; only its first 120 s"
        + " were matched (to find every track in a long recording: tunetrace monitor -)",
        MatchCommand.longClipWarning("-"));
    JsonNode match = JSON.readTree(lines.get(0)).path("match");
    assertTrue(match.path("path").asText().endsWith("dune-signal.mp3"), lines.get(0));
    assertTrue(Math.abs(match.path("delta_ms").asLong() - 12_000) <= 100, lines.get(0));
  }

  @Test
  void matchAndMonitorSayWhenStandardInputIsEmpty() throws Exception {
    Path err = tmp.resolve("empty.err");
    Process p = tunetrace(err, "match", "--json", "--index", index.toString(), "-");
    feed(p);
    List<String> lines = finish(p);
    assertEquals(2, p.exitValue());
    assertEquals(1, lines.size());
    assertTrue(lines.get(0).startsWith(
        "{\"query\": \"-\", \"error\": \"not audio: empty input\", \"elapsed_ms\": "), lines.get(0));

    Path monitorErr = tmp.resolve("empty-monitor.err");
    Process monitor = tunetrace(monitorErr, "monitor", "--index", index.toString(), "-");
    feed(monitor);
    assertEquals(1, finish(monitor).size()); // the header
    assertEquals(2, monitor.exitValue());
    assertEquals("tunetrace: standard input: not audio: empty input\n",
        Files.readString(monitorErr));
  }

  @Test
  void monitorPrintsEachDetectionWhileStandardInputIsStillOpen() throws Exception {
    Path err = tmp.resolve("monitor.err");
    Process p = tunetrace(err, "monitor", "--json", "--index", index.toString(), "-");
    OutputStream stdin = p.getOutputStream();
    BufferedReader stdout = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    // The first track and enough silence after it for the detection to end.
    stdin.write(wavHeaderOfUnknownLength());
    stdin.write(pcm16(cut("copper-kite.mp3", 2000, 18_000), new float[30 * RATE]));
    stdin.flush();
    // Standard input stays open: a CLI that waited for its end would never print this line.
    String first = stdout.readLine();
    assertNotNull(first, "monitor exited: " + Files.readString(err));
    stdin.write(pcm16(cut("ember-tide.mp3", 3000, 18_000)));
    stdin.close();
    String second = stdout.readLine();
    assertNotNull(second, "no second detection: " + Files.readString(err));
    assertEquals(null, stdout.readLine());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "monitor did not exit");
    assertEquals(0, p.exitValue(), Files.readString(err));

    JsonNode copper = JSON.readTree(first);
    JsonNode ember = JSON.readTree(second);
    assertEquals("-", copper.path("query").asText());
    assertTrue(copper.path("path").asText().endsWith("copper-kite.mp3"), first);
    assertTrue(Math.abs(copper.path("query_start_s").asDouble()) < 5, first);
    assertTrue(Math.abs(copper.path("ref_start_s").asDouble() - 2) < 5, first);
    assertTrue(ember.path("path").asText().endsWith("ember-tide.mp3"), second);
    assertTrue(Math.abs(ember.path("query_start_s").asDouble() - 48) < 6, second);
  }
}
