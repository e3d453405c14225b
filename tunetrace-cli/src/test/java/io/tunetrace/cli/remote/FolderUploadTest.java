package io.tunetrace.cli.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.cli.Main;
import io.tunetrace.core.index.TrackMetadata;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of the many-files upload that need no server; the rest is UploadFoldersIT (server module). */
class FolderUploadTest {
  private static final Path SAMPLES =
      Path.of(System.getProperty("tunetrace.samples", "../samples")).toAbsolutePath().normalize();
  private static final String SHA_A = "a".repeat(64);
  private static final String SHA_B = "b".repeat(64);

  @TempDir Path tmp;

  @Test
  void theJournalKeepsEveryFinishedEntryAndIgnoresALineTornByAKill() throws Exception {
    Path file = tmp.resolve("sub/journal.jsonl");
    try (UploadJournal j = UploadJournal.open(file)) {
      assertEquals(Optional.empty(), j.idOf(SHA_A));
      j.record(SHA_A, "id-a", Path.of("/music/a.mp3"));
      assertEquals(Optional.empty(), j.idOf(SHA_A), "only earlier runs' entries are skipped");
    }
    assertEquals("{\"sha256\": \"" + SHA_A + "\", \"id\": \"id-a\", \"path\": \"/music/a.mp3\"}\n",
        Files.readString(file));
    Files.writeString(file, "{\"sha256\": \"" + SHA_B + "\", \"id\": \"id-b\", \"pa",
        java.nio.file.StandardOpenOption.APPEND);
    try (UploadJournal j = UploadJournal.open(file)) {
      assertEquals(Optional.of("id-a"), j.idOf(SHA_A));
      assertEquals(Optional.empty(), j.idOf(SHA_B));
      j.forget(SHA_A);
      assertEquals(Optional.empty(), j.idOf(SHA_A));
    }
  }

  @Test
  void eachServerHasAJournalOfItsOwnUnderTheHomeDirectory() {
    Path home = Path.of("/home/u");
    Path local = UploadJournal.defaultFile(home, "http://localhost:8080");
    assertEquals(home.resolve(".tunetrace/uploads"), local.getParent());
    assertTrue(local.getFileName().toString().matches("localhost_8080-[0-9a-f]{12}\\.jsonl"), local.toString());
    assertEquals(local, UploadJournal.defaultFile(home, "http://localhost:8080/"));
    assertNotEquals(local, UploadJournal.defaultFile(home, "http://localhost:8081"));
    assertNotEquals(local, UploadJournal.defaultFile(home, "https://localhost:8080"));
  }

  @Test
  void sha256OfAFileIsTheServersHexDigest() throws Exception {
    Path f = Files.writeString(tmp.resolve("abc"), "abc");
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", UploadJournal.sha256(f));
  }

  @Test
  void titlesComeFromTagsElseTheFileNameElseTheArtistIsUnknown() throws Exception {
    TrackMetadata tagged = FolderUpload.metadataOf(SAMPLES.resolve("blue-lantern.mp3"));
    assertEquals("Blue Lantern", tagged.title());
    assertEquals("TuneTrace samples", tagged.artist());
    byte[] noTags = "no tags in here".getBytes(StandardCharsets.UTF_8);
    TrackMetadata named = FolderUpload.metadataOf(Files.write(tmp.resolve("Night Owls - Quiet Hours.mp3"), noTags));
    assertEquals("Quiet Hours", named.title());
    assertEquals("Night Owls", named.artist());
    TrackMetadata bare = FolderUpload.metadataOf(Files.write(tmp.resolve("track_01.mp3"), noTags));
    assertEquals("track 01", bare.title());
    assertEquals("Unknown artist", bare.artist());
  }

  @Test
  void fieldsLoseControlCharactersAndKeepAtMost200CodePoints() {
    assertEquals("ab c", FolderUpload.field("a\u0000b\t c\n"));
    String emoji = "\uD83C\uDFB5";
    assertEquals(emoji.repeat(200), FolderUpload.field(emoji.repeat(250)));
    assertEquals("", FolderUpload.field(null));
  }

  @Test
  void theProgressLineCountsFilesBytesAndFailures() {
    assertEquals("upload: 3/40 files, 1.2/96.0 MB, 1 failed",
        UploadProgress.line(3, 40, 1_234_567, 96_000_000, 1));
    StringWriter err = new StringWriter();
    UploadProgress plain = new UploadProgress(new PrintWriter(err, true), false, 2, 3_000_000);
    plain.fileDone(1_000_000, false);
    plain.fileDone(2_000_000, true);
    plain.close();
    assertEquals("upload: 2/2 files, 3.0/3.0 MB, 1 failed\n", err.toString().replace(System.lineSeparator(), "\n"));
    StringWriter tty = new StringWriter();
    UploadProgress terminal = new UploadProgress(new PrintWriter(tty, true), true, 1, 1_000_000);
    terminal.fileDone(1_000_000, false);
    terminal.close();
    assertEquals("\rupload: 1/1 files, 1.0/1.0 MB, 0 failed\n", tty.toString().replace(System.lineSeparator(), "\n"));
  }

  @Test
  void aLineOnTheTerminalClearsTheProgressLineAndRedrawsItBelow() {
    StringWriter screen = new StringWriter();
    PrintWriter w = new PrintWriter(screen, true);
    UploadProgress terminal = new UploadProgress(w, true, 1, 1_000_000);
    terminal.fileDone(1_000_000, false);
    terminal.above(() -> w.print("uploaded   id-1 a.mp3\n"));
    String bar = "upload: 1/1 files, 1.0/1.0 MB, 0 failed";
    assertEquals("\r" + bar + "\r" + " ".repeat(bar.length()) + "\r" + "uploaded   id-1 a.mp3\n" + bar,
        screen.toString());
    StringWriter file = new StringWriter();
    PrintWriter f = new PrintWriter(file, true);
    UploadProgress plain = new UploadProgress(f, false, 1, 1_000_000);
    plain.fileDone(1_000_000, false);
    plain.above(() -> f.print("uploaded   id-1 a.mp3\n"));
    assertEquals(bar + System.lineSeparator() + "uploaded   id-1 a.mp3\n", file.toString());
  }

  private static String[] run(StringWriter out, StringWriter err, String... args) {
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  void titleAndArtistAreRefusedForAFolderBeforeAnythingIsSent() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    // Port 9 on loopback: nothing listens, so a request would fail differently.
    String[] r = run(out, err, "upload", "--server", "http://127.0.0.1:9", tmp.toString(), "--title", "T",
        "--artist", "A");
    assertEquals("2", r[0]);
    assertEquals("", r[1]);
    assertEquals("upload: " + UploadCommand.NAMED_ONE_FILE, r[2].strip());
    assertEquals("upload: --title, --artist and --album name a single file; with several files or a"
        + " folder each file is titled from its tags (or its name, \"Artist - Title.mp3\"): leave them out",
        "upload: " + UploadCommand.NAMED_ONE_FILE);
  }

  @Test
  void parallelOutsideItsRangeIsAUsageError() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] r = run(out, err, "upload", "--server", "http://127.0.0.1:9", "--no-journal", "--parallel", "0",
        tmp.toString());
    assertEquals("2", r[0]);
    assertTrue(r[2].startsWith("tunetrace: --parallel must be 1-64: 0\n"), r[2]);
  }
}
