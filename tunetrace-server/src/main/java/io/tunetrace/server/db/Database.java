package io.tunetrace.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tunetrace.server.db.migration.V3__TrackIndexIds;
import io.tunetrace.server.config.ServerConfig;
import java.io.Closeable;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * A pooled connection to PostgreSQL (service mode) or an embedded H2 file database in PostgreSQL
 * mode (embedded mode), migrated at start-up by Flyway with the same scripts.
 *
 * <p>Thread-safe.
 */
public final class Database implements Closeable {
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;
  private final boolean embedded;

  private Database(HikariDataSource dataSource, boolean embedded) {
    this.dataSource = dataSource;
    this.jdbi = Jdbi.create(dataSource);
    jdbi.getConfig(org.jdbi.v3.core.statement.SqlStatements.class).setUnusedBindingAllowed(true);
    this.embedded = embedded;
  }

  /** Connects, creates the schema if missing and runs the migrations. */
  public static Database open(ServerConfig.Database settings, int poolSize) {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(settings.jdbcUrl());
    if (settings.user() != null) {
      hc.setUsername(settings.user());
    }
    if (settings.password() != null) {
      hc.setPassword(settings.password());
    }
    hc.setMaximumPoolSize(poolSize);
    hc.setPoolName("tunetrace-db");
    hc.setConnectionTimeout(5000);
    hc.setInitializationFailTimeout(10_000);
    boolean h2 = settings.jdbcUrl().startsWith("jdbc:h2:");
    HikariDataSource ds = new HikariDataSource(hc);
    try {
      Flyway.configure()
          .dataSource(ds)
          .schemas(h2 ? "public" : settings.schema())
          .createSchemas(true)
          .javaMigrations(new V3__TrackIndexIds())
          .load()
          .migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
    return new Database(ds, h2);
  }

  /**
   * An embedded H2 database persisted under {@code dataDir/db}. {@code OPTIMIZE_REUSE_RESULTS=FALSE}:
   * H2 otherwise hands a connection the previous result of the same query when it believes no
   * table changed, and under a worker committing on another connection a poller kept reading a
   * finished track as FINGERPRINTING (EmbeddedJobStoreVisibilityTest).
   */
  public static Database openEmbedded(Path dataDir) {
    String url = "jdbc:h2:file:" + dataDir.resolve("db").resolve("tunetrace").toAbsolutePath()
        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;OPTIMIZE_REUSE_RESULTS=FALSE";
    return open(new ServerConfig.Database(url, "sa", "", "public"), 8);
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  public boolean embedded() {
    return embedded;
  }

  /** Throws unless a trivial query answers within a few seconds. */
  public void ping() {
    jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
