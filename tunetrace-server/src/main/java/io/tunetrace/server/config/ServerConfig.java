package io.tunetrace.server.config;

import io.tunetrace.server.auth.Auth;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The server's settings, parsed from environment variables (the names of the original design note
 * plus auth, limits and workers). {@link #fromEnv} checks everything at once and throws a {@link
 * ConfigException} with one line per problem, so a bad deployment refuses to start with a clear
 * message.
 *
 * <p>With none of {@code DATABASE_URL}, {@code REDIS_URL} (or {@code REDIS_CLUSTER_NODES}) and
 * {@code S3_ENDPOINT} set the server
 * runs in embedded mode: an embedded index, blobs on disk and an embedded H2 job/metadata store,
 * all under {@code DATA_DIR}. With any of them set, all three are required.
 *
 * <p>Immutable and thread-safe.
 */
public final class ServerConfig {

  /** PostgreSQL (or, in embedded mode, H2) connection settings in JDBC form. */
  public record Database(String jdbcUrl, String user, String password, String schema) {
    @Override
    public String toString() {
      return "Database[" + jdbcUrl + ", user=" + user + ", schema=" + schema + "]";
    }
  }

  /** S3 endpoint settings. */
  public record S3(String endpoint, String region, String accessKey, String secretKey,
      String bucket, boolean forcePathStyle) {
    @Override
    public String toString() {
      return "S3[" + endpoint + ", bucket=" + bucket + ", region=" + region + "]";
    }
  }

  public final String host;
  public final int port;
  /** Who may read /metrics and the details of /ready (OPS_ACCESS). */
  public final OpsAccess opsAccess;
  /** A connection that sends nothing for this long is closed (HTTP_IDLE_TIMEOUT_SECONDS). */
  public final long httpIdleTimeoutMillis;
  /** The request line and headers must arrive within this long (HTTP_HEADER_TIMEOUT_SECONDS). */
  public final long httpHeaderTimeoutMillis;
  /** A whole request, headers and body, must arrive within this long (HTTP_REQUEST_TIMEOUT_SECONDS). */
  public final long httpRequestTimeoutMillis;
  public final Optional<Database> database;
  public final Optional<String> redisUrl;
  /** REDIS_CLUSTER_NODES: Redis Cluster seed nodes ({@code host:port}); empty when unset. */
  public final List<String> redisClusterNodes;
  public final Optional<S3> s3;
  public final String queuePrefix;
  public final Optional<String> jwtSecret;
  /** RS256 verification key, from JWT_PUBLIC_KEY (PEM) or JWT_PUBLIC_KEY_FILE (a PEM file). */
  public final Optional<RSAPublicKey> jwtPublicKey;
  public final String jwtIssuer;
  public final long jwtTtlSeconds;
  public final Set<String> apiKeys;
  public final long maxUploadBytes;
  public final int workerConcurrency;
  public final ServerRole role;
  public final Path dataDir;
  public final int jobMaxAttempts;
  public final long jobLeaseMillis;
  public final long jobBackoffMillis;
  public final long jobPollMillis;
  public final long shutdownGraceMillis;
  public final int recognizePerMinute;
  public final int wsConnectsPerMinute;
  public final int maxStreamSeconds;
  public final int maxPostingsPerHash;
  public final long maxClipBytes;
  /** Tracks longer than this FAIL while decoding (MAX_TRACK_SECONDS, default 4 h). */
  public final long maxTrackMillis;
  /** Recognitions running at once (RECOGNIZE_THREADS) and waiting for a thread (RECOGNIZE_QUEUE). */
  public final int recognizeThreads;
  public final int recognizeQueue;
  /** Clip bytes all recognitions in flight may hold (RECOGNIZE_MAX_BYTES_IN_FLIGHT, 256 MiB). */
  public final long recognizeMaxBytesInFlight;
  /**
   * Recognitions kept to be read back and explained: at most this many (RECOGNITION_CACHE_ENTRIES,
   * 1000), holding at most this many bytes (RECOGNITION_CACHE_BYTES, 64 MiB), each for at most
   * this long (RECOGNITION_CACHE_TTL_SECONDS, 15 min).
   */
  public final int recognitionCacheEntries;
  public final long recognitionCacheBytes;
  public final long recognitionCacheTtlMillis;

