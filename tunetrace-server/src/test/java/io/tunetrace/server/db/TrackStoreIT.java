package io.tunetrace.server.db;

import io.tunetrace.server.config.ServerConfig;
import io.tunetrace.server.support.ItServices;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The migrations of index ids and unique content on PostgreSQL (a fresh schema). */
class TrackStoreIT {
  @Test
  void aDatabaseWithTracksMigratesToIdsAboveTheRecordedOnesAndUniqueContent() throws Exception {
    String schema = ItServices.uniqueName("it_mig");
    try {
      ItServices.databaseUrl(schema); // creates the database when missing
      ServerConfig.Database settings = new ServerConfig.Database("jdbc:postgresql://"
          + ItServices.PG + "/" + ItServices.DB + "?currentSchema=" + schema, "postgres", null,
          schema);
      TrackStoreMigrations.migrateToV2_1(settings.jdbcUrl(), "postgres", schema);
      UUID older = UUID.randomUUID();
      UUID newer = UUID.randomUUID();
      TrackStoreMigrations.insertOldRows(settings.jdbcUrl(), "postgres", older, newer,
          UUID.randomUUID());
      try (Database db = Database.open(settings, 2)) {
        TrackStoreMigrations.checkMigrated(db, older, newer);
      }
    } finally {
      ItServices.dropSchema(schema);
    }
  }
}
