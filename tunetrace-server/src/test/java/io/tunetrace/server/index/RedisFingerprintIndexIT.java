package io.tunetrace.server.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.IncompatibleParamsException;
import io.tunetrace.core.index.IndexException;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.server.support.ItServices;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.Pool;

/** The Redis index on one Redis; {@link RedisClusterFingerprintIndexIT} runs it on the Cluster. */
class RedisFingerprintIndexIT {
  protected String prefix;
  protected RedisFingerprintIndex index;
  protected UnifiedJedis raw;

  /** Opens the index under test. */
  protected RedisFingerprintIndex openIndex(String prefix, FingerprintParams params) {
    return RedisFingerprintIndex.open(ItServices.REDIS_URL, prefix, params);
  }

  /** A plain client on the same Redis, to look at the keys. */
  protected UnifiedJedis rawClient() {
    return new JedisPooled(java.net.URI.create(ItServices.REDIS_URL));
  }

  @BeforeEach
  void open() {
    prefix = ItServices.uniqueName("ttit");
    raw = rawClient();
    index = openIndex(prefix, FingerprintParams.DEFAULT);
  }

  @AfterEach
  void close() {
    index.deleteAll();
    index.close();
    raw.close();
  }

  private static TrackMetadata meta(String title) {
    return new TrackMetadata(title, "artist", "", "tracks/" + title, 1000, "");
  }

