package io.tunetrace.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
  private static Map<String, String> serviceEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", "postgresql://postgres:pa%40ss@db.local:5433/tunetrace?schema=public");
    env.put("REDIS_URL", "redis://localhost:6379");
    env.put("S3_ENDPOINT", "http://localhost:9000");
    env.put("S3_ACCESS_KEY", "minio");
    env.put("S3_SECRET_KEY", "minio123");
    env.put("S3_BUCKET", "tunetrace-tracks");
    env.put("JWT_SECRET", "0123456789abcdef0123456789abcdef");
    return env;
  }

  @Test
  void emptyEnvironmentMeansEmbeddedModeWithDefaults() {
    ServerConfig c = ServerConfig.fromEnv(Map.of());
    assertFalse(c.serviceMode());
    assertEquals(8080, c.port);
    assertEquals("0.0.0.0", c.host);
    assertEquals("tunetrace", c.queuePrefix);
    assertEquals(ServerRole.ALL, c.role);
    assertTrue(c.describeMode().startsWith("embedded mode"));
  }

  @Test
  void opsAccessAndHttpTimeoutsHaveSafeDefaultsAndAreChecked() {
    ServerConfig defaults = ServerConfig.fromEnv(Map.of());
    assertEquals(OpsAccess.TOKEN, defaults.opsAccess);
    assertEquals(30_000, defaults.httpIdleTimeoutMillis);
    assertEquals(20_000, defaults.httpHeaderTimeoutMillis);
    assertEquals(600_000, defaults.httpRequestTimeoutMillis);
    ServerConfig set = ServerConfig.fromEnv(Map.of("OPS_ACCESS", "Loopback",
        "HTTP_IDLE_TIMEOUT_SECONDS", "5", "HTTP_HEADER_TIMEOUT_SECONDS", "3",
        "HTTP_REQUEST_TIMEOUT_SECONDS", "60"));
    assertEquals(OpsAccess.LOOPBACK, set.opsAccess);
    assertEquals(5_000, set.httpIdleTimeoutMillis);
    assertEquals(3_000, set.httpHeaderTimeoutMillis);
    assertEquals(60_000, set.httpRequestTimeoutMillis);
    ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(
        "OPS_ACCESS", "everyone", "HTTP_HEADER_TIMEOUT_SECONDS", "0")));
    assertEquals(List.of("OPS_ACCESS must be token, loopback or open: everyone",
        "HTTP_HEADER_TIMEOUT_SECONDS out of [1, 3600]: 0"), e.problems());
  }

  @Test
  void parsesTheDesignNotePostgresUrlIntoJdbc() {
    ServerConfig c = ServerConfig.fromEnv(serviceEnv());
    assertTrue(c.serviceMode());
    ServerConfig.Database db = c.database.orElseThrow();
    assertEquals("jdbc:postgresql://db.local:5433/tunetrace?currentSchema=public", db.jdbcUrl());
    assertEquals("postgres", db.user());
    assertEquals("pa@ss", db.password());
    assertEquals("public", db.schema());
    assertTrue(c.s3.orElseThrow().forcePathStyle());
    assertFalse(c.describeMode().contains("pa@ss"));
  }

  @Test
  void acceptsJdbcUrls() {
    Map<String, String> env = serviceEnv();
    env.put("DATABASE_URL", "jdbc:postgresql://h:5432/x?currentSchema=s1");
    env.put("DATABASE_USER", "u");
    ServerConfig.Database db = ServerConfig.fromEnv(env).database.orElseThrow();
    assertEquals("jdbc:postgresql://h:5432/x?currentSchema=s1", db.jdbcUrl());
    assertEquals("u", db.user());
    assertEquals("s1", db.schema());
  }

  @Test
  void reportsEveryProblemOnItsOwnLine() {
    Map<String, String> env = new HashMap<>();
    env.put("PORT", "http");
    env.put("REDIS_URL", "localhost:6379");
    env.put("SERVER_ROLE", "boss");
    env.put("JWT_SECRET", "short");
    env.put("WORKER_CONCURRENCY", "-1");
    ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(env));
    assertEquals(List.of(
        "PORT is not an integer: http",
        "REDIS_URL must start with redis:// or rediss://: localhost:6379",
        "service mode needs DATABASE_URL, REDIS_URL and S3_ENDPOINT together; missing: DATABASE_URL,"
            + " S3_ENDPOINT (set none of them for embedded mode)",
        "JWT_SECRET must be at least 32 bytes for HS256",
        "WORKER_CONCURRENCY out of [0, 256]: -1",
        "SERVER_ROLE must be all, api or worker: boss"), e.problems());
  }

  @Test
  void redisClusterNodesStandInForRedisUrl() {
    Map<String, String> env = serviceEnv();
    env.remove("REDIS_URL");
    env.put("REDIS_CLUSTER_NODES", " 10.0.0.1:7001, redis-b:7002 ,");
    ServerConfig c = ServerConfig.fromEnv(env);
    assertTrue(c.serviceMode());
    assertEquals(List.of("10.0.0.1:7001", "redis-b:7002"), c.redisClusterNodes);
    assertTrue(c.redisUrl.isEmpty());
    assertTrue(c.describeMode().contains("Redis Cluster 10.0.0.1:7001,redis-b:7002"), c.describeMode());
    assertEquals(List.of(), ServerConfig.fromEnv(serviceEnv()).redisClusterNodes);
  }

  @Test
  void refusesMalformedClusterNodesAndBothRedisSettings() {
    Map<String, String> env = serviceEnv();
    env.put("REDIS_CLUSTER_NODES", "10.0.0.1:7001,redis-b,redis-c:99999");
    ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(env));
    assertEquals(List.of("REDIS_CLUSTER_NODES must be host:port,host:port,...: redis-b",
        "REDIS_CLUSTER_NODES must be host:port,host:port,...: redis-c:99999",
        "set REDIS_URL or REDIS_CLUSTER_NODES, not both"), e.problems());
    Map<String, String> none = serviceEnv();
    none.remove("REDIS_URL");
    assertEquals(List.of("service mode needs DATABASE_URL, REDIS_URL and S3_ENDPOINT together;"
        + " missing: REDIS_URL (or REDIS_CLUSTER_NODES) (set none of them for embedded mode)"),
        assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(none)).problems());
  }

  @Test
  void serviceModeRequiresAuthAndS3Credentials() {
    Map<String, String> env = serviceEnv();
    env.remove("JWT_SECRET");
    env.remove("S3_SECRET_KEY");
    ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(env));
    assertEquals(List.of("S3_SECRET_KEY is required",
        "service mode needs JWT_SECRET, JWT_PUBLIC_KEY or API_KEYS (uploads and recognition require auth)"),
        e.problems());
  }

  @Test
  void parsesApiKeysRoleAndLimits() {
    Map<String, String> env = serviceEnv();
    env.put("API_KEYS", " key-aaaaaaaaaaaaaaaa , key-bbbbbbbbbbbbbbbb,");
    env.put("SERVER_ROLE", "Worker");
    env.put("WORKER_CONCURRENCY", "3");
    env.put("MAX_UPLOAD_BYTES", "1048576");
    env.put("S3_FORCE_PATH_STYLE", "false");
    ServerConfig c = ServerConfig.fromEnv(env);
    assertEquals(2, c.apiKeys.size());
    assertEquals(ServerRole.WORKER, c.role);
    assertFalse(c.role.servesApi());
    assertEquals(3, c.workerConcurrency);
    assertEquals(1048576, c.maxUploadBytes);
    assertFalse(c.s3.orElseThrow().forcePathStyle());
  }

  @Test
  void recognitionCacheHasBoundedDefaultsAndRefusesBoundsThatKeepNoClip() {
    ServerConfig defaults = ServerConfig.fromEnv(Map.of());
    assertEquals(1000, defaults.recognitionCacheEntries);
    assertEquals(64L << 20, defaults.recognitionCacheBytes);
    assertEquals(900_000, defaults.recognitionCacheTtlMillis);
    ServerConfig set = ServerConfig.fromEnv(Map.of("RECOGNITION_CACHE_ENTRIES", "5",
        "RECOGNITION_CACHE_BYTES", "8388608", "RECOGNITION_CACHE_TTL_SECONDS", "60"));
    assertEquals(5, set.recognitionCacheEntries);
    assertEquals(8L << 20, set.recognitionCacheBytes);
    assertEquals(60_000, set.recognitionCacheTtlMillis);
    ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(
        "RECOGNITION_CACHE_ENTRIES", "0", "RECOGNITION_CACHE_BYTES", "1048576",
        "RECOGNITION_CACHE_TTL_SECONDS", "0")));
    assertEquals(List.of("RECOGNITION_CACHE_ENTRIES out of [1, 10000000]: 0",
        "RECOGNITION_CACHE_BYTES out of [4194304, 1099511627776]: 1048576",
        "RECOGNITION_CACHE_TTL_SECONDS out of [1, 604800]: 0"), e.problems());
  }
}
