package io.tunetrace.server.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RateLimiterTest {
  @Test
  void allowsTheBurstThenRefillsPerMinute() {
    RateLimiter r = new RateLimiter(3);
    assertTrue(r.tryAcquire("a", 0));
    assertTrue(r.tryAcquire("a", 0));
    assertTrue(r.tryAcquire("a", 0));
    assertFalse(r.tryAcquire("a", 0));
    assertTrue(r.tryAcquire("b", 0));
    assertFalse(r.tryAcquire("a", 10_000));
    assertTrue(r.tryAcquire("a", 20_001));
  }
}
