package io.tunetrace.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.javalin.Javalin;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.server.auth.Auth;
import io.tunetrace.server.auth.Tokens;
import io.tunetrace.server.blob.BlobStore;
import io.tunetrace.server.blob.FileBlobStore;
import io.tunetrace.server.blob.S3BlobStore;
import io.tunetrace.server.config.ServerConfig;
import io.tunetrace.server.db.Database;
import io.tunetrace.server.db.TrackStore;
import io.tunetrace.server.http.AccessControl;
import io.tunetrace.server.http.AdminRoutes;
import io.tunetrace.server.http.ExplainRoutes;
import io.tunetrace.server.http.HealthRoutes;
import io.tunetrace.server.http.HttpApi;
import io.tunetrace.server.http.RateLimiter;
import io.tunetrace.server.http.RecognitionRoutes;
import io.tunetrace.server.http.Routes;
import io.tunetrace.server.http.TrackRoutes;
import io.tunetrace.server.index.EmbeddedIndexes;
import io.tunetrace.server.index.RedisFingerprintIndex;
import io.tunetrace.server.jobs.FingerprintJobHandler;
import io.tunetrace.server.jobs.IndexReconciler;
import io.tunetrace.server.jobs.JobQueue;
import io.tunetrace.server.jobs.TempSweeper;
import io.tunetrace.server.jobs.TrackDeleter;
import io.tunetrace.server.jobs.WorkerPool;
import io.tunetrace.server.metrics.Metrics;
import io.tunetrace.server.ws.RecentRecognitions;
import io.tunetrace.server.ws.RecognitionPool;
import io.tunetrace.server.ws.RecognitionService;
import io.tunetrace.server.web.Pages;
import io.tunetrace.server.ws.StreamSocket;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TuneTrace server: HTTP API, WebSocket recognition and background workers over PostgreSQL,
 * Redis and S3 — or, in embedded mode, over an embedded index, a blob directory and an H2 store.
 * {@link #start} wires everything from a {@link ServerConfig} (the routes live in {@code
 * server.http}, one class per resource); {@link #close} shuts down gracefully (workers first, so
 * running jobs finish or are handed back).
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
  private final TrackDeleter deleter;
  private final IndexReconciler reconciler;
  /** The secret development tokens are signed with (embedded mode without credentials), else null. */
  private final String devSecret;
  private WorkerPool workers;
  private Javalin app;
  private RecognitionService recognition;
  private RecognitionPool recognitionPool;
  private RecentRecognitions recentRecognitions;
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
    this.devSecret = devToken == null ? null : jwtSecret.orElse(null);
    this.validator = Validation.byDefaultProvider().configure()
        .messageInterpolator(new ParameterMessageInterpolator())
        .buildValidatorFactory().getValidator();
    this.json = new ObjectMapper().findAndRegisterModules()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    this.recognizeLimiter = new RateLimiter(config.recognizePerMinute);
    this.wsLimiter = new RateLimiter(config.wsConnectsPerMinute);
    this.tempDir = config.dataDir.resolve("tmp");
    Files.createDirectories(tempDir);
    TempSweeper.sweep(tempDir);
    this.deleter = new TrackDeleter(tracks, index, blobs);
    this.reconciler = new IndexReconciler(tracks, queue, index);
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
        // An index keeps the parameters it was built with (an earlier version's defaults too);
        // a new one gets today's defaults.
        index = config.redisClusterNodes.isEmpty()
            ? RedisFingerprintIndex.open(config.redisUrl.get(), config.queuePrefix, null)
            : RedisFingerprintIndex.openCluster(config.redisClusterNodes, config.queuePrefix, null);
      } else {
        Files.createDirectories(config.dataDir);
        db = Database.openEmbedded(config.dataDir);
        blobs = new FileBlobStore(config.dataDir.resolve("blobs"));
        blobs.ensureReady();
        index = EmbeddedIndexes.open(config.dataDir.resolve("index"));
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
    recognitionPool = new RecognitionPool(config.recognizeThreads, config.recognizeQueue,
        config.recognizeMaxBytesInFlight, 60_000, recognizeLimiter, metrics);
    recentRecognitions = new RecentRecognitions(config.recognitionCacheEntries,
        config.recognitionCacheBytes, config.recognitionCacheTtlMillis, System::currentTimeMillis);
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
    background.scheduleWithFixedDelay(this::housekeeping, 30, 30, TimeUnit.SECONDS);
    if (config.role.runsWorkers() && config.workerConcurrency > 0) {
      reconcileAtStart();
      FingerprintJobHandler handler =
          new FingerprintJobHandler(blobs, tracks, index, tempDir, config.maxTrackMillis);
      workers = new WorkerPool(queue, handler, metrics, config.workerConcurrency,
          config.jobPollMillis, config.shutdownGraceMillis);
      workers.start();
    }
    if (config.role.servesApi()) {
      app = createApp();
      HttpApi.start(app, config);
      LOG.info("listening on http://{}:{}", config.host, app.port());
    }
    if (devToken != null) {
      LOG.info("embedded mode without JWT_SECRET/API_KEYS: `tunetrace upload/recognize` on this machine"
          + " sign their own token from {}; for other clients, a development token (valid {} s):"
          + "\nexport TUNETRACE_TOKEN={}", config.dataDir.resolve("jwt-secret").toAbsolutePath(),
          config.jwtTtlSeconds, devToken);
    }
  }

  /**
   * Re-queues READY tracks whose index entry is missing (Redis restarted without persistence
   * while this process was down); an unreachable dependency only postpones it to {@code POST
   * /admin/reindex} or the next start.
   */
  private void reconcileAtStart() {
    try {
      reconciler.reconcile();
    } catch (RuntimeException e) {
      LOG.warn("start-up reconcile of the index skipped (POST /admin/reindex runs it): {}",
          e.toString());
    }
  }

  /** Finishes deletes a Redis or S3 outage stopped, sweeps leftovers of killed processes. */
  private void housekeeping() {
    try {
      deleter.finishPending();
      TempSweeper.sweep(tempDir);
    } catch (RuntimeException e) {
      LOG.debug("housekeeping postponed: {}", e.toString());
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

  public IndexReconciler reconciler() {
    return reconciler;
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
    AccessControl access = new AccessControl(auth, config.opsAccess);
    StreamSocket socket = new StreamSocket(recognition, recognitionPool, validator, json,
        config.maxStreamSeconds, tempDir, recentRecognitions);
    List<Routes> routes = List.of(
        new HealthRoutes(db, index, blobs, metrics, access, config.serviceMode(), workers),
        new TrackRoutes(tracks, blobs, deleter, queue, this::wakeWorkers, tempDir,
            config.maxUploadBytes),
        new RecognitionRoutes(recognition, socket, access, recognitionPool, wsLimiter, tempDir,
            config.maxClipBytes, recentRecognitions),
        app -> Pages.register(app, devSecret == null ? null
            : () -> Tokens.issue(devSecret, config.jwtIssuer, "dev", config.jwtTtlSeconds)),
        new ExplainRoutes(index, config.maxPostingsPerHash, blobs, tempDir, config.maxClipBytes,
            recognitionPool, recentRecognitions, access),
        new AdminRoutes(reconciler, this::wakeWorkers));
    return HttpApi.create(config, json, metrics, access, tempDir, routes);
  }

  private void wakeWorkers() {
    if (workers != null) {
      workers.wakeUp();
    }
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
    if (recognitionPool != null) {
      recognitionPool.close();
    }
    index.close();
    blobs.close();
    db.close();
  }
}
