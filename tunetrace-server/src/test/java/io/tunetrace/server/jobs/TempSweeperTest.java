package io.tunetrace.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempSweeperTest {
  private static Path file(Path dir, String name, Instant modified) throws Exception {
    Path f = Files.write(dir.resolve(name), new byte[1000]);
    Files.setLastModifiedTime(f, FileTime.from(modified));
    return f;
  }

  @Test
  void deletesWhatKilledProcessesLeftAndKeepsFreshAndForeignFiles(@TempDir Path dir) throws Exception {
    Instant old = Instant.now().minusSeconds(3600);
    Path job = file(dir, "job-123.audio", old);
    Path upload = file(dir, "upload-456.bin", old);
    Path running = file(dir, "job-789.audio", Instant.now());
    Path foreign = file(dir, "notes.txt", old);
    Path multipart = file(dir, "MultiPart1234", old);
    assertEquals(2, TempSweeper.sweep(dir));
    assertFalse(Files.exists(job));
    assertFalse(Files.exists(upload));
    assertTrue(Files.exists(running), "a file another process may be writing");
    assertTrue(Files.exists(foreign));
    assertTrue(Files.exists(multipart));
    assertEquals(0, TempSweeper.sweep(dir.resolve("missing")));
  }

  /** Right after a kill -9 and restart, the dead process's downloads go at once, whatever age. */
  @Test
  void downloadsOfAProcessThatNoLongerRunsGoAtOnce(@TempDir Path dir) throws Exception {
    Process exited = new ProcessBuilder(java.util.List.of("java", "-version"))
        .redirectErrorStream(true).start();
    exited.getInputStream().readAllBytes();
    exited.waitFor();
    ProcessHandle self = ProcessHandle.current();
    long selfStart = self.info().startInstant().orElseThrow().toEpochMilli();
    Path dead = file(dir, "job-" + exited.pid() + "-" + selfStart + "-1.audio", Instant.now());
    Path reused = file(dir, "job-" + self.pid() + "-" + (selfStart - 5000) + "-2.audio", Instant.now());
    Path mine = file(dir, TempSweeper.jobFilePrefix() + "3.audio", Instant.now());
    assertTrue(TempSweeper.jobFilePrefix().startsWith("job-" + self.pid() + "-" + selfStart + "-"));
    assertEquals(2, TempSweeper.sweep(dir));
    assertFalse(Files.exists(dead), "its process exited");
    assertFalse(Files.exists(reused), "its pid now belongs to another process");
    assertTrue(Files.exists(mine), "this process may be reading it");
  }
}
