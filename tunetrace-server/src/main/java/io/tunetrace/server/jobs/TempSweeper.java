package io.tunetrace.server.jobs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a killed process left in {@code DATA_DIR/tmp}: job downloads ({@code
 * job-*.audio}) and spooled uploads ({@code upload-*.bin}). A job download is named after the
 * process that wrote it ({@link #jobFilePrefix}: pid and start time), so one whose process no
 * longer runs is deleted at once, even right after a restart; any other leftover once it is a
 * minute old (another process sharing the directory may still be writing it, and a file already
 * open for reading stays readable after it is unlinked). Thread-safe (stateless).
 */
public final class TempSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(TempSweeper.class);
  static final Duration MIN_AGE = Duration.ofMinutes(1);
  private static final Pattern OWNED = Pattern.compile("job-(\\d+)-(\\d+)-.*\\.audio");

  private TempSweeper() {}

  /**
   * The prefix of this process's job downloads: {@code job-<pid>-<start time in ms>-}. A process
   * whose start time is unknown gets {@code job-}, which the age rule alone sweeps.
   */
  public static String jobFilePrefix() {
    ProcessHandle self = ProcessHandle.current();
    return self.info().startInstant()
        .map(start -> "job-" + self.pid() + "-" + start.toEpochMilli() + "-")
        .orElse("job-");
  }

  /** Deletes leftovers (see the class comment); returns how many files were deleted. */
  public static int sweep(Path tempDir) {
    return sweep(tempDir, Instant.now().minus(MIN_AGE));
  }

  static int sweep(Path tempDir, Instant olderThan) {
    if (!Files.isDirectory(tempDir)) {
      return 0;
    }
    int deleted = 0;
    long bytes = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(tempDir, "{job-*.audio,upload-*.bin}")) {
      for (Path f : files) {
        try {
          if (Files.isRegularFile(f) && (ownerGone(f.getFileName().toString())
              || Files.getLastModifiedTime(f).toInstant().isBefore(olderThan))) {
            long size = Files.size(f);
            Files.delete(f);
            deleted++;
            bytes += size;
          }
        } catch (IOException e) {
          LOG.warn("cannot delete leftover {}: {}", f, e.toString());
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list {}: {}", tempDir, e.toString());
    }
    if (deleted > 0) {
      LOG.info("deleted {} leftover temporary file(s) ({} bytes) from {}", deleted, bytes, tempDir);
    }
    return deleted;
  }

  /** True when the file names its writer and no process with that pid and start time runs. */
  static boolean ownerGone(String name) {
    Matcher m = OWNED.matcher(name);
    if (!m.matches()) {
      return false;
    }
    long pid;
    long startMillis;
    try {
      pid = Long.parseLong(m.group(1));
      startMillis = Long.parseLong(m.group(2));
    } catch (NumberFormatException e) {
      return false;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return true;
    }
    // The pid was reused when the start time differs; unknown start time: assume the writer.
    Optional<Instant> start = process.get().info().startInstant();
    return start.isPresent() && start.get().toEpochMilli() != startMillis;
  }
}