  private ServerConfig(Parser p) {
    this.host = p.string("HOST", "0.0.0.0");
    this.port = p.integer("PORT", 8080, 0, 65535);
    String ops = p.string("OPS_ACCESS", "token");
    OpsAccess parsedOps = OpsAccess.TOKEN;
    try {
      parsedOps = OpsAccess.valueOf(ops.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      p.problem("OPS_ACCESS must be token, loopback or open: " + ops);
    }
    this.opsAccess = parsedOps;
    this.httpIdleTimeoutMillis = p.longValue("HTTP_IDLE_TIMEOUT_SECONDS", 30, 1, 3600) * 1000;
    this.httpHeaderTimeoutMillis = p.longValue("HTTP_HEADER_TIMEOUT_SECONDS", 20, 1, 3600) * 1000;
    this.httpRequestTimeoutMillis = p.longValue("HTTP_REQUEST_TIMEOUT_SECONDS", 600, 1, 86400) * 1000;
    this.queuePrefix = p.string("QUEUE_PREFIX", "tunetrace");
    if (!queuePrefix.matches("[A-Za-z0-9_.:-]{1,64}")) {
      p.problem("QUEUE_PREFIX must be 1-64 of [A-Za-z0-9_.:-]: " + queuePrefix);
    }
    this.database = p.optional("DATABASE_URL").map(url -> parseDatabaseUrl(url, p));
    this.redisUrl = p.optional("REDIS_URL");
    redisUrl.ifPresent(url -> {
      if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
        p.problem("REDIS_URL must start with redis:// or rediss://: " + url);
      } else {
        try {
          URI uri = new URI(url);
          if (uri.getHost() == null) {
            p.problem("REDIS_URL has no host: " + url);
          }
        } catch (URISyntaxException e) {
          p.problem("REDIS_URL is not a URL: " + url);
        }
      }
    });
    this.redisClusterNodes = parseClusterNodes(p);
    if (redisUrl.isPresent() && !redisClusterNodes.isEmpty()) {
      p.problem("set REDIS_URL or REDIS_CLUSTER_NODES, not both");
    }
    Optional<String> endpoint = p.optional("S3_ENDPOINT");
    if (endpoint.isPresent()) {
      String e = endpoint.get();
      if (!e.startsWith("http://") && !e.startsWith("https://")) {
        p.problem("S3_ENDPOINT must start with http:// or https://: " + e);
      }
      String bucket = p.string("S3_BUCKET", "tunetrace-tracks");
      if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
        p.problem("S3_BUCKET is not a valid bucket name: " + bucket);
      }
      this.s3 = Optional.of(new S3(e, p.string("S3_REGION", "us-east-1"),
          p.required("S3_ACCESS_KEY"), p.required("S3_SECRET_KEY"), bucket,
          p.bool("S3_FORCE_PATH_STYLE", true)));
    } else {
      this.s3 = Optional.empty();
    }
    boolean redis = redisUrl.isPresent() || !redisClusterNodes.isEmpty();
    int services = (database.isPresent() ? 1 : 0) + (redis ? 1 : 0)
        + (s3.isPresent() ? 1 : 0);
    if (services > 0 && services < 3) {
      List<String> missing = new ArrayList<>();
      if (database.isEmpty()) {
        missing.add("DATABASE_URL");
      }
      if (!redis) {
        missing.add("REDIS_URL (or REDIS_CLUSTER_NODES)");
      }
      if (s3.isEmpty()) {
        missing.add("S3_ENDPOINT");
      }
      p.problem("service mode needs DATABASE_URL, REDIS_URL and S3_ENDPOINT together; missing: "
          + String.join(", ", missing) + " (set none of them for embedded mode)");
    }
    this.jwtSecret = p.optional("JWT_SECRET");
    jwtSecret.ifPresent(s -> {
      if (s.getBytes(StandardCharsets.UTF_8).length < 32) {
        p.problem("JWT_SECRET must be at least 32 bytes for HS256");
      }
    });
    Optional<String> pem = p.optional("JWT_PUBLIC_KEY");
    Optional<String> pemFile = p.optional("JWT_PUBLIC_KEY_FILE");
    if (pem.isPresent() && pemFile.isPresent()) {
      p.problem("set JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE, not both");
    }
    if (pem.isEmpty() && pemFile.isPresent()) {
      try {
        pem = Optional.of(java.nio.file.Files.readString(Path.of(pemFile.get())));
      } catch (java.io.IOException | RuntimeException e) {
        p.problem("JWT_PUBLIC_KEY_FILE cannot be read: " + pemFile.get());
      }
    }
    Optional<RSAPublicKey> publicKey = Optional.empty();
    if (pem.isPresent()) {
      try {
        publicKey = Optional.of(Auth.parseRsaPublicKey(pem.get()));
      } catch (IllegalArgumentException e) {
        p.problem("JWT_PUBLIC_KEY: " + e.getMessage());
      }
    }
    this.jwtPublicKey = publicKey;
    this.jwtIssuer = p.string("JWT_ISSUER", "tunetrace");
    this.jwtTtlSeconds = p.longValue("JWT_TTL_SECONDS", 3600, 1, 365L * 24 * 3600);
    Set<String> keys = new LinkedHashSet<>();
    for (String k : p.string("API_KEYS", "").split(",")) {
      String key = k.trim();
      if (key.isEmpty()) {
        continue;
      }
      if (key.length() < 16) {
        p.problem("API_KEYS entries must be at least 16 characters");
      }
      keys.add(key);
    }
    this.apiKeys = Set.copyOf(keys);
    if (services == 3 && jwtSecret.isEmpty() && jwtPublicKey.isEmpty() && apiKeys.isEmpty()) {
      p.problem("service mode needs JWT_SECRET, JWT_PUBLIC_KEY or API_KEYS (uploads and recognition require auth)");
    }
    this.maxUploadBytes = p.longValue("MAX_UPLOAD_BYTES", 200L * 1024 * 1024, 1024, 1L << 40);
    this.workerConcurrency = p.integer("WORKER_CONCURRENCY", 1, 0, 256);
    String roleText = p.string("SERVER_ROLE", "all");
    ServerRole parsedRole = ServerRole.ALL;
    try {
      parsedRole = ServerRole.valueOf(roleText.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      p.problem("SERVER_ROLE must be all, api or worker: " + roleText);
    }
    this.role = parsedRole;
    this.dataDir = Path.of(p.string("DATA_DIR", "data"));
    this.jobMaxAttempts = p.integer("JOB_MAX_ATTEMPTS", 5, 1, 100);
    this.jobLeaseMillis = p.longValue("JOB_LEASE_SECONDS", 30, 2, 86400) * 1000;
    this.jobBackoffMillis = p.longValue("JOB_BACKOFF_MILLIS", 2000, 1, 3_600_000);
    this.jobPollMillis = p.longValue("JOB_POLL_MILLIS", 500, 10, 60_000);
    this.shutdownGraceMillis = p.longValue("SHUTDOWN_GRACE_SECONDS", 30, 0, 3600) * 1000;
    this.recognizePerMinute = p.integer("RATE_LIMIT_RECOGNIZE_PER_MINUTE", 120, 1, 1_000_000);
    this.wsConnectsPerMinute = p.integer("RATE_LIMIT_WS_PER_MINUTE", 60, 1, 1_000_000);
    this.maxStreamSeconds = p.integer("MAX_STREAM_SECONDS", 600, 5, 86400);
    this.maxPostingsPerHash = p.integer("MAX_POSTINGS_PER_HASH", 2000, 1, 10_000_000);
    this.maxClipBytes = p.longValue("MAX_CLIP_BYTES", 16L * 1024 * 1024, 64 * 1024, 1L << 30);
    this.maxTrackMillis = p.longValue("MAX_TRACK_SECONDS", 4 * 3600, 1, 7 * 24 * 3600) * 1000;
    this.recognizeThreads = p.integer("RECOGNIZE_THREADS",
        Math.max(2, Runtime.getRuntime().availableProcessors()), 1, 1024);
    this.recognizeQueue = p.integer("RECOGNIZE_QUEUE", 16, 1, 100_000);
    this.recognizeMaxBytesInFlight = p.longValue("RECOGNIZE_MAX_BYTES_IN_FLIGHT", 256L << 20,
        64 * 1024, 1L << 40);
    this.recognitionCacheEntries = p.integer("RECOGNITION_CACHE_ENTRIES", 1000, 1, 10_000_000);
    this.recognitionCacheBytes = p.longValue("RECOGNITION_CACHE_BYTES", 64L << 20, 4L << 20, 1L << 40);
    this.recognitionCacheTtlMillis =
        p.longValue("RECOGNITION_CACHE_TTL_SECONDS", 900, 1, 7 * 24 * 3600) * 1000;
    if (role.runsWorkers() && workerConcurrency == 0 && role == ServerRole.WORKER) {
      p.problem("SERVER_ROLE=worker needs WORKER_CONCURRENCY >= 1");
    }
  }

