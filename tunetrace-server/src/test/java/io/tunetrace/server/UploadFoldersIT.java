package io.tunetrace.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunetrace.cli.Main;
import io.tunetrace.server.config.ServerConfig;
import io.tunetrace.server.support.ApiClient;
import io.tunetrace.server.support.ServerFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tunetrace upload --server URL DIR...} (run in-process, as {@code Main.run}) against a real
 * embedded-mode server on port 0: folders of the committed samples, titled from their tags or
 * their names, an identical copy answered with {@code duplicate_of}, a second run that sends
 * nothing it sent before (the journal), and the one-file form with --title/--artist unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UploadFoldersIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SAMPLES = Path.of(System.getProperty("tunetrace.repo", ".."))
      .resolve("samples").toAbsolutePath().normalize();

  private Path dataDir;
  private TuneTraceServer server;
  private ApiClient api;
  private String url;
  @TempDir Path work;

  /** One finished CLI run. */
  record Run(int exitCode, String out, String err) {
    /** The --json lines, by the file name of their path. */
    Map<String, JsonNode> byFileName() throws Exception {
      Map<String, JsonNode> lines = new HashMap<>();
      for (String line : out.lines().toList()) {
        JsonNode n = JSON.readTree(line);
        assertEquals(null, lines.put(Path.of(n.path("path").asText()).getFileName().toString(), n), out);
      }
      return lines;
    }
  }

  @BeforeAll
  void start() throws Exception {
    dataDir = Files.createTempDirectory("tt-upload-dirs");
    server = TuneTraceServer.start(ServerConfig.fromEnv(Map.of("HOST", "127.0.0.1", "PORT", "0",
        "DATA_DIR", dataDir.toString(), "JOB_POLL_MILLIS", "100")));
    api = new ApiClient(server.port(), server.devToken());
    url = "http://127.0.0.1:" + server.port();
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
    ServerFixture.deleteTree(dataDir);
  }

  private Run tunetrace(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("upload", "--server", url, "--token", server.devToken()));
    all.addAll(List.of(args));
    int code = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  private long trackCount() throws Exception {
    return api.get("/tracks?limit=1").body().path("total").asLong();
  }

  private JsonNode track(String id) throws Exception {
    ApiClient.Reply r = api.get("/tracks/" + id);
    assertEquals(200, r.status(), r.body().toString());
    return r.body();
  }

  /** The audio of a WAV file in a new WAV file without its LIST/INFO tags (other bytes). */
  private static void untagged(Path wav, Path to) throws Exception {
    try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
      AudioSystem.write(in, AudioFileFormat.Type.WAVE, to.toFile());
    }
  }

  private static String progressLine(long bytes, int files) {
    return String.format(Locale.ROOT, "upload: %d/%d files, %.1f/%.1f MB, 0 failed",
        files, files, bytes / 1e6, bytes / 1e6);
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void uploadsFoldersTitledFromTagsAnswersDuplicatesAndSkipsWhatAnEarlierRunSent() throws Exception {
    Path library = Files.createDirectories(work.resolve("library"));
    Path rock = Files.createDirectories(library.resolve("rock"));
    Files.copy(SAMPLES.resolve("amber-steps.wav"), library.resolve("amber-steps.wav"));
    Files.copy(SAMPLES.resolve("blue-lantern.mp3"), library.resolve("blue-lantern.mp3"));
    Files.copy(SAMPLES.resolve("blue-lantern.mp3"), rock.resolve("copy of blue.mp3"));
    untagged(SAMPLES.resolve("amber-steps.wav"), rock.resolve("Night Owls - Quiet Hours.wav"));
    Files.writeString(library.resolve("notes.txt"), "not audio, not sent\n");
    Files.copy(SAMPLES.resolve("copper-kite.mp3"), library.resolve(".hidden.mp3"));
    Path journal = work.resolve("journal.jsonl");
    long before = trackCount();
    long bytes = 0;
    for (String name : List.of("amber-steps.wav", "blue-lantern.mp3", "rock/copy of blue.mp3",
        "rock/Night Owls - Quiet Hours.wav")) {
      bytes += Files.size(library.resolve(name));
    }

    Run first = tunetrace("--journal", journal.toString(), "--json", "--wait", "--parallel", "3",
        library.toString());
    assertEquals(0, first.exitCode(), first.out() + first.err());
    Map<String, JsonNode> lines = first.byFileName();
    assertEquals(Set.of("amber-steps.wav", "blue-lantern.mp3", "copy of blue.mp3",
        "Night Owls - Quiet Hours.wav"), lines.keySet(), first.out());
    for (JsonNode line : lines.values()) {
      assertEquals("READY", line.path("track_status").asText(), first.out());
      assertTrue(line.path("error").isNull(), first.out());
      assertTrue(line.path("id").asText().matches("[0-9a-f-]{36}"), first.out());
    }
    JsonNode amber = lines.get("amber-steps.wav");
    JsonNode untagged = lines.get("Night Owls - Quiet Hours.wav");
    assertEquals("uploaded", amber.path("status").asText(), first.out());
    assertEquals("uploaded", untagged.path("status").asText(), first.out());
    assertNotEquals(amber.path("id").asText(), untagged.path("id").asText(), first.out());
    // The identical pair went up at the same time: the server stored one and named it for the other.
    JsonNode blue = lines.get("blue-lantern.mp3");
    JsonNode copy = lines.get("copy of blue.mp3");
    JsonNode stored = blue.path("status").asText().equals("uploaded") ? blue : copy;
    JsonNode duplicate = stored == blue ? copy : blue;
    assertEquals("uploaded", stored.path("status").asText(), first.out());
    assertTrue(stored.path("duplicate_of").isNull(), first.out());
    assertEquals("duplicate", duplicate.path("status").asText(), first.out());
    assertEquals(stored.path("id").asText(), duplicate.path("duplicate_of").asText(), first.out());
    assertEquals(stored.path("id").asText(), duplicate.path("id").asText(), first.out());
    assertEquals(before + 3, trackCount());

    JsonNode amberTrack = track(amber.path("id").asText());
    assertEquals("Amber Steps", amberTrack.path("title").asText(), amberTrack.toString());
    assertEquals("TuneTrace samples", amberTrack.path("artist").asText(), amberTrack.toString());
    JsonNode blueTrack = track(stored.path("id").asText());
    assertEquals("Blue Lantern", blueTrack.path("title").asText(), blueTrack.toString());
    assertEquals("TuneTrace samples", blueTrack.path("artist").asText(), blueTrack.toString());
    JsonNode namedTrack = track(untagged.path("id").asText());
    assertEquals("Quiet Hours", namedTrack.path("title").asText(), namedTrack.toString());
    assertEquals("Night Owls", namedTrack.path("artist").asText(), namedTrack.toString());

    List<String> errLines = first.err().lines().toList();
    assertTrue(errLines.contains(progressLine(bytes, 4)), first.err());
    assertEquals("upload: 4 files: 3 uploaded, 1 duplicate, 0 skipped, 0 failed",
        errLines.get(errLines.size() - 1), first.err());
    assertEquals(4, Files.readAllLines(journal).size(), Files.readString(journal));

    // A second run, with one new file: only that one is sent; the rest are skipped by the journal.
    Files.copy(SAMPLES.resolve("dune-signal.mp3"), rock.resolve("dune-signal.mp3"));
    Run second = tunetrace("--journal", journal.toString(), "--json", library.toString());
    assertEquals(0, second.exitCode(), second.out() + second.err());
    Map<String, JsonNode> again = second.byFileName();
    for (String name : lines.keySet()) {
      assertEquals("skipped", again.get(name).path("status").asText(), second.out());
      assertEquals(lines.get(name).path("id").asText(), again.get(name).path("id").asText(), second.out());
    }
    JsonNode dune = again.get("dune-signal.mp3");
    assertEquals("uploaded", dune.path("status").asText(), second.out());
    assertEquals("Dune Signal", track(dune.path("id").asText()).path("title").asText());
    assertEquals(5, again.size(), second.out());
    assertEquals(before + 4, trackCount());
    List<String> secondErr = second.err().lines().toList();
    assertEquals("upload: 5 files: 1 uploaded, 0 duplicate, 4 skipped, 0 failed",
        secondErr.get(secondErr.size() - 1), second.err());

    // Without the journal the server still recognises every file by its bytes.
    Run noJournal = tunetrace("--no-journal", rock.toString());
    assertEquals(0, noJournal.exitCode(), noJournal.out() + noJournal.err());
    List<String> plain = noJournal.out().lines().toList();
    assertEquals(3, plain.size(), noJournal.out());
    assertEquals(Set.of(
        String.format("%-10s %s %s", "duplicate", stored.path("id").asText(), rock.resolve("copy of blue.mp3")),
        String.format("%-10s %s %s", "duplicate", dune.path("id").asText(), rock.resolve("dune-signal.mp3")),
        String.format("%-10s %s %s", "duplicate", untagged.path("id").asText(),
            rock.resolve("Night Owls - Quiet Hours.wav"))), Set.copyOf(plain));
    assertEquals(before + 4, trackCount());
  }

  @Test
  void aFileTheServerRefusesFailsTheRunAndIsNotJournalled() throws Exception {
    Path dir = Files.createDirectories(work.resolve("mixed"));
    Files.copy(SAMPLES.resolve("ember-tide.mp3"), dir.resolve("ember-tide.mp3"));
    byte[] text = "this is a shopping list, not a song\n".repeat(200).getBytes(StandardCharsets.UTF_8);
    Files.write(dir.resolve("fake.mp3"), text);
    Path journal = work.resolve("mixed.jsonl");
    Run run = tunetrace("--journal", journal.toString(), "--json", dir.toString());
    assertEquals(2, run.exitCode(), run.out() + run.err());
    Map<String, JsonNode> lines = run.byFileName();
    JsonNode fake = lines.get("fake.mp3");
    assertEquals("failed", fake.path("status").asText(), run.out());
    assertTrue(fake.path("id").isNull(), run.out());
    assertEquals("POST /tracks answered 415: file is not audio (WAV, MP3, OGG, FLAC, M4A, WebM or AIFF)",
        fake.path("error").asText(), run.out());
    String ember = lines.get("ember-tide.mp3").path("id").asText();
    assertEquals("uploaded", lines.get("ember-tide.mp3").path("status").asText(), run.out());
    List<String> journalled = Files.readAllLines(journal);
    assertEquals(1, journalled.size(), journalled.toString());
    assertEquals(ember, JSON.readTree(journalled.get(0)).path("id").asText());
    List<String> err = run.err().lines().toList();
    assertEquals("upload: 2 files: 1 uploaded, 0 duplicate, 0 skipped, 1 failed", err.get(err.size() - 1),
        run.err());
  }

  @Test
  void titleAndArtistAreRefusedForAFolderOrSeveralFilesAndNothingIsSent() throws Exception {
    Path dir = Files.createDirectories(work.resolve("refused"));
    Files.copy(SAMPLES.resolve("copper-kite.mp3"), dir.resolve("copper-kite.mp3"));
    long before = trackCount();
    String expected = "upload: --title, --artist and --album name a single file; with several files or"
        + " a folder each file is titled from its tags (or its name, \"Artist - Title.mp3\"): leave them out";
    Run folder = tunetrace(dir.toString(), "--title", "T", "--artist", "A");
    assertEquals(2, folder.exitCode(), folder.out() + folder.err());
    assertEquals(expected, folder.err().strip());
    Run two = tunetrace(dir.resolve("copper-kite.mp3").toString(),
        SAMPLES.resolve("ember-tide.mp3").toString(), "--title", "T");
    assertEquals(2, two.exitCode(), two.out() + two.err());
    assertEquals(expected, two.err().strip());
    assertEquals("", folder.out() + two.out());
    assertEquals(before, trackCount());
  }

  @Test
  void oneFileWithTitleAndArtistPrintsTheServersAnswerAsBefore() throws Exception {
    Path song = Files.copy(SAMPLES.resolve("copper-kite.mp3"), work.resolve("song.mp3"));
    Run run = tunetrace(song.toString(), "--title", "Given Title", "--artist", "Given Artist", "--wait");
    assertEquals(0, run.exitCode(), run.out() + run.err());
    List<String> lines = run.out().lines().toList();
    assertEquals(2, lines.size(), run.out());
    JsonNode created = JSON.readTree(lines.get(0));
    assertEquals("QUEUED", created.path("status").asText(), run.out());
    JsonNode ready = JSON.readTree(lines.get(1));
    assertEquals(created.path("id").asText(), ready.path("id").asText(), run.out());
    assertEquals("READY", ready.path("status").asText(), run.out());
    assertEquals("Given Title", ready.path("title").asText(), run.out());
    assertEquals("Given Artist", ready.path("artist").asText(), run.out());
    assertNull(JSON.readTree(lines.get(0)).get("duplicate_of"), run.out());
    assertEquals("", run.err());

    Run missing = tunetrace(song.toString(), "--title", "Given Title");
    assertEquals(2, missing.exitCode(), missing.out() + missing.err());
    assertTrue(missing.err().startsWith("tunetrace: Missing required option: '--artist=<artist>'\n"),
        missing.err());
  }
}
