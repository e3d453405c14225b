package io.tunetrace.server.ws;

import io.tunetrace.server.http.ApiException;
import io.tunetrace.server.http.RateLimiter;
import io.tunetrace.server.metrics.Metrics;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where every recognition runs — {@code POST /recognize}, a WebSocket clip, each window of a
 * stream — so that none escapes the limits:
 *
 * <ul>
 *   <li>{@link #charge} takes one token of the caller's rate limit (429 {@code rate_limited}).
 *   <li>{@link #run} runs the recognition on a fixed pool of {@code threads} with at most {@code
 *       queue} waiting; beyond that, or when the clips in flight would hold more than {@code
 *       maxBytesInFlight}, it refuses at once with {@link BusyException} (503 {@code busy}, with
 *       {@code Retry-After}) instead of piling up work and memory.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class RecognitionPool implements AutoCloseable {
  /** Seconds a refused caller is told to wait. */
  public static final int RETRY_AFTER_SECONDS = 2;

  /** The pool or the memory budget is full; the caller may retry after {@link #retryAfterSeconds}. */
  public static final class BusyException extends RuntimeException {
    BusyException(String message) {
      super(message);
    }

    public int retryAfterSeconds() {
      return RETRY_AFTER_SECONDS;
    }
  }

  private final ThreadPoolExecutor pool;
  private final long maxBytesInFlight;
  private final long timeoutMillis;
  private final RateLimiter limiter;
  private final Metrics metrics;
  private final AtomicLong bytesInFlight = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * @param threads recognitions running at once
   * @param queue recognitions waiting for a thread, at most
   * @param maxBytesInFlight clip bytes all recognitions in flight may hold together
   * @param timeoutMillis a recognition still running after this is abandoned (503)
   */
  public RecognitionPool(int threads, int queue, long maxBytesInFlight, long timeoutMillis,
      RateLimiter limiter, Metrics metrics) {
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(Math.max(1, queue)), r -> {
          Thread t = new Thread(r, "tunetrace-recognize-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    this.maxBytesInFlight = maxBytesInFlight;
    this.timeoutMillis = timeoutMillis;
    this.limiter = limiter;
    this.metrics = metrics;
  }

  /** Charges one recognition to {@code caller}'s rate limit; throws 429 when it is used up. */
  public void charge(String caller) {
    if (!tryCharge(caller)) {
      throw ApiException.rateLimited("too many recognitions; retry in a minute");
    }
  }

  /** Charges one recognition to {@code caller}; false (nothing charged) when over the limit. */
  public boolean tryCharge(String caller) {
    return limiter.tryAcquire(caller, System.currentTimeMillis());
  }

  /**
   * Runs {@code recognition} on the pool and waits for its answer.
   *
   * @param clipBytes the bytes the recognition holds until it ends (the clip, or its samples)
   * @throws BusyException when the pool or the memory budget is full
   */
  public <T> T run(long clipBytes, Callable<T> recognition) throws Exception {
    if (bytesInFlight.addAndGet(clipBytes) > maxBytesInFlight && clipBytes > 0) {
      bytesInFlight.addAndGet(-clipBytes);
      metrics.recognitionsBusy.increment();
      throw new BusyException("server busy: recognitions in flight hold the memory budget; retry"
          + " in " + RETRY_AFTER_SECONDS + " s");
    }
    metrics.recognitionBytesInFlight.set(bytesInFlight.get());
    metrics.recognitionsInFlight.set(inFlight.incrementAndGet());
    try {
      Future<T> answer;
      try {
        answer = pool.submit(recognition);
      } catch (RejectedExecutionException e) {
        metrics.recognitionsBusy.increment();
        throw new BusyException("server busy: every recognition thread is taken and the queue is"
            + " full; retry in " + RETRY_AFTER_SECONDS + " s");
      }
      try {
        return answer.get(timeoutMillis, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception ex) {
          throw ex;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw e;
      } catch (TimeoutException e) {
        answer.cancel(true);
        metrics.recognitionsBusy.increment();
        throw new BusyException("server busy: the recognition did not finish within "
            + timeoutMillis / 1000 + " s; retry in " + RETRY_AFTER_SECONDS + " s");
      } catch (InterruptedException e) {
        answer.cancel(true);
        Thread.currentThread().interrupt();
        throw e;
      }
    } finally {
      metrics.recognitionBytesInFlight.set(bytesInFlight.addAndGet(-clipBytes));
      metrics.recognitionsInFlight.set(inFlight.decrementAndGet());
    }
  }

  /** Clip bytes held by recognitions in flight now. */
  public long bytesInFlight() {
    return bytesInFlight.get();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
