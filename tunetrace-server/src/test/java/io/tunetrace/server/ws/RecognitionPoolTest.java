package io.tunetrace.server.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.server.http.ApiException;
import io.tunetrace.server.http.RateLimiter;
import io.tunetrace.server.metrics.Metrics;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RecognitionPoolTest {
  private final Metrics metrics = new Metrics();

  @Test
  void aFullPoolAnswersBusyAtOnceInsteadOfQueueingWithoutBound() throws Exception {
    RecognitionPool pool = new RecognitionPool(1, 1, 1_000_000, 30_000, new RateLimiter(100), metrics);
    ExecutorService callers = Executors.newFixedThreadPool(2);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try {
      Future<String> first = callers.submit(() -> pool.run(100, () -> {
        running.countDown();
        release.await();
        return "first";
      }));
      assertTrue(running.await(10, TimeUnit.SECONDS));
      Future<String> queued = callers.submit(() -> pool.run(100, () -> "queued"));
      while (metrics.recognitionsInFlight.get() < 2) {
        Thread.sleep(5);
      }
      RecognitionPool.BusyException busy = assertThrows(RecognitionPool.BusyException.class,
          () -> pool.run(100, () -> "third"));
      assertEquals("server busy: every recognition thread is taken and the queue is full; retry"
          + " in 2 s", busy.getMessage());
      assertEquals(2, busy.retryAfterSeconds());
      assertEquals(1.0, metrics.recognitionsBusy.count());
      assertEquals(200, pool.bytesInFlight());
      release.countDown();
      assertEquals("first", first.get(10, TimeUnit.SECONDS));
      assertEquals("queued", queued.get(10, TimeUnit.SECONDS));
      assertEquals(0, pool.bytesInFlight());
      assertEquals(0, metrics.recognitionsInFlight.get());
      assertEquals("again", pool.run(100, () -> "again"));
    } finally {
      release.countDown();
      callers.shutdownNow();
      pool.close();
    }
  }

  @Test
  void clipsInFlightStayWithinTheMemoryBudget() throws Exception {
    RecognitionPool pool = new RecognitionPool(4, 4, 1000, 30_000, new RateLimiter(100), metrics);
    ExecutorService callers = Executors.newSingleThreadExecutor();
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try {
      Future<String> holder = callers.submit(() -> pool.run(700, () -> {
        running.countDown();
        release.await();
        return "held";
      }));
      assertTrue(running.await(10, TimeUnit.SECONDS));
      assertEquals(700, metrics.recognitionBytesInFlight.get());
      RecognitionPool.BusyException busy = assertThrows(RecognitionPool.BusyException.class,
          () -> pool.run(400, () -> "too much"));
      assertEquals("server busy: recognitions in flight hold the memory budget; retry in 2 s",
          busy.getMessage());
      assertEquals("fits", pool.run(300, () -> "fits"));
      release.countDown();
      assertEquals("held", holder.get(10, TimeUnit.SECONDS));
      assertEquals(0, pool.bytesInFlight());
    } finally {
      release.countDown();
      callers.shutdownNow();
      pool.close();
    }
  }

  @Test
  void aRecognitionsOwnFailureReachesTheCallerUnchanged() {
    RecognitionPool pool = new RecognitionPool(1, 1, 1000, 30_000, new RateLimiter(100), metrics);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> pool.run(10, () -> {
          throw new IllegalStateException("index parameters differ");
        }));
    assertEquals("index parameters differ", e.getMessage());
    assertEquals(0, pool.bytesInFlight());
    pool.close();
  }

  @Test
  void everyRecognitionIsChargedToItsCaller() {
    RecognitionPool pool = new RecognitionPool(1, 1, 1000, 30_000, new RateLimiter(2), metrics);
    assertTrue(pool.tryCharge("key:a"));
    pool.charge("key:a");
    assertFalse(pool.tryCharge("key:a"));
    ApiException limited = assertThrows(ApiException.class, () -> pool.charge("key:a"));
    assertEquals(429, limited.status());
    assertEquals("too many recognitions; retry in a minute", limited.getMessage());
    pool.charge("key:b");
    pool.close();
  }
}
