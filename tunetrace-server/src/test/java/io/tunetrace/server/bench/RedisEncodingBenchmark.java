package io.tunetrace.server.bench;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.Fingerprinter;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.server.index.RedisFingerprintIndex;
import io.tunetrace.server.support.ItServices;
import io.tunetrace.server.support.TestAudio;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Compares the Redis index's value encodings on the same postings (not a test): the index's
 * buckets of binary 8-byte postings (layout 3, docs/REDIS.md), against the design note's list of {@code
 * "<songId>:<offsetMs>"} strings. Prints {@code used_memory} growth per posting and the time of a
 * pipelined lookup of a 5-second query's hashes.
 *
 * <p>Run like {@link WsLoadBenchmark}, class {@code io.tunetrace.server.bench.RedisEncodingBenchmark
 * [tracks] [seconds]}.
 */
public final class RedisEncodingBenchmark {
  public static void main(String[] args) throws Exception {
    int tracks = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 120;
    Fingerprinter fp = new Fingerprinter(FingerprintParams.DEFAULT);
    List<Fingerprints> prints = new ArrayList<>();
    long postings = 0;
    for (int t = 0; t < tracks; t++) {
      Fingerprints f = fp.fingerprint(TestAudio.song(1000 + t, seconds), TestAudio.RATE);
      prints.add(f);
      postings += f.size();
    }
    String binPrefix = ItServices.uniqueName("ttenc_bin");
    String listPrefix = ItServices.uniqueName("ttenc_list");
    try (JedisPooled j = new JedisPooled(java.net.URI.create(ItServices.REDIS_URL));
        RedisFingerprintIndex index = RedisFingerprintIndex.open(ItServices.REDIS_URL, binPrefix,
            FingerprintParams.DEFAULT)) {
      long m0 = usedMemory(index);
      long t0 = System.nanoTime();
      for (int t = 0; t < tracks; t++) {
        index.add(new TrackMetadata("t" + t, "", "", "", seconds * 1000L, ""), prints.get(t));
      }
      double binWrite = (System.nanoTime() - t0) / 1e9;
      long m1 = usedMemory(index);
      t0 = System.nanoTime();
      for (int t = 0; t < tracks; t++) {
        Fingerprints f = prints.get(t);
        try (Pipeline p = j.pipelined()) {
          for (int i = 0; i < f.size(); i++) {
            long ms = FingerprintParams.DEFAULT.framesToMillis(f.frame(i));
            p.rpush(listPrefix + ":fp:0x" + String.format("%08x", f.hash(i)), (t + 1) + ":" + ms);
          }
          p.sync();
        }
      }
      double listWrite = (System.nanoTime() - t0) / 1e9;
      long m2 = usedMemory(index);
      // A 5-second query: the hashes of seconds 30-35 of track 3.
      Fingerprints q = fp.fingerprint(TestAudio.slice(TestAudio.song(1003, seconds), 30, 5), TestAudio.RATE);
      int[] hashes = q.hashes();
      double binLookup = Double.MAX_VALUE;
      double listLookup = Double.MAX_VALUE;
      for (int round = 0; round < 50; round++) {
        long s = System.nanoTime();
        int[] count = {0};
        index.lookup(hashes, 2000, (qi, tr, fr) -> count[0]++);
        binLookup = Math.min(binLookup, (System.nanoTime() - s) / 1e6);
        s = System.nanoTime();
        List<Response<List<String>>> rs = new ArrayList<>();
        try (Pipeline p = j.pipelined()) {
          for (int h : hashes) {
            rs.add(p.lrange(listPrefix + ":fp:0x" + String.format("%08x", h), 0, 1999));
          }
          p.sync();
        }
        int n = 0;
        for (var r : rs) {
          for (String v : r.get()) {
            int c = v.indexOf(':');
            n += Integer.parseInt(v.substring(0, c)) + Integer.parseInt(v.substring(c + 1)) > 0 ? 1 : 0;
          }
        }
        listLookup = Math.min(listLookup, (System.nanoTime() - s) / 1e6);
      }
      System.out.printf("%d tracks x %d s, %d postings, %d query hashes%n", tracks, seconds, postings, hashes.length);
      System.out.printf("bucketed binary (layout 3): %.1f bytes/posting, write %.2f s, 5 s query lookup %.2f ms%n",
          (m1 - m0) / (double) postings, binWrite, binLookup);
      System.out.printf("note's list of \"id:offsetMs\": %.1f bytes/posting, write %.2f s, 5 s query lookup %.2f ms%n",
          (m2 - m1) / (double) postings, listWrite, listLookup);
      index.deleteAll();
      ItServices.deleteRedisPrefix(listPrefix);
    }
  }

  private static long usedMemory(RedisFingerprintIndex index) {
    return index.usedMemoryBytes();
  }
}
