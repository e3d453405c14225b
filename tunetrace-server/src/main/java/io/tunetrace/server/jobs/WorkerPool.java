package io.tunetrace.server.jobs;

import io.tunetrace.server.metrics.Metrics;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker threads inside the server process: each claims a job, runs it while a heartbeat renews
 * its lease every third of the lease, and acknowledges or fails it. {@link #close} stops claiming,
 * lets running jobs finish within the grace period and hands back the rest.
 *
 * <p>Thread-safe.
 */
public final class WorkerPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

  private final JobQueue queue;
  private final JobHandler handler;
  private final Metrics metrics;
  private final int concurrency;
  private final long pollMillis;
  private final long graceMillis;
  private final String processId = "w-" + UUID.randomUUID().toString().substring(0, 8);
  private final ExecutorService threads;
  private final ScheduledExecutorService heartbeat;
  private final Map<Long, Job> running = new ConcurrentHashMap<>();
  private final Map<Long, Thread> runningThreads = new ConcurrentHashMap<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicInteger outages =
      new java.util.concurrent.atomic.AtomicInteger();
  private final Object wake = new Object();
  private final java.util.concurrent.atomic.AtomicInteger live =
      new java.util.concurrent.atomic.AtomicInteger();
  /** Pause after a worker survived an {@link Error}, so a crash loop cannot spin. */
  private final long errorPauseMillis;

  public WorkerPool(JobQueue queue, JobHandler handler, Metrics metrics, int concurrency,
      long pollMillis, long graceMillis) {
    this.queue = queue;
    this.handler = handler;
    this.metrics = metrics;
    this.concurrency = concurrency;
    this.pollMillis = pollMillis;
    this.graceMillis = graceMillis;
    this.errorPauseMillis = Math.max(pollMillis, 1000);
    metrics.workersConfigured.set(concurrency);
    this.threads = Executors.newFixedThreadPool(Math.max(1, concurrency), r -> {
      Thread t = new Thread(r, "tunetrace-worker");
      t.setDaemon(true);
      return t;
    });
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tunetrace-heartbeat");
      t.setDaemon(true);
      return t;
    });
  }

  public void start() {
    long every = Math.max(100, queue.leaseMillis() / 3);
    heartbeat.scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
    for (int i = 0; i < concurrency; i++) {
      String workerId = processId + "-" + i;
      threads.submit(() -> loop(workerId));
    }
    LOG.info("{} worker thread(s) on queue {} (lease {} ms)", concurrency, queue.name(),
        queue.leaseMillis());
  }

  /** Wakes idle workers (a job was just enqueued in this process). */
  public void wakeUp() {
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  /** Worker threads configured. */
  public int concurrency() {
    return concurrency;
  }

  /** Worker threads alive now (each survives errors; fewer than configured means some died). */
  public int liveWorkers() {
    return live.get();
  }

  private void renewAll() {
    for (Job job : running.values()) {
      try {
        if (!queue.renew(job)) {
          LOG.warn("job {} (track {}): lease lost", job.id(), job.trackId());
        }
      } catch (RuntimeException e) {
        LOG.warn("job {}: lease renewal failed: {}", job.id(), e.toString());
      }
    }
  }

  /**
   * One worker thread. It survives everything a job or a dependency throws, {@link Error}s
   * included (out of memory, stack overflow): logged, the job's attempt recorded as failed, a
   * pause, and on to the next job. It ends only when the pool stops.
   */
  private void loop(String workerId) {
    live.incrementAndGet();
    metrics.workersLive.incrementAndGet();
    try {
      while (!stopping.get()) {
        try {
          if (!claimAndRun(workerId)) {
            return;
          }
        } catch (Throwable e) { // NOPMD: a worker must not die silently, Errors included
          LOG.error("worker {}: unexpected {} outside a job; going on in {} ms", workerId,
              e.getClass().getSimpleName(), errorPauseMillis, e);
          sleep(errorPauseMillis);
        }
      }
    } finally {
      live.decrementAndGet();
      metrics.workersLive.decrementAndGet();
    }
  }

  /** Claims and runs one job, or waits for one; false when interrupted while idle (stopping). */
  private boolean claimAndRun(String workerId) {
    Optional<Job> claimed;
    try {
      claimed = queue.claim(workerId);
    } catch (RuntimeException e) {
      LOG.warn("cannot claim a job: {}", e.toString());
      sleep(Math.max(pollMillis, 1000));
      return true;
    }
    if (claimed.isEmpty()) {
      synchronized (wake) {
        try {
          wake.wait(pollMillis);
        } catch (InterruptedException e) {
          return false;
        }
      }
      return true;
    }
    Job job = claimed.get();
    running.put(job.id(), job);
    runningThreads.put(job.id(), Thread.currentThread());
    try {
      runOne(job);
    } catch (Error e) { // NOPMD: out of memory or stack overflow in one job must not end the worker
      running.remove(job.id());
      LOG.error("job {} (track {}): {} on attempt {}; recorded as a failed attempt, the worker"
          + " goes on in {} ms", job.id(), job.trackId(), e, job.attempt(), errorPauseMillis, e);
      try {
        fail(job, e.getClass().getSimpleName() + ": " + e.getMessage(), false);
      } catch (Throwable again) { // NOPMD: even recording it may fail (out of memory)
        LOG.error("job {}: could not record the failure; its lease will expire", job.id(), again);
      }
      sleep(errorPauseMillis);
    } finally {
      running.remove(job.id());
      runningThreads.remove(job.id());
      Thread.interrupted();
    }
    return true;
  }

  private void runOne(Job job) {
    long start = System.nanoTime();
    try {
      Optional<JobHandler.Result> result = handler.run(job);
      if (result.isEmpty()) {
        LOG.info("job {}: track {} was deleted; dropping the job", job.id(), job.trackId());
        queue.complete(job, 0, 0, 0);
        return;
      }
      var r = result.get();
      if (queue.complete(job, r.indexId(), r.durationMillis(), r.postings())) {
        metrics.jobsDone.increment();
        metrics.postingsStored.increment(r.postings());
        LOG.info("job {}: track {} READY ({} postings, {} ms audio, {} ms)", job.id(),
            job.trackId(), r.postings(), r.durationMillis(), (System.nanoTime() - start) / 1_000_000);
      } else {
        LOG.warn("job {}: not acknowledged (lease lost or track deleted); undoing its postings",
            job.id());
        handler.undo(r);
      }
    } catch (JobHandler.PermanentJobException e) {
      fail(job, e.getMessage(), true);
    } catch (Exception e) {
      if (stopping.get() && Thread.currentThread().isInterrupted()) {
        queue.release(job);
        return;
      }
      if (isOutage(e)) {
        int n = outages.incrementAndGet();
        long delay = Math.min(queue.backoffMillis(n), 60_000);
        try {
          queue.postpone(job, "waiting for a dependency: " + e.getMessage(), delay);
          metrics.jobsRetried.increment();
          LOG.warn("job {}: dependency down ({}), postponed {} ms without counting the attempt",
              job.id(), e.getMessage(), delay);
        } catch (RuntimeException db) {
          LOG.warn("job {}: could not postpone ({}); its lease will expire", job.id(), db.toString());
        }
        return;
      }
      fail(job, e.getClass().getSimpleName() + ": " + e.getMessage(), false);
    }
    outages.set(0);
  }

  /** Redis or S3 unreachable: not the job's fault. */
  static boolean isOutage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof io.tunetrace.server.index.IndexUnavailableException
          || t instanceof io.tunetrace.server.blob.BlobUnavailableException
          || t instanceof java.net.ConnectException
          || t instanceof java.net.SocketTimeoutException
          || t instanceof java.net.UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  private void fail(Job job, String message, boolean permanent) {
    try {
      JobQueue.FailOutcome outcome = queue.fail(job, message, permanent);
      if (outcome == JobQueue.FailOutcome.FAILED) {
        metrics.jobsFailed.increment();
        LOG.warn("job {}: track {} FAILED after attempt {}: {}", job.id(), job.trackId(),
            job.attempt(), message);
      } else if (outcome == JobQueue.FailOutcome.RETRY_SCHEDULED) {
        metrics.jobsRetried.increment();
        LOG.warn("job {}: attempt {} failed, retry in {} ms: {}", job.id(), job.attempt(),
            queue.backoffMillis(job.attempt()), message);
      }
    } catch (RuntimeException e) {
      LOG.warn("job {}: could not record the failure ({}); the lease will expire and it reruns",
          job.id(), e.toString());
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops claiming, waits up to the grace period for running jobs, hands back the rest. */
  @Override
  public void close() {
    stopping.set(true);
    wakeUp();
    threads.shutdown();
    try {
      if (!threads.awaitTermination(graceMillis, TimeUnit.MILLISECONDS)) {
        for (Job job : running.values()) {
          try {
            if (queue.release(job)) {
              LOG.info("job {}: handed back to the queue at shutdown", job.id());
            }
          } catch (RuntimeException e) {
            LOG.warn("job {}: could not hand back ({}); its lease will expire", job.id(), e.toString());
          }
        }
        threads.shutdownNow();
        threads.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    heartbeat.shutdownNow();
  }
}