  private static List<int[]> lookup(RedisFingerprintIndex index, int[] hashes, int cap) {
    List<int[]> out = new ArrayList<>();
    index.lookup(hashes, cap, (q, t, f) -> out.add(new int[] {q, t, f}));
    out.sort((a, b) -> a[0] != b[0] ? a[0] - b[0] : a[1] != b[1] ? a[1] - b[1] : a[2] - b[2]);
    return out;
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.US_ASCII);
  }

  /** Appends one posting the way a client does, as docs/REDIS.md describes the layout. */
  private void appendPosting(int hash, int track, int frame) {
    byte[] key = bytes(index.bucketKey(hash));
    byte[] field = bytes(RedisFingerprintIndex.field(hash));
    byte[] old = raw.hget(key, field);
    byte[] posting = ByteBuffer.allocate(8).putInt(track).putInt(frame).array();
    byte[] value = old == null ? posting : ByteBuffer.allocate(old.length + 8).put(old).put(posting).array();
    raw.hset(key, field, value);
  }

  @Test
  void hashListsRoundTripAsVarintDeltas() {
    int[] hashes = {0, 1, 127, 128, 0x7fffff, -5, Integer.MIN_VALUE, Integer.MAX_VALUE};
    byte[] encoded = RedisFingerprintIndex.encodeHashes(hashes);
    assertEquals(List.of(0, 1, 127, 128, 0x7fffff, Integer.MAX_VALUE, Integer.MIN_VALUE, -5),
        java.util.Arrays.stream(RedisFingerprintIndex.decodeHashes(encoded)).boxed().toList());
    // Deltas 0, 1, 126, 1 take a byte each; 0x7fff7f (23 bits) takes four.
    assertEquals(1 + 1 + 1 + 1 + 4, RedisFingerprintIndex.encodeHashes(new int[] {0, 1, 127, 128, 0x7fffff}).length);
  }

  @Test
  void raisesTheListpackLimitsSoBucketsStayCompact() {
    for (String name : List.of("hash-max-listpack-value", "hash-max-listpack-entries")) {
      var pools = raw instanceof redis.clients.jedis.JedisCluster c
          ? List.copyOf(c.getClusterNodes().values()) : List.of(((JedisPooled) raw).getPool());
      long setting = pools.stream().map(pool -> {
        try (var conn = pool.getResource()) {
          conn.sendCommand(redis.clients.jedis.Protocol.Command.CONFIG, "GET", name);
          return Long.parseLong(conn.getMultiBulkReply().get(1));
        }
      }).min(Long::compare).orElseThrow();
      assertTrue(setting >= (name.endsWith("value") ? RedisFingerprintIndex.LISTPACK_VALUE_BYTES
          : RedisFingerprintIndex.LISTPACK_ENTRIES), name + " " + setting);
    }
    // A hash with 1,000 postings (8,000 bytes) keeps its bucket a listpack.
    int[] hashes = new int[1000];
    int[] frames = new int[1000];
    for (int i = 0; i < 1000; i++) {
      hashes[i] = 0x5151;
      frames[i] = i;
    }
    index.add(meta("hot"), Fingerprints.of(hashes, frames, 1000, 1000));
    assertEquals("listpack", raw.objectEncoding(index.bucketKey(0x5151)));
    assertEquals(8000, raw.hstrlen(index.bucketKey(0x5151), "81"));
  }

  @Test
  void storesPostingsUnderInspectableKeysAndFindsThem() {
    Track a = index.add(meta("a"), Fingerprints.of(new int[] {0xabc, 0xdef, 0xabc}, new int[] {1, 2, 9}, 3, 10));
    Track b = index.add(meta("b"), Fingerprints.of(new int[] {0xabc}, new int[] {5}, 1, 10));
    assertEquals(a.id() + 1, b.id());
    assertEquals(3, a.postingCount());
    // Hash 0xabc: bucket 0x00000a, field 0xbc = 188.
    assertEquals(prefix + ":fp:00000a", index.bucketKey(0xabc));
    assertEquals(3 * 8, raw.hstrlen(prefix + ":fp:00000a", "188"));
    assertEquals(8, raw.hstrlen(prefix + ":fp:00000d", "239"));
    assertEquals("listpack", raw.objectEncoding(prefix + ":fp:00000a"));
    assertEquals("a", raw.hget(prefix + ":{" + prefix + "}:track:" + a.id(), "title"));
    assertEquals(0, raw.zcard(index.pendingKey()));
    List<int[]> hits = lookup(index, new int[] {0xdef, 0xabc, 0x123}, 100);
    assertEquals(4, hits.size());
    assertEquals(List.of("0," + a.id() + ",2", "1," + a.id() + ",1", "1," + a.id() + ",9",
        "1," + b.id() + ",5"), hits.stream().map(h -> h[0] + "," + h[1] + "," + h[2]).toList());
    assertEquals(Optional.of(a), index.track(a.id()));
    assertEquals(List.of(a, b), index.tracks());
  }

  @Test
  void skipsHotHashes() {
    index.add(meta("a"), Fingerprints.of(new int[] {7, 7, 7, 8}, new int[] {1, 2, 3, 4}, 4, 10));
    assertEquals(1, lookup(index, new int[] {7, 8}, 2).size());
    assertEquals(4, lookup(index, new int[] {7, 8}, 3).size());
  }

  @Test
  void removeDeletesEveryPostingAndLeavesOtherTracks() {
    Track a = index.add(meta("a"), Fingerprints.of(new int[] {1, 2, 3}, new int[] {1, 2, 3}, 3, 10));
    Track b = index.add(new TrackMetadata("b", "", "", "", 2000, "ab".repeat(32)),
        Fingerprints.of(new int[] {2, 3, 4}, new int[] {4, 5, 6}, 3, 10));
    assertEquals(Optional.of(b), index.findBySha256("AB".repeat(32)));
    assertEquals(6, index.stats().postings());
    assertTrue(index.remove(a.id()));
    assertFalse(index.remove(a.id()));
    assertEquals(Optional.empty(), index.track(a.id()));
    List<int[]> hits = lookup(index, new int[] {1, 2, 3, 4}, 100);
    assertEquals(3, hits.size());
    assertTrue(hits.stream().allMatch(h -> h[1] == b.id()));
    assertEquals(1, index.stats().tracks());
    assertEquals(3, index.stats().postings());
    assertEquals(2000, index.stats().durationMillis());
    assertFalse(raw.hexists(prefix + ":fp:000000", "1"));
    assertEquals(8, raw.hstrlen(prefix + ":fp:000000", "2"));
    assertFalse(raw.exists(index.trackHashesKey(a.id())));
    assertEquals(0, raw.zcard(index.pendingKey()));
    assertTrue(index.remove(b.id()));
    assertEquals(Optional.empty(), index.findBySha256("ab".repeat(32)));
  }

  @Test
  void postingsOfATrackWhoseClientDiedBeforePublishingAreHiddenThenSwept() {
    Track live = index.add(meta("live"), Fingerprints.of(new int[] {0x42, 0x43}, new int[] {7, 8}, 2, 10));
    // What a client that died between writing postings and publishing leaves, as the layout says.
    int dead = live.id() + 100;
    long twoHoursAgo = System.currentTimeMillis() - Duration.ofHours(2).toMillis();
    raw.zadd(index.pendingKey(), twoHoursAgo, Integer.toString(dead));
    raw.set(bytes(index.trackHashesKey(dead)), RedisFingerprintIndex.encodeHashes(new int[] {0x42, 0x44}));
    appendPosting(0x42, dead, 3);
    appendPosting(0x44, dead, 4);

    assertEquals(List.of("0," + live.id() + ",7"),
        lookup(index, new int[] {0x42, 0x44}, 100).stream().map(h -> h[0] + "," + h[1] + "," + h[2]).toList());
    assertEquals(List.of(live), index.tracks());
    assertEquals(2, index.stats().postings());
    assertEquals(List.of(), index.sweepAbandoned(Duration.ofHours(3)));
    assertEquals(16, raw.hstrlen(index.bucketKey(0x42), "66"));

    assertEquals(List.of(dead), index.sweepAbandoned(Duration.ofHours(1)));
    assertEquals(8, raw.hstrlen(index.bucketKey(0x42), "66"));
    assertFalse(raw.hexists(index.bucketKey(0x44), "68"));
    assertFalse(raw.exists(index.trackHashesKey(dead)));
    assertEquals(0, raw.zcard(index.pendingKey()));
    assertEquals(List.of("0," + live.id() + ",7"),
        lookup(index, new int[] {0x42}, 100).stream().map(h -> h[0] + "," + h[1] + "," + h[2]).toList());
  }

  @Test
  void openSweepsWhatADeadClientLeftAnHourAgo() {
    int dead = 5000;
    raw.zadd(index.pendingKey(), System.currentTimeMillis() - Duration.ofMinutes(61).toMillis(),
        Integer.toString(dead));
    raw.set(bytes(index.trackHashesKey(dead)), RedisFingerprintIndex.encodeHashes(new int[] {0x1299}));
    appendPosting(0x1299, dead, 3);
    openIndex(prefix, FingerprintParams.DEFAULT).close();
    assertFalse(raw.exists(index.bucketKey(0x1299)));
    assertEquals(0, raw.zcard(index.pendingKey()));
  }

  @Test
  void refusesOtherParameters() {
    FingerprintParams d = FingerprintParams.DEFAULT;
    FingerprintParams other = new FingerprintParams(d.sampleRateHz(), d.fftSize(), d.hopSamples(),
        d.minBin(), d.maxBin(), d.peakBinRadius(), d.peakFrameRadius(), d.peaksPerSecond(),
        d.fanOut() + 1, d.minDeltaFrames(), d.maxDeltaFrames(), d.maxDeltaBins(), d.hashVersion());
    IncompatibleParamsException e = assertThrows(IncompatibleParamsException.class,
        () -> openIndex(prefix, other));
    assertEquals("index was built with other fingerprint parameters; rebuild it or query with its own.\n"
        + "  index: " + d.toConfigString() + "\n"
        + "  query: " + other.toConfigString(), e.getMessage());
  }

  /**
   * Opened without parameters (as the server opens it), an index keeps those it was built with,
   * even when they are not today's defaults; a new prefix gets the defaults.
   */
  @Test
  void keepsTheParametersItWasBuiltWith() {
    FingerprintParams d = FingerprintParams.DEFAULT;
    FingerprintParams narrowing = new FingerprintParams(d.sampleRateHz(), d.fftSize(),
        d.hopSamples(), d.minBin(), d.maxBin(), d.peakBinRadius(), d.peakFrameRadius(),
        d.peaksPerSecond(), d.fanOut(), d.minDeltaFrames(), d.maxDeltaFrames(), d.maxDeltaBins(),
        d.hashVersion(), 8, 3);
    String built = ItServices.uniqueName("ttkeep");
    String fresh = ItServices.uniqueName("ttnew");
    try {
      openIndex(built, narrowing).close();
      try (RedisFingerprintIndex reopened = openIndex(built, null)) {
        assertEquals(narrowing, reopened.params());
      }
      try (RedisFingerprintIndex created = openIndex(fresh, null)) {
        assertEquals(d, created.params());
      }
      assertEquals("layout=" + RedisFingerprintIndex.LAYOUT_VERSION + ";" + d.toConfigString(),
          raw.get(fresh + ":params"));
      // Asked for other parameters, it still refuses.
      assertThrows(IncompatibleParamsException.class, () -> openIndex(built, d));
    } finally {
      raw.del(built + ":params");
      raw.del(fresh + ":params");
    }
  }

  @Test
  void refusesAnIndexWithAnOlderKeyLayout() {
    String old = ItServices.uniqueName("ttold");
    // Layout 1 stored the bare parameters.
    raw.set(old + ":params", FingerprintParams.DEFAULT.toConfigString());
    try {
      IndexException e = assertThrows(IndexException.class,
          () -> openIndex(old, FingerprintParams.DEFAULT));
      assertEquals("the Redis index under prefix " + old + " has key layout 1; this server reads"
          + " layout " + RedisFingerprintIndex.LAYOUT_VERSION + ". Delete its keys (redis-cli --scan"
          + " --pattern '" + old + ":*' | xargs redis-cli del) and fingerprint the tracks again,"
          + " or use another QUEUE_PREFIX", e.getMessage());
    } finally {
      raw.del(old + ":params");
    }
  }

  /** The one Redis, or every node of the Cluster. */
  private List<Pool<Connection>> nodes() {
    return raw instanceof JedisCluster c
        ? List.copyOf(c.getClusterNodes().values()) : List.of(((JedisPooled) raw).getPool());
  }

  /** {@code SCRIPT FLUSH} on every node: what a restart or a failover does to the script cache. */
  private void flushScripts() {
    for (Pool<Connection> pool : nodes()) {
      try (Connection c = pool.getResource()) {
        c.sendCommand(Protocol.Command.SCRIPT, "FLUSH");
        assertEquals("OK", c.getStatusCodeReply());
      }
    }
  }

  /** NOSCRIPT replies so far, summed over the nodes ({@code INFO errorstats}). */
  private long noScriptReplies() {
    long sum = 0;
    for (Pool<Connection> pool : nodes()) {
      try (Connection c = pool.getResource()) {
        c.sendCommand(Protocol.Command.INFO, "errorstats");
        for (String line : c.getBulkReply().split("\r?\n")) {
          if (line.startsWith("errorstat_NOSCRIPT:count=")) {
            sum += Long.parseLong(line.substring("errorstat_NOSCRIPT:count=".length()).split(",")[0]);
          }
        }
      }
    }
    return sum;
  }

  private static Fingerprints randomPrints(Random r, int n) {
    int[] hashes = new int[n];
    int[] frames = new int[n];
    for (int i = 0; i < n; i++) {
      hashes[i] = r.nextInt(1 << 23);
      frames[i] = i;
    }
    return Fingerprints.of(hashes, frames, n, n);
  }

  /**
   * Looks up every hash of {@code all} and asserts that the postings found are exactly those of the
   * {@code live} tracks, each once: none missing, none twice, none of another track.
   */
  private void assertPostingsExactly(Map<Integer, Fingerprints> live, List<Fingerprints> all) {
    int[] query = all.stream().flatMapToInt(f -> Arrays.stream(f.hashes(), 0, f.size()))
        .distinct().toArray();
    List<String> found = new ArrayList<>();
    index.lookup(query, Integer.MAX_VALUE, (q, t, f) -> found.add(query[q] + "/" + t + "/" + f));
    List<String> expected = new ArrayList<>();
    live.forEach((id, fp) -> {
      for (int i = 0; i < fp.size(); i++) {
        expected.add(fp.hash(i) + "/" + id + "/" + fp.frame(i));
      }
    });
    Collections.sort(found);
    Collections.sort(expected);
    if (!found.equals(expected)) {
      Map<String, Integer> diff = new HashMap<>();
      found.forEach(k -> diff.merge(k, 1, Integer::sum));
      expected.forEach(k -> diff.merge(k, -1, Integer::sum));
      diff.values().removeIf(v -> v == 0);
      throw new AssertionError("found " + found.size() + " postings, expected " + expected.size()
          + "; hash/track/frame → found minus expected (first 10): "
          + diff.entrySet().stream().limit(10).toList());
    }
    assertEquals(expected.size(), index.stats().postings());
    assertEquals(0, raw.zcard(index.pendingKey()));
  }

  @Test
  void scriptsFlushedBetweenAddsAndRemovalsAreLoadedAgainAndPostingsStayExact() {
    Random r = new Random(44);
    List<Fingerprints> all = new ArrayList<>();
    Map<Integer, Fingerprints> live = new LinkedHashMap<>();
    long noScript = noScriptReplies();
    // Each step starts on an empty script cache: reserve, append and publish; append and publish;
    // hide and remove; claim and remove.
    flushScripts();
    Fingerprints a = randomPrints(r, 5_000);
    all.add(a);
    live.put(index.addAs(7000, meta("a"), a).id(), a);
    flushScripts();
    Fingerprints b = randomPrints(r, 5_000);
    all.add(b);
    live.put(index.add(meta("b"), b).id(), b);
    assertPostingsExactly(live, all);
    flushScripts();
    assertTrue(index.remove(7000));
    live.remove(7000);
    assertPostingsExactly(live, all);

    int dead = 9000;
    raw.zadd(index.pendingKey(), System.currentTimeMillis() - Duration.ofHours(2).toMillis(),
        Integer.toString(dead));
    raw.set(bytes(index.trackHashesKey(dead)), RedisFingerprintIndex.encodeHashes(new int[] {b.hash(0)}));
    appendPosting(b.hash(0), dead, 3);
    flushScripts();
    assertEquals(List.of(dead), index.sweepAbandoned(Duration.ofHours(1)));
    assertPostingsExactly(live, all);
    assertTrue(noScriptReplies() > noScript, "no NOSCRIPT reply: the flushes were not noticed");
  }

  @Test
  void scriptsFlushedOverAndOverWhileTracksAreAddedAndRemovedLeaveExactlyTheirPostings()
      throws Exception {
    Random r = new Random(45);
    List<Fingerprints> all = new ArrayList<>();
    Map<Integer, Fingerprints> live = new LinkedHashMap<>();
    long noScript = noScriptReplies();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger flushes = new AtomicInteger();
    ExecutorService flusher = Executors.newSingleThreadExecutor();
    try {
      // Flushes land inside the pipelines (a track's appends are several pipelines of 2,000).
      Future<?> flushing = flusher.submit(() -> {
        while (!stop.get()) {
          flushScripts();
          flushes.incrementAndGet();
          Thread.sleep(3);
        }
        return null;
      });
      for (int t = 0; t < 8; t++) {
        Fingerprints fp = randomPrints(r, 10_000);
        all.add(fp);
        live.put(index.add(meta("t" + t), fp).id(), fp);
        if (t % 3 == 2) {
          int first = live.keySet().iterator().next();
          assertTrue(index.remove(first));
          live.remove(first);
        }
      }
      stop.set(true);
      flushing.get(10, TimeUnit.SECONDS);
    } finally {
      stop.set(true);
      flusher.shutdownNow();
    }
    assertTrue(flushes.get() > 10, "flushes: " + flushes.get());
    assertTrue(noScriptReplies() > noScript, "no NOSCRIPT reply: the flushes were not noticed");
    assertEquals(6, live.size());
    assertEquals(List.copyOf(live.keySet()), index.tracks().stream().map(Track::id).toList());
    assertPostingsExactly(live, all);
  }

  @Test
  void anErrorReplyInsideTheAppendPipelineFailsTheAddAndShowsNothing() {
    Random r = new Random(46);
    Fingerprints fp = randomPrints(r, 5_000);
    // A bucket of the middle of the track's pipeline that is not a hash: that one call fails.
    int spoiled = Arrays.stream(fp.hashes(), 0, fp.size()).sorted().toArray()[2_500];
    raw.set(index.bucketKey(spoiled), "not a bucket");
    IndexException e = assertThrows(IndexException.class, () -> index.add(meta("spoiled"), fp));
    assertTrue(e.getMessage().startsWith(
        "redis: WRONGTYPE Operation against a key holding the wrong kind of value"), e.getMessage());
    assertEquals(List.of(), index.tracks());
    assertEquals(0, index.stats().postings());
    // Every other bucket of the track got its postings, which the failed add hides.
    int[] others = Arrays.stream(fp.hashes(), 0, fp.size())
        .filter(h -> h >>> RedisFingerprintIndex.FIELD_BITS != spoiled >>> RedisFingerprintIndex.FIELD_BITS)
        .toArray();
    assertTrue(others.length > 4_900, "others: " + others.length);
    assertEquals(List.of(), lookup(index, others, Integer.MAX_VALUE));
  }

  @Test
  void aClosedPortIsReportedAsUnavailable() throws Exception {
    int port = io.tunetrace.server.support.S3ProxyProcess.freePort();
    IndexUnavailableException e = assertThrows(IndexUnavailableException.class,
        () -> RedisFingerprintIndex.open("redis://127.0.0.1:" + port, prefix, FingerprintParams.DEFAULT));
    assertTrue(e.getMessage().startsWith("redis unavailable: "), e.getMessage());
  }
}
