package io.tunetrace.core.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.hash.Fingerprints;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Kills a writing child JVM with SIGKILL at random moments and checks the index it leaves. */
class EmbeddedIndexCrashTest {
  @TempDir Path tmp;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void indexKilledDuringWritesStaysConsistent() throws Exception {
    Path dir = tmp.resolve("index");
    Random random = new Random(42);
    int totalTracksSeen = 0;
    for (int run = 1; run <= 4; run++) {
      Process child = startChild(dir, run);
      try {
        BufferedReader out = new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine(), "child did not start");
        Thread.sleep(150 + random.nextInt(500));
        if (!child.isAlive()) {
          Path err = tmp.resolve("child-" + run + ".err");
          throw new AssertionError("child died: " + Files.readString(err));
        }
      } finally {
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
      }
      totalTracksSeen = Math.max(totalTracksSeen, checkConsistent(dir, run));
    }
    assertTrue(totalTracksSeen > 0, "the children added nothing");
  }

  private Process startChild(Path dir, int run) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        CrashWriterMain.class.getName(), dir.toString(), Integer.toString(run),
        // Runs 3 and 4 write under a small bound: merges and compactions split their output.
        Long.toString(run >= 3 ? 128 * 1024 : EmbeddedFingerprintIndex.DEFAULT_MAX_SEGMENT_BYTES)))
        .redirectError(tmp.resolve("child-" + run + ".err").toFile())
        .start();
  }

  /** Reopens the index, checks every track and the stats, adds one more track. */
  private static int checkConsistent(Path dir, int run) throws IOException {
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir)) {
      List<Track> tracks = index.tracks();
      long postings = 0;
      for (Track t : tracks) {
        Fingerprints fp = CrashWriterMain.fingerprintsFor(t.metadata().title());
        assertEquals(fp.size(), t.postingCount(), t.metadata().title());
        postings += fp.size();
        FingerprintIndexContract.assertAllPostingsFound(index, t.id(), fp);
      }
      IndexStats stats = index.stats();
      assertEquals(tracks.size(), stats.tracks());
      assertEquals(postings, stats.postings());
      assertEquals(1000L * tracks.size(), stats.durationMillis());
      long onDisk = Files.size(dir.resolve("MANIFEST"));
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.toList()) {
          String name = f.getFileName().toString();
          assertTrue(!name.endsWith(".tmp"), "orphan left: " + name);
          if (name.endsWith(".tts")) {
            onDisk += Files.size(f);
          }
        }
      }
      assertEquals(onDisk, stats.bytes(), "bytes of live files; orphans removed");
      String title = "crash-" + run + "-999999-30";
      Track added = index.add(new TrackMetadata(title, "", "", "", 1000, ""),
          CrashWriterMain.fingerprintsFor(title));
      FingerprintIndexContract.assertAllPostingsFound(index, added.id(),
          CrashWriterMain.fingerprintsFor(title));
      return tracks.size();
    }
  }
}
