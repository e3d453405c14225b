package io.tunetrace.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's samples/ folder, for tests that read its real audio. */
public final class Samples {
  private Samples() {}

  /** A file of samples/, found from the module's working directory upwards. */
  public static Path file(String name) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path p = dir.resolve("samples").resolve(name);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new AssertionError("samples/" + name + " not found above " + Path.of("").toAbsolutePath());
  }
}
