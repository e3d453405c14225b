package io.tunetrace.server.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.server.support.ItServices;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * {@link RedisFingerprintIndexIT} on the three-master Redis Cluster that {@code .ci/run} starts
 * on 127.0.0.1:7001-7003, plus what only a Cluster shows.
 */
class RedisClusterFingerprintIndexIT extends RedisFingerprintIndexIT {

  @Override
  protected RedisFingerprintIndex openIndex(String prefix, FingerprintParams params) {
    return RedisFingerprintIndex.openCluster(ItServices.REDIS_CLUSTER_NODES, prefix, params);
  }

  @Override
  protected UnifiedJedis rawClient() {
    return RedisFingerprintIndex.newCluster(ItServices.REDIS_CLUSTER_NODES);
  }

  @Test
  void isOnTheClusterFromOneSeedNode() {
    try (RedisFingerprintIndex one =
        RedisFingerprintIndex.openCluster(List.of("127.0.0.1:7002"), prefix, FingerprintParams.DEFAULT)) {
      assertTrue(one.isCluster());
      Track t = one.add(new TrackMetadata("seed", "", "", "", 10, ""),
          Fingerprints.of(new int[] {1, 2}, new int[] {3, 4}, 2, 10));
      assertEquals(t, index.track(t.id()).orElseThrow());
    }
  }

  @Test
  void spreadsPostingsOverEveryMasterAndKeepsTrackRecordsInOneSlot() {
    Random r = new Random(12);
    int[] hashes = new int[600];
    int[] frames = new int[600];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = r.nextInt(1 << 23);
      frames[i] = i;
    }
    Track t = index.add(new TrackMetadata("spread", "", "", "", 10, "cd".repeat(32)),
        Fingerprints.of(hashes, frames, hashes.length, hashes.length));
    Set<String> nodesWithPostings = new TreeSet<>();
    int masters = 0;
    for (var entry : ((JedisCluster) raw).getClusterNodes().entrySet()) {
      try (Connection c = entry.getValue().getResource()) {
        c.sendCommand(Protocol.Command.INFO, "replication");
        if (!c.getBulkReply().contains("role:master")) {
          continue;
        }
        masters++;
        String cursor = "0";
        do {
          var page = c.executeCommand(
              new CommandObjects().scan(cursor, new ScanParams().match(prefix + ":fp:*").count(1000)));
          if (!page.getResult().isEmpty()) {
            nodesWithPostings.add(entry.getKey());
          }
          cursor = page.getCursor();
        } while (!"0".equals(cursor));
      }
    }
    assertEquals(3, masters);
    assertEquals(3, nodesWithPostings.size(), nodesWithPostings.toString());
    int slot = JedisClusterCRC16.getSlot(index.trackKey(t.id()));
    assertEquals(JedisClusterCRC16.getSlot(prefix), slot);
    assertEquals(slot, JedisClusterCRC16.getSlot(index.pendingKey()));
    io.tunetrace.core.index.FingerprintIndexContract.assertAllPostingsFound(index, t.id(),
        Fingerprints.of(hashes, frames, hashes.length, hashes.length));
    assertTrue(index.remove(t.id()));
    assertEquals(0, index.stats().postings());
    assertTrue(index.findBySha256("cd".repeat(32)).isEmpty());
  }

  @Test
  @Override
  void aClosedPortIsReportedAsUnavailable() throws Exception {
    int port = io.tunetrace.server.support.S3ProxyProcess.freePort();
    IndexUnavailableException e = assertThrows(IndexUnavailableException.class,
        () -> RedisFingerprintIndex.openCluster(List.of("127.0.0.1:" + port), prefix,
            FingerprintParams.DEFAULT));
    assertTrue(e.getMessage().startsWith("redis cluster unavailable (seed nodes [127.0.0.1:" + port
        + "]): "), e.getMessage());
  }
}
