package io.tunetrace.server.bench;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.server.index.RedisFingerprintIndex;
import io.tunetrace.server.index.RedisNodes;
import io.tunetrace.server.support.ItServices;
import io.tunetrace.server.support.TcpProxy;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.Pool;

/**
 * Traffic and time of the Redis index's writes (not a test): adds N tracks of P random postings
 * (hashes uniform in 23 bits, as RedisFingerprintIndexCrashIT's) one by one, then removes them,
 * on the Redis at 127.0.0.1:6379 ({@code single}) or the three-master Cluster on
 * 127.0.0.1:7001-7003 ({@code cluster}). Two passes under fresh prefixes: one straight to Redis for
 * wall time, this JVM's CPU time and the Redis CPU time ({@code INFO cpu}, summed over the
 * masters), after a warm-up of 3 tracks; one through a {@link TcpProxy} per node (Jedis' {@code
 * HostAndPortMapper} routes the Cluster's nodes through theirs) for the bytes sent to Redis.
 *
 * <pre>
 * ./mvnw -q -o -pl tunetrace-server -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp tunetrace-server/target/test-classes:tunetrace-server/target/classes:tunetrace-core/target/classes:$(cat tunetrace-server/target/cp.txt) \
 *     io.tunetrace.server.bench.RedisWriteBenchmark single|cluster [TRACKS=30] [POSTINGS=20000]
 * </pre>
 *
 * The Redis CPU time is of the whole instance: other clients of a shared Redis add to it.
 */
public final class RedisWriteBenchmark {
  private static final List<Integer> CLUSTER_PORTS = List.of(7001, 7002, 7003);

  public static void main(String[] args) throws Exception {
    boolean cluster = args[0].equals("cluster");
    if (!cluster && !args[0].equals("single")) {
      throw new IllegalArgumentException("first argument: single or cluster, not " + args[0]);
    }
    int tracks = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int postings = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
    List<Fingerprints> prints = randomPrints(new Random(30), tracks, postings);
    long total = (long) tracks * postings;
    System.out.printf("%s: %d tracks x %d postings = %d postings%n", args[0], tracks, postings, total);

    Function<Integer, Integer> direct = port -> port;
    try (UnifiedJedis client = client(cluster, direct)) {
      List<Pool<Connection>> masters = RedisNodes.primaries(client);
      runPass(client, randomPrints(new Random(3), 3, postings), null);
      double cpu0 = redisCpuSeconds(masters);
      long[] add = new long[2];
      long[] remove = new long[2];
      runPass(client, prints, new long[][] {add, remove});
      double cpu1 = redisCpuSeconds(masters);
      System.out.printf("add:    %.2f s wall, %.2f s client CPU%n", add[0] / 1e9, add[1] / 1e9);
      System.out.printf("remove: %.2f s wall, %.2f s client CPU%n", remove[0] / 1e9, remove[1] / 1e9);
      System.out.printf("Redis CPU (add + remove, %d master(s)): %.2f s%n", masters.size(), cpu1 - cpu0);
    }

    List<Integer> ports = cluster ? CLUSTER_PORTS : List.of(6379);
    Map<Integer, TcpProxy> proxies = new HashMap<>();
    try {
      for (int port : ports) {
        proxies.put(port, new TcpProxy(port));
      }
      try (UnifiedJedis client = client(cluster, port -> proxies.get(port).port())) {
        long[] bytes = new long[2];
        runPass(client, prints, null, () -> sum(proxies), bytes);
        System.out.printf("sent to Redis: add %,d bytes (%.1f per posting), remove %,d bytes"
            + " (%.1f per posting)%n", bytes[0], (double) bytes[0] / total, bytes[1],
            (double) bytes[1] / total);
      }
    } finally {
      for (TcpProxy p : proxies.values()) {
        p.close();
      }
    }
  }

  private static long sum(Map<Integer, TcpProxy> proxies) {
    return proxies.values().stream().mapToLong(TcpProxy::upstreamBytes).sum();
  }

  private static void runPass(UnifiedJedis client, List<Fingerprints> prints, long[][] times) {
    runPass(client, prints, times, () -> 0L, new long[2]);
  }

  /**
   * Adds the tracks one by one under a fresh prefix, checks the posting count, removes them and
   * deletes the prefix. {@code times}: {wall, CPU} nanos of the adds and of the removals, when not
   * null; {@code bytes}: what {@code counter} grew by during the adds and during the removals.
   */
  private static void runPass(UnifiedJedis client, List<Fingerprints> prints, long[][] times,
      java.util.function.LongSupplier counter, long[] bytes) {
    String prefix = ItServices.uniqueName("ttwrite");
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (RedisFingerprintIndex index = RedisFingerprintIndex.open(client, prefix, FingerprintParams.DEFAULT)) {
      try {
        List<Integer> ids = new ArrayList<>();
        long wall = System.nanoTime();
        long cpu = os.getProcessCpuTime();
        long b = counter.getAsLong();
        for (int t = 0; t < prints.size(); t++) {
          Track track = index.add(new TrackMetadata("t" + t, "", "", "", 60_000, ""), prints.get(t));
          ids.add(track.id());
        }
        bytes[0] = counter.getAsLong() - b;
        if (times != null) {
          times[0][0] = System.nanoTime() - wall;
          times[0][1] = os.getProcessCpuTime() - cpu;
        }
        long expected = prints.stream().mapToLong(Fingerprints::size).sum();
        if (index.stats().postings() != expected) {
          throw new IllegalStateException("postings " + index.stats().postings() + " != " + expected);
        }
        wall = System.nanoTime();
        cpu = os.getProcessCpuTime();
        b = counter.getAsLong();
        for (int id : ids) {
          if (!index.remove(id)) {
            throw new IllegalStateException("track " + id + " was not removed");
          }
        }
        bytes[1] = counter.getAsLong() - b;
        if (times != null) {
          times[1][0] = System.nanoTime() - wall;
          times[1][1] = os.getProcessCpuTime() - cpu;
        }
      } finally {
        index.deleteAll();
      }
    }
  }

  private static UnifiedJedis client(boolean cluster, Function<Integer, Integer> portOf) {
    if (!cluster) {
      return RedisFingerprintIndex.newPool("redis://127.0.0.1:" + portOf.apply(6379));
    }
    Set<HostAndPort> seeds = new LinkedHashSet<>();
    for (int port : CLUSTER_PORTS) {
      seeds.add(new HostAndPort("127.0.0.1", port));
    }
    // Seeds and discovered nodes alike go through the mapper.
    var config = DefaultJedisClientConfig.builder().connectionTimeoutMillis(2000)
        .socketTimeoutMillis(10_000)
        .hostAndPortMapper(hp -> new HostAndPort(hp.getHost(), portOf.apply(hp.getPort())))
        .build();
    return new JedisCluster(seeds, config, 3, new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>());
  }


  private static double redisCpuSeconds(List<Pool<Connection>> masters) {
    double sum = 0;
    for (Pool<Connection> pool : masters) {
      for (String line : RedisNodes.info(pool, "cpu").split("\r?\n")) {
        if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
          sum += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
        }
      }
    }
    return sum;
  }

  private static List<Fingerprints> randomPrints(Random r, int tracks, int postings) {
    List<Fingerprints> out = new ArrayList<>();
    for (int t = 0; t < tracks; t++) {
      int[] hashes = new int[postings];
      int[] frames = new int[postings];
      for (int i = 0; i < postings; i++) {
        hashes[i] = r.nextInt(1 << 23);
        frames[i] = i;
      }
      out.add(Fingerprints.of(hashes, frames, postings, postings));
    }
    return out;
  }
}
