package io.tunetrace.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's Prometheus metrics: request and recognition latency, match scores, queue depth,
 * jobs done/failed/retried, postings stored. Thread-safe.
 */
public final class Metrics {
  public final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  public final Timer recognition;
  public final DistributionSummary matchScore;
  public final DistributionSummary matchConfidence;
  public final Counter recognitionsMatched;
  public final Counter recognitionsUnmatched;
  public final Counter jobsDone;
  public final Counter jobsFailed;
  public final Counter jobsRetried;
  public final Counter postingsStored;
  public final AtomicLong queueDepth = new AtomicLong();
  /** Worker threads alive in this process; below {@link #workersConfigured} means some died. */
  public final AtomicInteger workersLive = new AtomicInteger();
  public final AtomicInteger workersConfigured = new AtomicInteger();
  /** Recognitions running now, and the clip bytes they hold. */
  public final AtomicInteger recognitionsInFlight = new AtomicInteger();
  public final AtomicLong recognitionBytesInFlight = new AtomicLong();
  public final Counter recognitionsBusy;

  public Metrics() {
    recognition = Timer.builder("tunetrace_recognition_seconds")
        .description("time to answer one recognition (decode, fingerprint, lookup, vote)")
        .publishPercentileHistogram()
        .register(registry);
    matchScore = DistributionSummary.builder("tunetrace_match_score")
        .description("score in [0, 1] of accepted matches").register(registry);
    matchConfidence = DistributionSummary.builder("tunetrace_match_confidence")
        .description("time-consistent votes of accepted matches").register(registry);
    recognitionsMatched = Counter.builder("tunetrace_recognitions_total").tag("result", "match")
        .register(registry);
    recognitionsUnmatched = Counter.builder("tunetrace_recognitions_total").tag("result", "none")
        .register(registry);
    jobsDone = Counter.builder("tunetrace_jobs_total").tag("outcome", "done").register(registry);
    jobsFailed = Counter.builder("tunetrace_jobs_total").tag("outcome", "failed").register(registry);
    jobsRetried = Counter.builder("tunetrace_jobs_total").tag("outcome", "retried").register(registry);
    postingsStored = Counter.builder("tunetrace_postings_stored_total").register(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
    Gauge.builder("tunetrace_queue_depth", queueDepth, AtomicLong::get)
        .description("fingerprint jobs waiting or running").register(registry);
    Gauge.builder("tunetrace_workers_live", workersLive, AtomicInteger::get)
        .description("worker threads alive in this process").register(registry);
    Gauge.builder("tunetrace_workers_configured", workersConfigured, AtomicInteger::get)
        .description("worker threads this process should run (WORKER_CONCURRENCY)").register(registry);
    Gauge.builder("tunetrace_recognitions_in_flight", recognitionsInFlight, AtomicInteger::get)
        .description("recognitions running or waiting for a thread").register(registry);
    Gauge.builder("tunetrace_recognition_bytes_in_flight", recognitionBytesInFlight, AtomicLong::get)
        .description("clip bytes held by recognitions in flight").register(registry);
    recognitionsBusy = Counter.builder("tunetrace_recognitions_busy_total")
        .description("recognitions refused with 503 busy (pool or memory budget full)")
        .register(registry);
  }

  /** Records one HTTP request. */
  public void request(String method, String route, int status, long nanos) {
    Timer.builder("tunetrace_http_request_seconds")
        .tag("method", method).tag("route", route).tag("status", Integer.toString(status))
        .register(registry)
        .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }
}
