package io.tunetrace.server.jobs;

import io.tunetrace.server.db.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The same queue guarantees on the embedded H2 store (embedded mode). */
class EmbeddedJobQueueTest extends JobQueueContract {
  private static Database db;

  @BeforeAll
  static void open() throws Exception {
    Path dir = Files.createTempDirectory("tt-h2");
    db = Database.openEmbedded(dir);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Override
  protected Database db() {
    return db;
  }
}
