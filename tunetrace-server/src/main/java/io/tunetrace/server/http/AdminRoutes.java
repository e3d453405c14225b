package io.tunetrace.server.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.tunetrace.server.jobs.IndexReconciler;
import java.util.List;
import java.util.UUID;

/**
 * {@code POST /admin/reindex} ({@link Access#OPS}): re-queues the READY tracks whose index entry is
 * missing ({@link IndexReconciler}) and answers how many and which. Thread-safe.
 */
public final class AdminRoutes implements Routes {
  private final IndexReconciler reconciler;
  private final Runnable wakeWorkers;

  public AdminRoutes(IndexReconciler reconciler, Runnable wakeWorkers) {
    this.reconciler = reconciler;
    this.wakeWorkers = wakeWorkers;
  }

  @Override
  public void addTo(Javalin app) {
    app.post("/admin/reindex", this::reindex, Access.OPS);
  }

  private void reindex(Context ctx) {
    List<UUID> requeued = reconciler.reconcile();
    if (!requeued.isEmpty()) {
      wakeWorkers.run();
    }
    ctx.json(new Replies.Reindexed(true, requeued.size(),
        requeued.stream().map(UUID::toString).toList()));
  }
}
