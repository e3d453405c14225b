package io.tunetrace.server.index;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.IncompatibleParamsException;
import io.tunetrace.core.index.IndexStats;
import io.tunetrace.core.index.NewTrack;
import io.tunetrace.core.index.PostingVisitor;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A {@link FingerprintIndex} in Redis, laid out so that {@code redis-cli} can inspect it:
 *
 * <ul>
 *   <li>{@code <prefix>:fp:0x<hash as 8 hex digits>}: a string of 8-byte postings, each the
 *       track id and the frame as big-endian int32, appended per track;
 *   <li>{@code <prefix>:track:<id>}: a hash with the track's metadata and posting count;
 *   <li>{@code <prefix>:track:<id>:hashes}: the track's distinct hashes (4 bytes each), so that
 *       {@link #remove} finds every posting;
 *   <li>{@code <prefix>:tracks} (sorted set of ids), {@code <prefix>:sha:<sha256>} (id),
 *       {@code <prefix>:seq} (id counter), {@code <prefix>:stats}, {@code <prefix>:params}.
 * </ul>
 *
 * <p>A track is added in one {@code MULTI/EXEC} transaction (pipelined): a client that dies
 * part-way leaves nothing behind. Lookups are pipelined (one {@code GETRANGE} of at most cap + 1
 * postings per distinct hash) and skip hot hashes. Removal rewrites each of the track's posting strings
 * with a server-side script, so it is atomic per key and safe against concurrent appends.
 *
 * <p>Thread-safe (the connection pool is).
 */
public final class RedisFingerprintIndex implements FingerprintIndex {
  /** Bytes per posting in a {@code fp:} value. */
  public static final int POSTING_BYTES = 8;

  private static final int PIPELINE_CHUNK = 2000;

  private static final String REMOVE_SCRIPT =
      "local v = redis.call('GET', KEYS[1])\n"
          + "if not v then return 0 end\n"
          + "local id = ARGV[1]\n"
          + "local out = {}\n"
          + "local removed = 0\n"
          + "for i = 1, #v, 8 do\n"
          + "  if string.sub(v, i, i + 3) == id then removed = removed + 1\n"
          + "  else out[#out + 1] = string.sub(v, i, i + 7) end\n"
          + "end\n"
          + "if removed == 0 then return 0 end\n"
          + "if #out == 0 then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], table.concat(out)) end\n"
          + "return removed\n";

  private final JedisPooled jedis;
  private final boolean ownsPool;
  private final String prefix;
  private final FingerprintParams params;

  private RedisFingerprintIndex(JedisPooled jedis, boolean ownsPool, String prefix,
      FingerprintParams params) {
    this.jedis = jedis;
    this.ownsPool = ownsPool;
    this.prefix = prefix;
    this.params = params;
  }

  /**
   * Opens the index under {@code prefix}, storing {@code params} if the prefix is new and refusing
   * other parameters than the stored ones.
   */
  public static RedisFingerprintIndex open(JedisPooled jedis, String prefix, FingerprintParams params) {
    return open(jedis, false, prefix, params);
  }

  /** Opens with its own connection pool to {@code redisUrl}; {@link #close} closes it. */
  public static RedisFingerprintIndex open(String redisUrl, String prefix, FingerprintParams params) {
    JedisPooled pool = newPool(redisUrl);
    try {
      return open(pool, true, prefix, params);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /** A pool with short timeouts, so that a Redis outage is reported quickly. */
  public static JedisPooled newPool(String redisUrl) {
    var poolConfig = new org.apache.commons.pool2.impl.GenericObjectPoolConfig<redis.clients.jedis.Connection>();
    poolConfig.setMaxTotal(32);
    poolConfig.setMaxWait(java.time.Duration.ofSeconds(2));
    return new JedisPooled(poolConfig, java.net.URI.create(redisUrl), 2000, 10_000);
  }

  private static RedisFingerprintIndex open(JedisPooled jedis, boolean owns, String prefix,
      FingerprintParams params) {
    RedisFingerprintIndex index = new RedisFingerprintIndex(jedis, owns, prefix, params);
    index.call(() -> {
      String key = prefix + ":params";
      jedis.setnx(key, params.toConfigString());
      String stored = jedis.get(key);
      if (!params.toConfigString().equals(stored)) {
        throw new IncompatibleParamsException(
            "index was built with other fingerprint parameters; rebuild it or query with its own.\n"
                + "  index: " + stored + "\n"
                + "  query: " + params.toConfigString());
      }
      return null;
    });
    return index;
  }

  /** Key of the postings of one hash: {@code <prefix>:fp:0x<8 hex digits>}. */
  public String hashKey(int hash) {
    return prefix + ":fp:0x" + String.format("%08x", hash);
  }

  private byte[] hashKeyBytes(int hash) {
    return hashKey(hash).getBytes(StandardCharsets.US_ASCII);
  }

  private String trackKey(int id) {
    return prefix + ":track:" + id;
  }

  private <T> T call(Supplier<T> action) {
    try {
      return action.get();
    } catch (JedisConnectionException e) {
      throw new IndexUnavailableException("redis unavailable: " + e.getMessage(), e);
    } catch (JedisException e) {
      if (e.getCause() instanceof JedisConnectionException
          || e.getCause() instanceof java.util.NoSuchElementException) {
        throw new IndexUnavailableException("redis unavailable: " + e.getMessage(), e);
      }
      throw new io.tunetrace.core.index.IndexException("redis: " + e.getMessage(), e);
    }
  }

  @Override
  public FingerprintParams params() {
    return params;
  }

  @Override
  public List<Track> add(List<NewTrack> batch) {
    List<Track> out = new ArrayList<>(batch.size());
    for (NewTrack t : batch) {
      out.add(call(() -> addOne(t.metadata(), t.fingerprints())));
    }
    return out;
  }

  private Track addOne(TrackMetadata m, Fingerprints fp) {
    long idLong = jedis.incr(prefix + ":seq");
    if (idLong > Integer.MAX_VALUE) {
      throw new io.tunetrace.core.index.IndexException("track id space exhausted: " + idLong);
    }
    int id = (int) idLong;
    long addedAt = System.currentTimeMillis();
    int n = fp.size();
    // Group postings by hash: sort (hash, position) pairs.
    long[] order = new long[n];
    for (int i = 0; i < n; i++) {
      order[i] = ((long) fp.hash(i) << 32) | (i & 0xffffffffL);
    }
    Arrays.sort(order);
    ByteBuffer distinct = ByteBuffer.allocate(n * 4);
    try (var conn = jedis.getPool().getResource();
        var tx = new redis.clients.jedis.Transaction(conn)) {
      int i = 0;
      while (i < n) {
        int hash = (int) (order[i] >> 32);
        int j = i;
        while (j < n && (int) (order[j] >> 32) == hash) {
          j++;
        }
        ByteBuffer value = ByteBuffer.allocate((j - i) * POSTING_BYTES);
        for (int k = i; k < j; k++) {
          int pos = (int) order[k];
          value.putInt(id).putInt(fp.frame(pos));
        }
        tx.append(hashKeyBytes(hash), value.array());
        distinct.putInt(hash);
        i = j;
      }
      byte[] hashes = Arrays.copyOf(distinct.array(), distinct.position());
      String tk = trackKey(id);
      tx.set((tk + ":hashes").getBytes(StandardCharsets.US_ASCII), hashes);
      Map<String, String> fields = new HashMap<>();
      fields.put("title", m.title());
      fields.put("artist", m.artist());
      fields.put("album", m.album());
      fields.put("source", m.sourcePath());
      fields.put("duration_ms", Long.toString(m.durationMillis()));
      fields.put("sha256", m.sha256());
      fields.put("postings", Integer.toString(n));
      fields.put("added_at", Long.toString(addedAt));
      tx.hset(tk, fields);
      tx.zadd(prefix + ":tracks", id, Integer.toString(id));
      if (!m.sha256().isEmpty()) {
        tx.setnx(prefix + ":sha:" + m.sha256(), Integer.toString(id));
      }
      tx.hincrBy(prefix + ":stats", "postings", n);
      tx.hincrBy(prefix + ":stats", "duration_ms", m.durationMillis());
      tx.exec();
    }
    return new Track(id, m, n, addedAt);
  }

  @Override
  public void lookup(int[] hashes, int maxPostingsPerHash, PostingVisitor visitor) {
    if (hashes.length == 0) {
      return;
    }
    // Distinct hashes, each with the query positions holding it.
    Map<Integer, List<Integer>> positions = new HashMap<>();
    for (int i = 0; i < hashes.length; i++) {
      positions.computeIfAbsent(hashes[i], h -> new ArrayList<>(1)).add(i);
    }
    List<Integer> distinct = new ArrayList<>(positions.keySet());
    long cap = Math.max(1, maxPostingsPerHash);
    call(() -> {
      for (int from = 0; from < distinct.size(); from += PIPELINE_CHUNK) {
        int to = Math.min(distinct.size(), from + PIPELINE_CHUNK);
        List<Response<byte[]>> values = new ArrayList<>(to - from);
        try (Pipeline p = jedis.pipelined()) {
          for (int k = from; k < to; k++) {
            // One posting more than the cap tells a hot hash apart without a STRLEN round.
            values.add(p.getrange(hashKeyBytes(distinct.get(k)), 0, (cap + 1) * POSTING_BYTES - 1));
          }
          p.sync();
        }
        for (int k = from; k < to; k++) {
          byte[] value = values.get(k - from).get();
          if (value == null || value.length == 0 || value.length > cap * POSTING_BYTES) {
            continue;
          }
          ByteBuffer v = ByteBuffer.wrap(value);
          List<Integer> qs = positions.get(distinct.get(k));
          while (v.remaining() >= POSTING_BYTES) {
            int track = v.getInt();
            int frame = v.getInt();
            for (int q : qs) {
              visitor.visit(q, track, frame);
            }
          }
        }
      }
      return null;
    });
  }

  @Override
  public boolean remove(int trackId) {
    return call(() -> {
      String tk = trackKey(trackId);
      Map<String, String> meta = jedis.hgetAll(tk);
      byte[] hashes = jedis.get((tk + ":hashes").getBytes(StandardCharsets.US_ASCII));
      if (meta.isEmpty() && hashes == null) {
        return false;
      }
      if (hashes != null) {
        byte[] sha = jedis.scriptLoad(REMOVE_SCRIPT.getBytes(StandardCharsets.UTF_8), tk.getBytes(StandardCharsets.US_ASCII));
        byte[] id = ByteBuffer.allocate(4).putInt(trackId).array();
        ByteBuffer hb = ByteBuffer.wrap(hashes);
        while (hb.remaining() >= 4) {
          try (Pipeline p = jedis.pipelined()) {
            for (int k = 0; k < PIPELINE_CHUNK && hb.remaining() >= 4; k++) {
              p.evalsha(sha, List.of(hashKeyBytes(hb.getInt())), List.of(id));
            }
            p.sync();
          }
        }
      }
      long postings = parseLong(meta.get("postings"));
      long duration = parseLong(meta.get("duration_ms"));
      try (var conn = jedis.getPool().getResource();
          var tx = new redis.clients.jedis.Transaction(conn)) {
        tx.del(tk, tk + ":hashes");
        tx.zrem(prefix + ":tracks", Integer.toString(trackId));
        if (!meta.isEmpty()) {
          tx.hincrBy(prefix + ":stats", "postings", -postings);
          tx.hincrBy(prefix + ":stats", "duration_ms", -duration);
        }
        tx.exec();
      }
      String sha = meta.get("sha256");
      if (sha != null && !sha.isEmpty()) {
        String shaKey = prefix + ":sha:" + sha;
        if (Integer.toString(trackId).equals(jedis.get(shaKey))) {
          jedis.del(shaKey);
        }
      }
      return !meta.isEmpty();
    });
  }

  private static long parseLong(String s) {
    return s == null || s.isEmpty() ? 0 : Long.parseLong(s);
  }

  @Override
  public Optional<Track> track(int trackId) {
    if (trackId <= 0) {
      return Optional.empty();
    }
    return call(() -> toTrack(trackId, jedis.hgetAll(trackKey(trackId))));
  }

  private static Optional<Track> toTrack(int id, Map<String, String> f) {
    if (f == null || f.isEmpty() || f.get("title") == null) {
      return Optional.empty();
    }
    TrackMetadata m = new TrackMetadata(f.get("title"), f.get("artist"), f.get("album"),
        f.get("source"), parseLong(f.get("duration_ms")), f.get("sha256"));
    return Optional.of(new Track(id, m, parseLong(f.get("postings")), parseLong(f.get("added_at"))));
  }

  @Override
  public List<Track> tracks() {
    return call(() -> {
      List<String> ids = jedis.zrange(prefix + ":tracks", 0, -1);
      List<Response<Map<String, String>>> rs = new ArrayList<>(ids.size());
      try (Pipeline p = jedis.pipelined()) {
        for (String id : ids) {
          rs.add(p.hgetAll(trackKey(Integer.parseInt(id))));
        }
        p.sync();
      }
      List<Track> out = new ArrayList<>(ids.size());
      for (int i = 0; i < ids.size(); i++) {
        toTrack(Integer.parseInt(ids.get(i)), rs.get(i).get()).ifPresent(out::add);
      }
      return out;
    });
  }

  @Override
  public Optional<Track> findBySha256(String sha256) {
    if (sha256 == null || sha256.isEmpty()) {
      return Optional.empty();
    }
    return call(() -> {
      String id = jedis.get(prefix + ":sha:" + sha256.toLowerCase(java.util.Locale.ROOT));
      return id == null ? Optional.<Track>empty() : track(Integer.parseInt(id));
    });
  }

  @Override
  public IndexStats stats() {
    return call(() -> {
      long tracks = jedis.zcard(prefix + ":tracks");
      Map<String, String> s = jedis.hgetAll(prefix + ":stats");
      return new IndexStats(tracks, parseLong(s.get("duration_ms")), parseLong(s.get("postings")),
          usedMemoryBytes());
    });
  }

  /** {@code used_memory} of the whole Redis instance, from {@code INFO memory}. */
  public long usedMemoryBytes() {
    return call(() -> {
      String info;
      try (var conn = jedis.getPool().getResource()) {
        conn.sendCommand(redis.clients.jedis.Protocol.Command.INFO, "memory");
        info = conn.getBulkReply();
      }
      for (String line : info.split("\r?\n")) {
        if (line.startsWith("used_memory:")) {
          return Long.parseLong(line.substring("used_memory:".length()).trim());
        }
      }
      return 0L;
    });
  }

  /** Throws {@link IndexUnavailableException} unless Redis answers PING. */
  public void ping() {
    call(jedis::ping);
  }

  /**
   * Deletes every key under this index's prefix (tests and resets). Uses SCAN, never KEYS.
   */
  public void deleteAll() {
    call(() -> {
      var params = new redis.clients.jedis.params.ScanParams().match(prefix + ":*").count(1000);
      String cursor = redis.clients.jedis.params.ScanParams.SCAN_POINTER_START;
      do {
        var page = jedis.scan(cursor, params);
        if (!page.getResult().isEmpty()) {
          jedis.del(page.getResult().toArray(new String[0]));
        }
        cursor = page.getCursor();
      } while (!"0".equals(cursor));
      return null;
    });
  }

  @Override
  public void close() {
    if (ownsPool) {
      jedis.close();
    }
  }
}
