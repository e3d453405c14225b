package io.tunetrace.server.support;

import io.tunetrace.server.TuneTraceServer;
import io.tunetrace.server.auth.Tokens;
import io.tunetrace.server.config.ServerConfig;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Real services for a test class: an S3Proxy child process, a fresh PostgreSQL schema and a fresh
 * Redis key prefix; servers started on port 0 against them. {@link #close} removes it all.
 */
public final class ServerFixture implements AutoCloseable {
  public static final String SECRET = "it-secret-0123456789abcdef0123456789";

  public final S3ProxyProcess s3;
  public final String schema = ItServices.uniqueName("it_srv");
  public final String prefix = ItServices.uniqueName("ttit");
  public final String bucket = "tt-" + ItServices.uniqueName("b").toLowerCase().replace('_', '-');
  private final List<TuneTraceServer> servers = new ArrayList<>();
  private final List<java.nio.file.Path> dirs = new ArrayList<>();

  public ServerFixture() throws Exception {
    this.s3 = new S3ProxyProcess();
  }

  public Map<String, String> env() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("HOST", "127.0.0.1");
    env.put("PORT", "0");
    env.put("DATABASE_URL", ItServices.databaseUrl(schema));
    env.put("REDIS_URL", ItServices.REDIS_URL);
    env.put("S3_ENDPOINT", s3.endpoint());
    env.put("S3_ACCESS_KEY", S3ProxyProcess.ACCESS_KEY);
    env.put("S3_SECRET_KEY", S3ProxyProcess.SECRET_KEY);
    env.put("S3_BUCKET", bucket);
    env.put("QUEUE_PREFIX", prefix);
    env.put("JWT_SECRET", SECRET);
    env.put("WORKER_CONCURRENCY", "2");
    env.put("JOB_POLL_MILLIS", "100");
    env.put("JOB_BACKOFF_MILLIS", "200");
    java.nio.file.Path dir = Files.createTempDirectory("tt-data");
    dirs.add(dir);
    env.put("DATA_DIR", dir.toString());
    return env;
  }

  public TuneTraceServer start(Map<String, String> env) throws Exception {
    TuneTraceServer server = TuneTraceServer.start(ServerConfig.fromEnv(env));
    servers.add(server);
    return server;
  }

  public static String token() {
    return Tokens.issue(SECRET, "tunetrace", "it", 3600);
  }

  @Override
  public void close() throws java.sql.SQLException {
    for (TuneTraceServer s : servers) {
      try {
        s.close();
      } catch (RuntimeException e) {
        // already closed
      }
    }
    s3.close();
    for (java.nio.file.Path dir : dirs) {
      deleteTree(dir);
    }
    ItServices.deleteRedisPrefix(prefix);
    ItServices.dropSchema(schema);
  }

  /**
   * An embedded-mode server (no credentials configured: local pages sign in with the development
   * token it offers) under {@code dir}, holding the samples Blue Lantern and Amber Steps, both
   * READY: the page tests' library.
   */
  public static TuneTraceServer embeddedWithTwoSamples(java.nio.file.Path dir) throws Exception {
    TuneTraceServer server = TuneTraceServer.start(ServerConfig.fromEnv(Map.of("HOST", "127.0.0.1",
        "PORT", "0", "DATA_DIR", dir.resolve("data").toString(), "JOB_POLL_MILLIS", "100")));
    ApiClient api = new ApiClient(server.port(), server.devToken());
    for (String[] s : new String[][] {{"blue-lantern.mp3", "Blue Lantern"},
        {"amber-steps.wav", "Amber Steps"}}) {
      ApiClient.Reply up = api.upload("/tracks", Map.of("title", s[1], "artist", "TuneTrace samples"),
          s[0], Files.readAllBytes(Samples.file(s[0])), "application/octet-stream");
      if (up.status() != 201) {
        server.close();
        throw new IllegalStateException("upload of " + s[0] + " answered " + up.status() + ": "
            + up.body());
      }
      String id = up.body().path("id").asText();
      String status = api.awaitStatus(id, 60_000, "READY", "FAILED").path("status").asText();
      if (!"READY".equals(status)) {
        server.close();
        throw new IllegalStateException(s[0] + " ended " + status + ", not READY");
      }
    }
    return server;
  }

  /** Deletes a directory tree, ignoring what cannot be deleted. */
  public static void deleteTree(java.nio.file.Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      // best effort
    }
  }
}