  /** Parses and validates; throws {@link ConfigException} listing every problem found. */
  public static ServerConfig fromEnv(Map<String, String> env) {
    Parser p = new Parser(env);
    ServerConfig config = new ServerConfig(p);
    if (!p.problems.isEmpty()) {
      throw new ConfigException(p.problems);
    }
    return config;
  }

  /** True when PostgreSQL, Redis and S3 are configured; false in embedded mode. */
  public boolean serviceMode() {
    return database.isPresent();
  }

  /** One line describing the mode, printed at start-up. */
  public String describeMode() {
    if (serviceMode()) {
      String redis = redisUrl.map(ServerConfig::redactUrl)
          .orElse("Cluster " + String.join(",", redisClusterNodes));
      return "service mode: " + database.get() + ", Redis " + redis + ", " + s3.get()
          + ", role " + role.name().toLowerCase(Locale.ROOT);
    }
    return "embedded mode: index, blobs and job store under " + dataDir.toAbsolutePath()
        + " (set DATABASE_URL, REDIS_URL and S3_ENDPOINT for service mode)";
  }

  private static List<String> parseClusterNodes(Parser p) {
    Optional<String> text = p.optional("REDIS_CLUSTER_NODES");
    List<String> nodes = new ArrayList<>();
    for (String node : text.orElse("").split(",")) {
      String n = node.trim();
      if (n.isEmpty()) {
        continue;
      }
      int colon = n.lastIndexOf(':');
      if (colon <= 0 || !n.substring(colon + 1).matches("[0-9]{1,5}")
          || Integer.parseInt(n.substring(colon + 1)) > 65535) {
        p.problem("REDIS_CLUSTER_NODES must be host:port,host:port,...: " + n);
      } else {
        nodes.add(n);
      }
    }
    return List.copyOf(nodes);
  }

