package io.tunetrace.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.javalin.json.JavalinJackson;
import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.audio.AudioContainer;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.server.auth.Auth;
import io.tunetrace.server.auth.Tokens;
import io.tunetrace.server.blob.BlobStore;
import io.tunetrace.server.blob.FileBlobStore;
import io.tunetrace.server.blob.S3BlobStore;
import io.tunetrace.server.config.ServerConfig;
import io.tunetrace.server.db.Database;
import io.tunetrace.server.db.TrackRow;
import io.tunetrace.server.db.TrackStatus;
import io.tunetrace.server.db.TrackStore;
import io.tunetrace.server.http.ApiException;
import io.tunetrace.server.http.ErrorResponses;
import io.tunetrace.server.http.RateLimiter;
import io.tunetrace.server.http.SpooledUpload;
import io.tunetrace.server.http.UploadForm;
import io.tunetrace.server.index.EmbeddedIndexes;
import io.tunetrace.server.index.RedisFingerprintIndex;
import io.tunetrace.server.jobs.FingerprintJobHandler;
import io.tunetrace.server.jobs.JobQueue;
import io.tunetrace.server.jobs.WorkerPool;
import io.tunetrace.server.metrics.Metrics;
import io.tunetrace.server.ws.RecognitionService;
import io.tunetrace.server.ws.StreamSocket;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TuneTrace server: HTTP API, WebSocket recognition and background workers over PostgreSQL,
 * Redis and S3 — or, in embedded mode, over an embedded index, a blob directory and an H2 store.
 * {@link #start} wires everything from a {@link ServerConfig}; {@link #close} shuts down
 * gracefully (workers first, so running jobs finish or are handed back).
 *
 * <p>Thread-safe.
 */
public final class TuneTraceServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TuneTraceServer.class);

  private final ServerConfig config;
  private final Database db;
  private final JobQueue queue;
  private final TrackStore tracks;
  private final BlobStore blobs;
  private final FingerprintIndex index;
  private final Metrics metrics = new Metrics();
  private final Auth auth;
  private final Validator validator;
  private final ObjectMapper json;
  private final RateLimiter recognizeLimiter;
  private final RateLimiter wsLimiter;
  private final Path tempDir;
  private final String devToken;
  private WorkerPool workers;
  private Javalin app;
  private RecognitionService recognition;
  private ScheduledExecutorService background;

  private TuneTraceServer(ServerConfig config, Database db, BlobStore blobs, FingerprintIndex index,
      Optional<String> jwtSecret, String devToken) throws IOException {
    this.config = config;
    this.db = db;
    this.blobs = blobs;
    this.index = index;
    this.queue = new JobQueue(db, config.queuePrefix, config.jobMaxAttempts, config.jobLeaseMillis,
        config.jobBackoffMillis);
    this.tracks = new TrackStore(db, queue);
    this.auth = new Auth(jwtSecret, config.jwtPublicKey, config.jwtIssuer, config.apiKeys);
    this.devToken = devToken;
    this.validator = Validation.byDefaultProvider().configure()
        .messageInterpolator(new ParameterMessageInterpolator())
        .buildValidatorFactory().getValidator();
    this.json = new ObjectMapper().findAndRegisterModules()
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    this.recognizeLimiter = new RateLimiter(config.recognizePerMinute);
    this.wsLimiter = new RateLimiter(config.wsConnectsPerMinute);
    this.tempDir = config.dataDir.resolve("tmp");
    Files.createDirectories(tempDir);
  }

  /** Starts the server described by {@code config} (port 0 picks a free port). */
  public static TuneTraceServer start(ServerConfig config) throws IOException {
    LOG.info("TuneTrace server starting in {}", config.describeMode());
    Database db = null;
    BlobStore blobs = null;
    FingerprintIndex index = null;
    try {
      Optional<String> secret = config.jwtSecret;
      String devToken = null;
      if (config.serviceMode()) {
        db = Database.open(config.database.get(), Math.max(4, config.workerConcurrency + 6));
        S3BlobStore s3 = new S3BlobStore(config.s3.get());
        blobs = s3;
        s3.ensureReady();
        index = config.redisClusterNodes.isEmpty()
            ? RedisFingerprintIndex.open(config.redisUrl.get(), config.queuePrefix, FingerprintParams.DEFAULT)
            : RedisFingerprintIndex.openCluster(config.redisClusterNodes, config.queuePrefix,
                FingerprintParams.DEFAULT);
      } else {
        Files.createDirectories(config.dataDir);
        db = Database.openEmbedded(config.dataDir);
        blobs = new FileBlobStore(config.dataDir.resolve("blobs"));
        blobs.ensureReady();
        index = EmbeddedIndexes.open(config.dataDir.resolve("index"), FingerprintParams.DEFAULT);
        if (secret.isEmpty() && config.apiKeys.isEmpty()) {
          secret = Optional.of(embeddedSecret(config.dataDir));
          devToken = Tokens.issue(secret.get(), config.jwtIssuer, "dev", config.jwtTtlSeconds);
        }
      }
      TuneTraceServer server = new TuneTraceServer(config, db, blobs, index, secret, devToken);
      server.startParts();
      return server;
    } catch (IOException | RuntimeException e) {
      if (index != null) {
        index.close();
      }
      if (blobs != null) {
        blobs.close();
      }
      if (db != null) {
        db.close();
      }
      throw e;
    }
  }

  /** Embedded mode without JWT_SECRET: a random secret kept under DATA_DIR. */
  private static String embeddedSecret(Path dataDir) throws IOException {
    Path file = dataDir.resolve("jwt-secret");
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    }
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    String secret = HexFormat.of().formatHex(bytes);
    Files.writeString(file, secret, StandardCharsets.UTF_8);
    return secret;
  }

  private void startParts() {
    recognition = new RecognitionService(index, tracks, metrics, config.maxPostingsPerHash);
    background = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tunetrace-metrics");
      t.setDaemon(true);
      return t;
    });
    background.scheduleWithFixedDelay(() -> {
      try {
        metrics.queueDepth.set(queue.depth());
      } catch (RuntimeException e) {
        LOG.debug("queue depth unavailable: {}", e.toString());
      }
    }, 0, 5, TimeUnit.SECONDS);
    if (config.role.runsWorkers() && config.workerConcurrency > 0) {
      FingerprintJobHandler handler = new FingerprintJobHandler(blobs, tracks, index, tempDir);
      workers = new WorkerPool(queue, handler, metrics, config.workerConcurrency,
          config.jobPollMillis, config.shutdownGraceMillis);
      workers.start();
    }
    if (config.role.servesApi()) {
      app = createApp();
      app.start(config.host, config.port);
      LOG.info("listening on http://{}:{}", config.host, app.port());
    }
    if (devToken != null) {
      LOG.info("embedded mode without JWT_SECRET/API_KEYS: a development token (valid {} s):\n{}",
          config.jwtTtlSeconds, devToken);
    }
  }

  /** The HTTP port, or -1 for a worker-only process. */
  public int port() {
    return app == null ? -1 : app.port();
  }

  public FingerprintIndex index() {
    return index;
  }

  public JobQueue queue() {
    return queue;
  }

  public TrackStore tracks() {
    return tracks;
  }

  public Metrics metrics() {
    return metrics;
  }

  /** The worker pool, or null when this process runs no workers. */
  public WorkerPool workers() {
    return workers;
  }

  /** The token printed at start-up in embedded mode without configured auth, else null. */
  public String devToken() {
    return devToken;
  }

  private Javalin createApp() {
    Javalin javalin = Javalin.create(c -> {
      c.showJavalinBanner = false;
      c.jsonMapper(new JavalinJackson(json, false));
      c.http.maxRequestSize = config.maxClipBytes;
      c.jetty.multipartConfig.cacheDirectory(tempDir.toString());
      c.jetty.multipartConfig.maxFileSize(config.maxUploadBytes, SizeUnit.BYTES);
      c.jetty.multipartConfig.maxInMemoryFileSize(64, SizeUnit.KB);
      c.jetty.multipartConfig.maxTotalRequestSize(config.maxUploadBytes + 1024 * 1024, SizeUnit.BYTES);
      c.jetty.modifyWebSocketServletFactory(f -> {
        f.setMaxBinaryMessageSize(config.maxClipBytes);
        f.setMaxTextMessageSize(64 * 1024);
        f.setIdleTimeout(java.time.Duration.ofMinutes(5));
      });
    });
    javalin.exception(Exception.class, (e, ctx) -> {
      ApiException api = ErrorResponses.toApi(e);
      ctx.status(api.status()).json(ErrorResponses.body(api));
    });
    javalin.error(404, ctx -> {
      if (ctx.result() == null || ctx.result().isEmpty()) {
        ctx.json(ErrorResponses.body(ApiException.notFound("no route " + ctx.method() + " " + ctx.path())));
      }
    });
    javalin.before(ctx -> ctx.attribute("t0", System.nanoTime()));
    javalin.after(ctx -> {
      Long t0 = ctx.attribute("t0");
      if (t0 != null) {
        String route = ctx.endpointHandlerPath();
        metrics.request(ctx.method().name(), route == null || route.isEmpty() ? "unmatched" : route,
            ctx.statusCode(), System.nanoTime() - t0);
      }
    });

    javalin.get("/health", ctx -> ctx.json(Map.of("ok", true)));
    javalin.get("/ready", this::ready);
    javalin.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
        .result(metrics.registry.scrape()));
    javalin.post("/tracks", this::upload);
    javalin.get("/tracks", this::listTracks);
    javalin.get("/tracks/{id}", ctx -> ctx.json(view(findTrack(ctx))));
    javalin.delete("/tracks/{id}", this::deleteTrack);
    javalin.post("/recognize", this::recognize);

    StreamSocket socket = new StreamSocket(recognition, validator, json, config.maxStreamSeconds);
    javalin.wsBeforeUpgrade("/ws/stream", ctx -> {
      Auth.Principal who = authenticate(ctx);
      if (!wsLimiter.tryAcquire(who.id(), System.currentTimeMillis())) {
        throw ApiException.rateLimited("too many WebSocket connections; retry in a minute");
      }
    });
    javalin.ws("/ws/stream", socket::configure);
    return javalin;
  }

  private Auth.Principal authenticate(Context ctx) {
    String credential = Auth.credential(ctx.header("Authorization"), ctx.header("X-API-Key"),
        ctx.queryParam("token"), ctx.queryParam("access_token"), ctx.queryParam("api_key"));
    return auth.verify(credential);
  }

  private void ready(Context ctx) {
    Map<String, String> checks = new LinkedHashMap<>();
    String down = null;
    try {
      db.ping();
      checks.put("database", "up");
    } catch (RuntimeException e) {
      checks.put("database", "down: " + e.getMessage());
      down = "database";
    }
    try {
      if (index instanceof RedisFingerprintIndex r) {
        r.ping();
        checks.put("redis", "up");
      } else {
        index.stats();
        checks.put("index", "up");
      }
    } catch (RuntimeException e) {
      checks.put(index instanceof RedisFingerprintIndex ? "redis" : "index", "down: " + e.getMessage());
      down = down == null ? "redis" : down;
    }
    try {
      blobs.ping();
      checks.put(config.serviceMode() ? "s3" : "blobs", "up");
    } catch (IOException | RuntimeException e) {
      checks.put(config.serviceMode() ? "s3" : "blobs", "down: " + e.getMessage());
      down = down == null ? "s3" : down;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", down == null);
    body.put("mode", config.serviceMode() ? "service" : "embedded");
    body.put("checks", checks);
    if (down != null) {
      body.put("error", Map.of("code", "unavailable", "message", down + " is not reachable"));
    }
    ctx.status(down == null ? 200 : 503).json(body);
  }

  private void upload(Context ctx) throws Exception {
    authenticate(ctx);
    long declared = ctx.req().getContentLengthLong();
    if (declared > config.maxUploadBytes + 1024 * 1024) {
      throw ApiException.tooLarge("upload larger than " + config.maxUploadBytes + " bytes");
    }
    if (!ctx.isMultipartFormData()) {
      throw ApiException.badRequest("expected multipart/form-data with file, title and artist");
    }
    UploadedFile file;
    UploadForm form;
    try {
      file = ctx.uploadedFile("file");
      form = UploadForm.of(ctx.formParam("title"), ctx.formParam("artist"), ctx.formParam("album"));
    } catch (RuntimeException e) {
      throw multipartError(e);
    }
    var violations = validator.validate(form);
    if (!violations.isEmpty()) {
      throw new ConstraintViolationException(violations);
    }
    if (file == null) {
      throw ApiException.badRequest("file is required");
    }
    if (file.size() > config.maxUploadBytes) {
      throw ApiException.tooLarge("upload larger than " + config.maxUploadBytes + " bytes");
    }
    try (InputStream in = file.content();
        SpooledUpload up = SpooledUpload.spool(in, tempDir, config.maxUploadBytes)) {
      if (up.container == AudioContainer.UNKNOWN) {
        throw ApiException.notAudio("file is not audio (WAV, MP3, OGG, FLAC, M4A, WebM or AIFF)");
      }
      UUID id = UUID.randomUUID();
      String key = "tracks/" + id + SpooledUpload.extension(up.container);
      String contentType = up.container.mimeType();
      try {
        blobs.put(key, up.file, contentType);
      } catch (IOException e) {
        throw ApiException.unavailable("object storage unavailable: " + e.getMessage(), e);
      }
      TrackRow row;
      try {
        row = tracks.insertQueued(new TrackStore.NewTrackRow(id, form.title(), form.artist(),
            form.album(), key, contentType, up.size, up.sha256));
      } catch (RuntimeException e) {
        try {
          blobs.delete(key);
        } catch (IOException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw ApiException.unavailable("database unavailable: " + e.getMessage(), e);
      }
      if (workers != null) {
        workers.wakeUp();
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("id", row.id().toString());
      body.put("s3_key", row.s3Key());
      body.put("status", row.status().name());
      ctx.status(201).json(body);
    }
  }

  private static ApiException multipartError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (m.contains("exceed") || m.contains("too large") || m.contains("max file size")) {
        return ApiException.tooLarge("upload too large");
      }
    }
    return ApiException.badRequest("malformed multipart body: " + e.getMessage());
  }

  private TrackRow findTrack(Context ctx) {
    UUID id;
    try {
      id = UUID.fromString(ctx.pathParam("id"));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("id is not a UUID: " + ctx.pathParam("id"));
    }
    return tracks.find(id).orElseThrow(() -> ApiException.notFound("no track " + id));
  }

  private void listTracks(Context ctx) {
    Optional<TrackStatus> status = Optional.ofNullable(ctx.queryParam("status")).map(s -> {
      try {
        return TrackStatus.valueOf(s.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("status must be QUEUED, FINGERPRINTING, READY or FAILED: " + s);
      }
    });
    int limit = intParam(ctx, "limit", 50, 1, 500);
    int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    List<Map<String, Object>> page = tracks.list(status, limit, offset).stream().map(TuneTraceServer::view).toList();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("tracks", page);
    body.put("total", tracks.count(status));
    body.put("limit", limit);
    body.put("offset", offset);
    ctx.json(body);
  }

  private static int intParam(Context ctx, String name, int fallback, int min, int max) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw ApiException.badRequest(name + " out of [" + min + ", " + max + "]: " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name + " is not an integer: " + v);
    }
  }

  private void deleteTrack(Context ctx) throws IOException {
    authenticate(ctx);
    TrackRow row = findTrack(ctx);
    tracks.delete(row.id());
    if (row.indexId() != null) {
      index.remove(row.indexId());
    }
    try {
      blobs.delete(row.s3Key());
    } catch (IOException e) {
      LOG.warn("track {} deleted but its object {} was not: {}", row.id(), row.s3Key(), e.getMessage());
    }
    ctx.json(Map.of("ok", true, "id", row.id().toString()));
  }

  private void recognize(Context ctx) throws Exception {
    Auth.Principal who = authenticate(ctx);
    if (!recognizeLimiter.tryAcquire(who.id(), System.currentTimeMillis())) {
      throw ApiException.rateLimited("too many recognitions; retry in a minute");
    }
    InputStream body;
    if (ctx.isMultipartFormData()) {
      UploadedFile file;
      try {
        file = ctx.uploadedFile("file");
      } catch (RuntimeException e) {
        throw multipartError(e);
      }
      if (file == null) {
        throw ApiException.badRequest("file is required");
      }
      body = file.content();
    } else {
      body = ctx.bodyInputStream();
    }
    try (InputStream in = body;
        SpooledUpload up = SpooledUpload.spool(in, tempDir, config.maxClipBytes)) {
      if (up.container == AudioContainer.UNKNOWN) {
        throw ApiException.notAudio("clip is not audio (WAV, MP3, OGG, FLAC, M4A, WebM or AIFF)");
      }
      Optional<Map<String, Object>> match;
      try (InputStream clip = Files.newInputStream(up.file)) {
        match = recognition.recognize(clip);
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("ok", true);
      out.put("match", match.orElse(null));
      ctx.json(out);
    }
  }

  static Map<String, Object> view(TrackRow t) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("id", t.id().toString());
    v.put("title", t.title());
    v.put("artist", t.artist());
    v.put("album", t.album());
    v.put("status", t.status().name());
    v.put("attempts", t.attempts());
    v.put("last_error", t.lastError());
    v.put("duration_ms", t.durationMillis());
    v.put("posting_count", t.postingCount());
    v.put("s3_key", t.s3Key());
    v.put("content_type", t.contentType());
    v.put("size_bytes", t.sizeBytes());
    v.put("sha256", t.sha256());
    v.put("created_at", t.createdAt() == null ? null : t.createdAt().toInstant().toString());
    v.put("updated_at", t.updatedAt() == null ? null : t.updatedAt().toInstant().toString());
    return v;
  }

  /** Stops the HTTP server, then the workers (running jobs finish or are handed back). */
  @Override
  public void close() {
    if (app != null) {
      app.stop();
    }
    if (workers != null) {
      workers.close();
    }
    if (background != null) {
      background.shutdownNow();
    }
    index.close();
    blobs.close();
    db.close();
  }
}
