package io.tunetrace.server.http;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per client: {@code perMinute} requests per minute with bursts up to the same
 * number. Thread-safe.
 */
public final class RateLimiter {
  private final double perMilli;
  private final double capacity;
  private final ConcurrentHashMap<String, double[]> buckets = new ConcurrentHashMap<>();

  public RateLimiter(int perMinute) {
    this.capacity = perMinute;
    this.perMilli = perMinute / 60_000.0;
  }

  /** Takes one token for {@code client}; false when the client is over its limit. */
  public boolean tryAcquire(String client, long nowMillis) {
    if (buckets.size() > 100_000) {
      buckets.clear();
    }
    double[] b = buckets.computeIfAbsent(client, k -> new double[] {capacity, nowMillis});
    synchronized (b) {
      b[0] = Math.min(capacity, b[0] + (nowMillis - b[1]) * perMilli);
      b[1] = nowMillis;
      if (b[0] >= 1) {
        b[0] -= 1;
        return true;
      }
      return false;
    }
  }
}
