package io.tunetrace.server.jobs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a killed process left in {@code DATA_DIR/tmp}: job downloads ({@code
 * job-*.audio}) and spooled uploads ({@code upload-*.bin}). Files touched within the last minute
 * are kept, as another process sharing the directory may be writing them (a file already open for
 * reading stays readable after it is unlinked). Thread-safe (stateless).
 */
public final class TempSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(TempSweeper.class);
  static final Duration MIN_AGE = Duration.ofMinutes(1);

  private TempSweeper() {}

  /** Deletes leftovers older than {@link #MIN_AGE}; returns how many files were deleted. */
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
          if (Files.isRegularFile(f) && Files.getLastModifiedTime(f).toInstant().isBefore(olderThan)) {
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
}
