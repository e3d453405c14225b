package io.tunetrace.server.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.NewTrack;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.server.support.ItServices;
import io.tunetrace.server.support.TcpProxy;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.params.ScanParams;

/** A client whose connection is cut part-way through an add: nothing shows, and a sweep cleans up. */
class RedisFingerprintIndexCrashIT {

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aConnectionCutPartWayThroughAnAddLeavesNothingVisibleAndIsSwept() throws Exception {
    String prefix = ItServices.uniqueName("ttcrash");
    Random r = new Random(21);
    List<NewTrack> batch = new ArrayList<>();
    for (int t = 0; t < 30; t++) {
      int[] hashes = new int[5_000];
      int[] frames = new int[5_000];
      for (int i = 0; i < hashes.length; i++) {
        hashes[i] = r.nextInt(1 << 23);
        frames[i] = i;
      }
      batch.add(new NewTrack(new TrackMetadata("t" + t, "", "", "", 1000, ""),
          Fingerprints.of(hashes, frames, hashes.length, hashes.length)));
    }
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (TcpProxy proxy = new TcpProxy(6379);
        JedisPooled raw = new JedisPooled(URI.create(ItServices.REDIS_URL));
        RedisFingerprintIndex observer =
            RedisFingerprintIndex.open(ItServices.REDIS_URL, prefix, FingerprintParams.DEFAULT);
        RedisFingerprintIndex writer = RedisFingerprintIndex.open(
            "redis://127.0.0.1:" + proxy.port(), prefix, FingerprintParams.DEFAULT)) {
      try {
        // The same add, uncut, under another prefix, gives the add's traffic; then the proxy cuts
        // by itself once a third of that went through. So the cut always lands part-way (after some
        // tracks' postings, before the publish), however the test's threads are scheduled.
        String measured = ItServices.uniqueName("ttcrash-measure");
        long before = proxy.upstreamBytes();
        try (RedisFingerprintIndex measure = RedisFingerprintIndex.open(
            "redis://127.0.0.1:" + proxy.port(), measured, FingerprintParams.DEFAULT)) {
          long opened = proxy.upstreamBytes();
          measure.add(batch);
          long addBytes = proxy.upstreamBytes() - opened;
          assertTrue(addBytes > 0 && opened > before);
          measure.deleteAll();
          proxy.downAfterUpstreamBytes(addBytes / 3);
        }
        Future<?> add = pool.submit(() -> writer.add(batch));
        ExecutionException e = assertThrows(ExecutionException.class, () -> add.get(30, TimeUnit.SECONDS));
        assertInstanceOf(IndexUnavailableException.class, e.getCause());

        Set<String> pending = new HashSet<>(raw.zrange(observer.pendingKey(), 0, -1));
        assertEquals(30, pending.size());
        assertTrue(fpKeys(raw, prefix) > 0, "no postings were written before the cut");
        assertEquals(List.of(), observer.tracks());
        assertEquals(0, observer.stats().postings());
        int[] found = {0};
        observer.lookup(batch.get(0).fingerprints().hashes(), Integer.MAX_VALUE, (q, t, f) -> found[0]++);
        assertEquals(0, found[0]);

        List<Integer> swept = observer.sweepAbandoned(Duration.ZERO);
        assertEquals(pending, new HashSet<>(swept.stream().map(String::valueOf).toList()));
        assertEquals(0, fpKeys(raw, prefix));
        assertEquals(0, raw.zcard(observer.pendingKey()));
      } finally {
        observer.deleteAll();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static int fpKeys(JedisPooled raw, String prefix) {
    int n = 0;
    String cursor = "0";
    do {
      var page = raw.scan(cursor, new ScanParams().match(prefix + ":fp:*").count(1000));
      n += page.getResult().size();
      cursor = page.getCursor();
    } while (!"0".equals(cursor));
    return n;
  }
}
