package io.tunetrace.server.jobs;

import io.tunetrace.server.config.ServerConfig;
import io.tunetrace.server.db.Database;
import io.tunetrace.server.support.ItServices;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class JobQueueIT extends JobQueueContract {
  private static final String SCHEMA = ItServices.uniqueName("it_jobs");
  private static Database db;

  @BeforeAll
  static void open() throws Exception {
    String url = ItServices.databaseUrl(SCHEMA);
    ServerConfig c = ServerConfig.fromEnv(Map.of("DATABASE_URL", url,
        "REDIS_URL", ItServices.REDIS_URL, "S3_ENDPOINT", "http://127.0.0.1:1",
        "S3_ACCESS_KEY", "a", "S3_SECRET_KEY", "b", "API_KEYS", "it-key-0123456789abcdef"));
    db = Database.open(c.database.orElseThrow(), 8);
  }

  @AfterAll
  static void close() throws Exception {
    db.close();
    ItServices.dropSchema(SCHEMA);
  }

  @Override
  protected Database db() {
    return db;
  }
}
