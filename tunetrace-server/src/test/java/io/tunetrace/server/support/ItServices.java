package io.tunetrace.server.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import redis.clients.jedis.JedisPooled;

/**
 * The machine's real services for ITs: PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres)
 * in database {@code tunetrace_it} with a fresh schema per test class, Redis on 127.0.0.1:6379 and
 * the three-master Redis Cluster on 127.0.0.1:7001-7003 that {@code .ci/run} starts, under a fresh
 * key prefix.
 */
public final class ItServices {
  public static final String PG = "127.0.0.1:5432";
  public static final String REDIS_URL = "redis://127.0.0.1:6379";
  public static final String DB = "tunetrace_it";
  /** The Cluster's seed nodes, as REDIS_CLUSTER_NODES takes them. */
  public static final List<String> REDIS_CLUSTER_NODES =
      List.of("127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003");

  private ItServices() {}

  public static String uniqueName(String base) {
    return base + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  /** Creates database tunetrace_it if missing; returns a DATABASE_URL with a new schema name. */
  public static String databaseUrl(String schema) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + PG + "/postgres", "postgres", "");
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DB + "'")) {
        if (!rs.next()) {
          try {
            s.execute("CREATE DATABASE " + DB);
          } catch (SQLException e) {
            // created concurrently by another run
          }
        }
      }
    }
    return "postgresql://postgres@" + PG + "/" + DB + "?schema=" + schema;
  }

  public static void dropSchema(String schema) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + PG + "/" + DB, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  /** Deletes every Redis key under the prefix. */
  public static void deleteRedisPrefix(String prefix) {
    try (JedisPooled j = new JedisPooled(java.net.URI.create(REDIS_URL))) {
      var params = new redis.clients.jedis.params.ScanParams().match(prefix + ":*").count(1000);
      String cursor = "0";
      do {
        var page = j.scan(cursor, params);
        if (!page.getResult().isEmpty()) {
          j.del(page.getResult().toArray(new String[0]));
        }
        cursor = page.getCursor();
      } while (!"0".equals(cursor));
    }
  }

  /** Deletes every key under the prefix from every master of the Cluster. */
  public static void deleteRedisClusterPrefix(String prefix) {
    try (redis.clients.jedis.JedisCluster cluster =
        io.tunetrace.server.index.RedisFingerprintIndex.newCluster(REDIS_CLUSTER_NODES)) {
      var params = new redis.clients.jedis.params.ScanParams().match(prefix + ":*").count(1000);
      for (var pool : cluster.getClusterNodes().values()) {
        try (var c = pool.getResource()) {
          String cursor = "0";
          do {
            var page = c.executeCommand(new redis.clients.jedis.CommandObjects().scan(cursor, params));
            page.getResult().forEach(cluster::del);
            cursor = page.getCursor();
          } while (!"0".equals(cursor));
        }
      }
    }
  }
}
