package io.tunetrace.server.db;

import io.tunetrace.server.support.ServerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The migrations of index ids and unique content on the embedded (H2) store. */
@Timeout(60)
class EmbeddedTrackStoreTest {
  @Test
  void aStoreWithTracksMigratesToIdsAboveTheRecordedOnesAndUniqueContent() throws Exception {
    Path dir = Files.createTempDirectory("tt-migrate");
    try {
      String url = "jdbc:h2:file:" + dir.resolve("db").resolve("tunetrace").toAbsolutePath()
          + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
      TrackStoreMigrations.migrateToV2_1(url, "sa", "public");
      UUID older = UUID.randomUUID();
      UUID newer = UUID.randomUUID();
      TrackStoreMigrations.insertOldRows(url, "sa", older, newer, UUID.randomUUID());
      try (Database db = Database.openEmbedded(dir)) {
        TrackStoreMigrations.checkMigrated(db, older, newer);
      }
    } finally {
      ServerFixture.deleteTree(dir);
    }
  }
}
