package io.tunetrace.server.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.server.blob.BlobStore;
import io.tunetrace.server.db.Database;
import io.tunetrace.server.index.RedisFingerprintIndex;
import io.tunetrace.server.jobs.WorkerPool;
import io.tunetrace.server.metrics.Metrics;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /health} (liveness, open), {@code /ready} (readiness: its status code is open, its checks
 * only for callers {@code OPS_ACCESS} admits) and {@code /metrics} (Prometheus text, {@link
 * Access#OPS}). Thread-safe.
 */
public final class HealthRoutes implements Routes {
  private final Database db;
  private final FingerprintIndex index;
  private final BlobStore blobs;
  private final Metrics metrics;
  private final AccessControl access;
  private final boolean serviceMode;
  private final WorkerPool workers;

  /** @param workers this process's workers, or null when it runs none */
  public HealthRoutes(Database db, FingerprintIndex index, BlobStore blobs, Metrics metrics,
      AccessControl access, boolean serviceMode, WorkerPool workers) {
    this.workers = workers;
    this.db = db;
    this.index = index;
    this.blobs = blobs;
    this.metrics = metrics;
    this.access = access;
    this.serviceMode = serviceMode;
  }

  @Override
  public void addTo(Javalin app) {
    app.get("/health", ctx -> ctx.json(new Replies.Health(true)), Access.OPEN);
    app.get("/ready", this::ready, Access.OPEN);
    app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
        .result(metrics.registry.scrape()), Access.OPS);
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
    String indexName = index instanceof RedisFingerprintIndex ? "redis" : "index";
    try {
      if (index instanceof RedisFingerprintIndex r) {
        r.ping();
      } else {
        index.stats();
      }
      checks.put(indexName, "up");
    } catch (RuntimeException e) {
      checks.put(indexName, "down: " + e.getMessage());
      down = down == null ? indexName : down;
    }
    String blobName = serviceMode ? "s3" : "blobs";
    try {
      blobs.ping();
      checks.put(blobName, "up");
    } catch (IOException | RuntimeException e) {
      checks.put(blobName, "down: " + e.getMessage());
      down = down == null ? blobName : down;
    }
    if (workers != null) {
      checks.put("workers", workers.liveWorkers() + " of " + workers.concurrency() + " alive");
      down = down == null && workers.liveWorkers() == 0 ? "workers" : down;
    }
    boolean details = access.opsAllowed(ctx);
    String reason = "workers".equals(down) ? "no worker thread is alive"
        : down + " is not reachable";
    ErrorBody.Detail error = down == null ? null : new ErrorBody.Detail("unavailable",
        details ? reason : "a dependency is not reachable");
    ctx.status(down == null ? 200 : 503).json(details
        ? new Replies.Readiness(down == null, serviceMode ? "service" : "embedded", checks, error)
        : new Replies.Readiness(down == null, null, null, error));
  }
}