  static String redactUrl(String url) {
    return url.replaceAll("//[^@/]*@", "//***@");
  }

  /**
   * Accepts {@code postgresql://user:pass@host:port/db?schema=public} (and {@code postgres://}),
   * or a JDBC URL ({@code jdbc:postgresql://...}, {@code jdbc:h2:...}).
   */
  static Database parseDatabaseUrl(String url, Parser p) {
    if (url.startsWith("jdbc:")) {
      String schema = queryParam(url, "currentSchema").orElse("public");
      return new Database(url, p.string("DATABASE_USER", null), p.string("DATABASE_PASSWORD", null),
          schema);
    }
    if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
      p.problem("DATABASE_URL must be postgresql://user:pass@host:port/db or a jdbc: URL: "
          + redactUrl(url));
      return null;
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      p.problem("DATABASE_URL is not a URL: " + redactUrl(url));
      return null;
    }
    if (uri.getHost() == null) {
      p.problem("DATABASE_URL has no host: " + redactUrl(url));
      return null;
    }
    String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres"
        : uri.getPath().substring(1);
    String user = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
      if (parts.length > 1) {
        password = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
      }
    }
    String schema = queryParam(url, "schema").orElse("public");
    if (!schema.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      p.problem("DATABASE_URL schema is not a plain identifier: " + schema);
    }
    StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getHost());
    if (uri.getPort() > 0) {
      jdbc.append(':').append(uri.getPort());
    }
    jdbc.append('/').append(db).append("?currentSchema=").append(schema);
    queryParam(url, "sslmode").ifPresent(s -> jdbc.append("&sslmode=").append(s));
    return new Database(jdbc.toString(), user, password, schema);
  }

  private static Optional<String> queryParam(String url, String name) {
    int q = url.indexOf('?');
    if (q < 0) {
      return Optional.empty();
    }
    return Arrays.stream(url.substring(q + 1).split("&"))
        .map(kv -> kv.split("=", 2))
        .filter(kv -> kv.length == 2 && kv[0].equals(name))
        .map(kv -> URLDecoder.decode(kv[1], StandardCharsets.UTF_8))
        .findFirst();
  }

  /** Reads values and collects problems instead of failing on the first. */
  static final class Parser {
    private final Map<String, String> env;
    final List<String> problems = new ArrayList<>();

    Parser(Map<String, String> env) {
      this.env = env;
    }

    void problem(String line) {
      problems.add(line);
    }

    Optional<String> optional(String name) {
      String v = env.get(name);
      return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    String string(String name, String fallback) {
      return optional(name).orElse(fallback);
    }

    String required(String name) {
      Optional<String> v = optional(name);
      if (v.isEmpty()) {
        problem(name + " is required");
        return "";
      }
      return v.get();
    }

    int integer(String name, int fallback, int min, int max) {
      return (int) longValue(name, fallback, min, max);
    }

    long longValue(String name, long fallback, long min, long max) {
      Optional<String> v = optional(name);
      if (v.isEmpty()) {
        return fallback;
      }
      try {
        long value = Long.parseLong(v.get());
        if (value < min || value > max) {
          problem(name + " out of [" + min + ", " + max + "]: " + value);
          return fallback;
        }
        return value;
      } catch (NumberFormatException e) {
        problem(name + " is not an integer: " + v.get());
        return fallback;
      }
    }

    boolean bool(String name, boolean fallback) {
      Optional<String> v = optional(name);
      if (v.isEmpty()) {
        return fallback;
      }
      switch (v.get().toLowerCase(Locale.ROOT)) {
        case "true": case "1": case "yes":
          return true;
        case "false": case "0": case "no":
          return false;
        default:
          problem(name + " must be true or false: " + v.get());
          return fallback;
      }
    }
  }
}
