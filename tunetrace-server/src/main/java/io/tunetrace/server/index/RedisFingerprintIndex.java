package io.tunetrace.server.index;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.IncompatibleParamsException;
import io.tunetrace.core.index.IndexException;
import io.tunetrace.core.index.IndexStats;
import io.tunetrace.core.index.NewTrack;
import io.tunetrace.core.index.PostingVisitor;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackIdInUseException;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.core.index.TrackPeaks;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.util.Pool;

/**
 * A {@link FingerprintIndex} in one Redis or a Redis Cluster, laid out so that {@code redis-cli}
 * can inspect it (layout version {@value #LAYOUT_VERSION}, docs/REDIS.md):
 *
 * <ul>
 *   <li>{@code <prefix>:fp:<hash >>> 8 as 6 hex digits>}: a bucket, a Redis hash whose field
 *       {@code <hash & 255>} (decimal) holds that hash's postings, 8 bytes each: the track id and
 *       the frame as big-endian int32, appended per track. Buckets stay small enough for Redis'
 *       listpack encoding, which is what keeps memory near 10 bytes per posting;
 *   <li>{@code <prefix>:track:<id>:hashes}: the track's distinct hashes (varint deltas), so that
 *       {@link #remove} and {@link #sweepAbandoned} find every posting;
 *   <li>the track records, all under the hash tag {@code {<prefix>}} so that they share one
 *       Cluster slot and are published by one script: {@code <prefix>:{<prefix>}:track:<id>} (a
 *       hash: metadata and posting count), {@code :tracks} (sorted set of published ids), {@code
 *       :sha:<sha256>} (id), {@code :seq} (id counter), {@code :stats}, and {@code :pending}
 *       (sorted set: ids being added or removed, scored by the start time in milliseconds);
 *   <li>{@code <prefix>:params}: {@code layout=<version>;} and the fingerprint parameters.
 * </ul>
 *
 * <p>No operation needs keys of two slots together, so the same code runs on one Redis and on a
 * Cluster; pipelines are split per node by Jedis' {@code ClusterPipeline}. A batch is added in
 * three steps: its ids go into {@code pending}, its postings are written, and then one script
 * publishes every track record of the batch and takes the ids out of {@code pending}. Lookups read
 * the postings first and {@code pending} after them, and drop postings of pending ids; so a
 * client that dies part-way leaves nothing visible: its postings are never returned and its
 * tracks never listed, and the leftovers are deleted by {@link #sweepAbandoned} (run at open for
 * entries older than {@link #ABANDONED_AFTER}). Removal is the reverse: one script hides the track
 * and marks it pending, then its postings are deleted bucket by bucket (a script per bucket,
 * atomic against concurrent appends), then the pending mark goes. Writes are one script per
 * bucket too; lookups pipeline one {@code HGET} per distinct hash. Every script runs by {@code
 * EVALSHA} through {@link RedisScript}, which loads it again where a node lost it and runs again
 * exactly the calls that got {@code NOSCRIPT}, so none is lost or applied twice.
 *
 * <p>Thread-safe (the connection pools are).
 */
public final class RedisFingerprintIndex implements FingerprintIndex {
  /** Bytes per posting in a {@code fp:} value. */
  public static final int POSTING_BYTES = 8;

  /** The key layout this class reads and writes; other layouts are refused at open. */
  public static final int LAYOUT_VERSION = 3;

  /** Low bits of a hash that name its field in a bucket; the rest name the bucket. */
  public static final int FIELD_BITS = 8;

  /**
   * The {@code hash-max-listpack-value} (bytes) that keeps every bucket in Redis' compact listpack
   * encoding up to 8,192 postings per hash; {@link #open} raises a lower setting.
   */
  public static final int LISTPACK_VALUE_BYTES = 65_536;

  /** The {@code hash-max-listpack-entries} a bucket of {@code 2^FIELD_BITS} fields needs. */
  public static final int LISTPACK_ENTRIES = 1 << FIELD_BITS;

  /** A pending id older than this is taken for the leftover of a dead client by {@link #open}. */
  public static final Duration ABANDONED_AFTER = Duration.ofHours(1);

  private static final int PIPELINE_CHUNK = 2000;

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(RedisFingerprintIndex.class);

  /** Appends postings to fields of one bucket: KEYS bucket; ARGV field, postings, field, ... */
  private static final RedisScript APPEND_SCRIPT = new RedisScript("append",
      "for i = 1, #ARGV, 2 do\n"
          + "  local v = redis.call('HGET', KEYS[1], ARGV[i])\n"
          + "  if v then redis.call('HSET', KEYS[1], ARGV[i], v .. ARGV[i + 1])\n"
          + "  else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end\n"
          + "end\n"
          + "return #ARGV / 2\n");

  /**
   * Removes one track's postings from fields of one bucket: KEYS bucket; ARGV track id (4 bytes),
   * field, field, ... A field left empty is deleted.
   */
  private static final RedisScript REMOVE_SCRIPT = new RedisScript("remove",
      "local id = ARGV[1]\n"
          + "local removed = 0\n"
          + "for a = 2, #ARGV do\n"
          + "  local v = redis.call('HGET', KEYS[1], ARGV[a])\n"
          + "  if v then\n"
          + "    local out = {}\n"
          + "    local n = 0\n"
          + "    for i = 1, #v, 8 do\n"
          + "      if string.sub(v, i, i + 3) == id then n = n + 1\n"
          + "      else out[#out + 1] = string.sub(v, i, i + 7) end\n"
          + "    end\n"
          + "    if n > 0 then\n"
          + "      removed = removed + n\n"
          + "      if #out == 0 then redis.call('HDEL', KEYS[1], ARGV[a])\n"
          + "      else redis.call('HSET', KEYS[1], ARGV[a], table.concat(out)) end\n"
          + "    end\n"
          + "  end\n"
          + "end\n"
          + "return removed\n");

  /**
   * Publishes a batch. KEYS: tracks, stats, pending, then per track its record key and its sha
   * key. ARGV: per track id, title, artist, album, source, duration_ms, sha256, postings,
   * added_at (= the pending score). Refuses (and changes nothing) when an id is no longer
   * pending with that score: a sweep claimed it.
   */
  private static final RedisScript PUBLISH_SCRIPT = new RedisScript("publish",
      "local n = (#KEYS - 3) / 2\n"
          + "for i = 0, n - 1 do\n"
          + "  local score = redis.call('ZSCORE', KEYS[3], ARGV[i * 9 + 1])\n"
          + "  if (not score) or tonumber(score) ~= tonumber(ARGV[i * 9 + 9]) then\n"
          + "    return redis.error_reply('track ' .. ARGV[i * 9 + 1] .. ' was swept as abandoned before it was published; add it again')\n"
          + "  end\n"
          + "end\n"
          + "for i = 0, n - 1 do\n"
          + "  local a = i * 9\n"
          + "  local id = ARGV[a + 1]\n"
          + "  redis.call('HSET', KEYS[4 + i * 2], 'title', ARGV[a + 2], 'artist', ARGV[a + 3],"
          + " 'album', ARGV[a + 4], 'source', ARGV[a + 5], 'duration_ms', ARGV[a + 6],"
          + " 'sha256', ARGV[a + 7], 'postings', ARGV[a + 8], 'added_at', ARGV[a + 9])\n"
          + "  redis.call('ZADD', KEYS[1], id, id)\n"
          + "  if ARGV[a + 7] ~= '' then redis.call('SETNX', KEYS[5 + i * 2], id) end\n"
          + "  redis.call('HINCRBY', KEYS[2], 'postings', ARGV[a + 8])\n"
          + "  redis.call('HINCRBY', KEYS[2], 'duration_ms', ARGV[a + 6])\n"
          + "  redis.call('ZREM', KEYS[3], id)\n"
          + "end\n"
          + "return n\n");

  /**
   * Hides a track: KEYS track record, tracks, stats, pending, sha key; ARGV id, now. Returns 1
   * when there was a track.
   */
  private static final RedisScript HIDE_SCRIPT = new RedisScript("hide",
      "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end\n"
          + "local f = redis.call('HMGET', KEYS[1], 'postings', 'duration_ms', 'sha256')\n"
          + "if f[3] and f[3] ~= '' and redis.call('GET', KEYS[5]) == ARGV[1] then redis.call('DEL', KEYS[5]) end\n"
          + "redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])\n"
          + "redis.call('DEL', KEYS[1])\n"
          + "redis.call('ZREM', KEYS[2], ARGV[1])\n"
          + "redis.call('HINCRBY', KEYS[3], 'postings', -tonumber(f[1] or '0'))\n"
          + "redis.call('HINCRBY', KEYS[3], 'duration_ms', -tonumber(f[2] or '0'))\n"
          + "return 1\n");

  /**
   * Claims a pending id for deletion of its postings: KEYS pending; ARGV id, lowest and highest
   * score. Sets the score to 0 (so that its publish fails) and returns 1 when the id is pending
   * with a score in the range.
   */
  private static final RedisScript CLAIM_SCRIPT = new RedisScript("claim",
      "local score = redis.call('ZSCORE', KEYS[1], ARGV[1])\n"
          + "if not score then return 0 end\n"
          + "score = tonumber(score)\n"
          + "if score < tonumber(ARGV[2]) or score > tonumber(ARGV[3]) then return 0 end\n"
          + "redis.call('ZADD', KEYS[1], 0, ARGV[1])\n"
          + "return 1\n");

  /**
   * Reserves a caller-chosen id: KEYS pending, the id's track record, seq; ARGV id, now. Returns 0
   * (and changes nothing) when the id is published or pending; else marks it pending with score
   * now, raises seq to at least the id (so that {@link #add(List)} never hands it out) and returns 1.
   */
  private static final RedisScript RESERVE_SCRIPT = new RedisScript("reserve",
      "if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end\n"
          + "redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])\n"
          + "if tonumber(redis.call('GET', KEYS[3]) or '0') < tonumber(ARGV[1]) then"
          + " redis.call('SET', KEYS[3], ARGV[1]) end\n"
          + "return 1\n");

  private static final CommandObjects COMMANDS = new CommandObjects();

  private final UnifiedJedis jedis;
  private final boolean cluster;
  private final boolean ownsClient;
  private final String prefix;
  private final String meta;
  private final FingerprintParams params;

  private RedisFingerprintIndex(UnifiedJedis jedis, boolean cluster, boolean ownsClient,
      String prefix, FingerprintParams params) {
    this.jedis = jedis;
    this.cluster = cluster;
    this.ownsClient = ownsClient;
    this.prefix = prefix;
    this.meta = prefix + ":{" + prefix + "}";
    this.params = params;
  }

  /**
   * Opens the index under {@code prefix} on a client the caller keeps ({@link JedisPooled} or
   * {@link JedisCluster}), storing {@code params} if the prefix is new and refusing other
   * parameters or another layout than the stored ones. With {@code params} null, the index keeps
   * the parameters stored under the prefix (those of the version that built it), and a new prefix
   * gets {@link FingerprintParams#DEFAULT}; the same for the other {@code open} methods.
   */
  public static RedisFingerprintIndex open(UnifiedJedis jedis, String prefix, FingerprintParams params) {
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

  /**
   * Opens on the Redis Cluster reached through {@code seedNodes} ({@code host:port}; the other
   * nodes are discovered), with its own client; {@link #close} closes it.
   */
  public static RedisFingerprintIndex openCluster(List<String> seedNodes, String prefix,
      FingerprintParams params) {
    JedisCluster client = newCluster(seedNodes);
    try {
      return open(client, true, prefix, params);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /** A pool with short timeouts, so that a Redis outage is reported quickly. */
  public static JedisPooled newPool(String redisUrl) {
    return new JedisPooled(poolConfig(), URI.create(redisUrl), 2000, 10_000);
  }

  /**
   * A Cluster client with the same short timeouts as {@link #newPool}. Throws {@link
   * IndexUnavailableException} when no seed node answers.
   */
  public static JedisCluster newCluster(List<String> seedNodes) {
    Set<HostAndPort> nodes = new LinkedHashSet<>();
    for (String node : seedNodes) {
      nodes.add(HostAndPort.from(node.trim()));
    }
    var clientConfig = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(2000).socketTimeoutMillis(10_000).build();
    try {
      return new JedisCluster(nodes, clientConfig, 3, poolConfig());
    } catch (JedisException e) {
      throw new IndexUnavailableException("redis cluster unavailable (seed nodes " + seedNodes
          + "): " + e.getMessage(), e);
    }
  }

  private static GenericObjectPoolConfig<Connection> poolConfig() {
    var poolConfig = new GenericObjectPoolConfig<Connection>();
    poolConfig.setMaxTotal(32);
    poolConfig.setMaxWait(Duration.ofSeconds(2));
    return poolConfig;
  }

  private static RedisFingerprintIndex open(UnifiedJedis jedis, boolean owns, String prefix,
      FingerprintParams requested) {
    FingerprintParams params = requested != null ? requested : storedParams(jedis, prefix);
    RedisFingerprintIndex index =
        new RedisFingerprintIndex(jedis, jedis instanceof JedisCluster, owns, prefix, params);
    call(() -> {
      String key = prefix + ":params";
      String wanted = "layout=" + LAYOUT_VERSION + ";" + params.toConfigString();
      jedis.setnx(key, wanted);
      String stored = jedis.get(key);
      String storedLayout = stored != null && stored.startsWith("layout=")
          ? stored.substring("layout=".length(), Math.max(stored.indexOf(';'), 0)) : "1";
      if (!Integer.toString(LAYOUT_VERSION).equals(storedLayout)) {
        throw new IndexException("the Redis index under prefix " + prefix + " has key layout "
            + storedLayout + "; this server reads layout " + LAYOUT_VERSION + ". Delete its keys"
            + " (redis-cli --scan --pattern '" + prefix + ":*' | xargs redis-cli del) and"
            + " fingerprint the tracks again, or use another QUEUE_PREFIX");
      }
      String storedParams = stored.substring(stored.indexOf(';') + 1);
      if (!params.toConfigString().equals(storedParams)) {
        throw new IncompatibleParamsException(
            "index was built with other fingerprint parameters; rebuild it or query with its own.\n"
                + "  index: " + storedParams + "\n"
                + "  query: " + params.toConfigString());
      }
      return null;
    });
    index.ensureListpackLimits();
    index.sweepAbandoned(ABANDONED_AFTER);
    return index;
  }

  /**
   * The fingerprint parameters stored under {@code prefix} when they are of this key layout and
   * readable, else {@link FingerprintParams#DEFAULT} (a new prefix; an unreadable or older one is
   * then refused by the layout check with its own message).
   */
  private static FingerprintParams storedParams(UnifiedJedis jedis, String prefix) {
    String stored = call(() -> jedis.get(prefix + ":params"));
    String layoutTag = "layout=" + LAYOUT_VERSION + ";";
    if (stored == null || !stored.startsWith(layoutTag)) {
      return FingerprintParams.DEFAULT;
    }
    try {
      return FingerprintParams.fromConfigString(stored.substring(layoutTag.length()));
    } catch (IllegalArgumentException e) {
      throw new IndexException("the Redis index under prefix " + prefix + " stores fingerprint"
          + " parameters this server cannot read (" + e.getMessage() + "); use another"
          + " QUEUE_PREFIX or delete its keys and fingerprint the tracks again", e);
    }
  }

  /**
   * Raises {@code hash-max-listpack-value} and {@code -entries} on every primary where they are
   * lower than the buckets need, so that buckets stay listpacks (about 10 bytes per posting
   * instead of about 60). Where {@code CONFIG} is refused (managed services), logs what to set.
   */
  private void ensureListpackLimits() {
    call(() -> {
      for (Pool<Connection> pool : primaries()) {
        try (Connection c = pool.getResource()) {
          raise(c, "hash-max-listpack-value", LISTPACK_VALUE_BYTES);
          raise(c, "hash-max-listpack-entries", LISTPACK_ENTRIES);
        } catch (redis.clients.jedis.exceptions.JedisDataException e) {
          LOG.warn("cannot check or raise the Redis listpack limits ({}): set hash-max-listpack-value"
              + " >= {} and hash-max-listpack-entries >= {} in the Redis configuration, else the"
              + " index takes several times more memory", e.getMessage(), LISTPACK_VALUE_BYTES,
              LISTPACK_ENTRIES);
        }
      }
      return null;
    });
  }

  private static void raise(Connection c, String name, int atLeast) {
    c.sendCommand(Protocol.Command.CONFIG, "GET", name);
    List<String> reply = c.getMultiBulkReply();
    if (reply.size() == 2 && Long.parseLong(reply.get(1)) >= atLeast) {
      return;
    }
    c.sendCommand(Protocol.Command.CONFIG, "SET", name, Integer.toString(atLeast));
    c.getStatusCodeReply();
    LOG.info("raised Redis {} to {} so that index buckets stay compact", name, atLeast);
  }

  /**
   * Key of the bucket (a Redis hash) holding the postings of {@code hash}: {@code
   * <prefix>:fp:<hash >>> 8, 6 hex digits>}.
   */
  public String bucketKey(int hash) {
    return prefix + ":fp:" + String.format("%06x", hash >>> FIELD_BITS);
  }

  /** The field of {@code hash} in its bucket: its low 8 bits, in decimal. */
  public static String field(int hash) {
    return Integer.toString(hash & ((1 << FIELD_BITS) - 1));
  }

  private byte[] bucketKeyBytes(int hash) {
    return bucketKey(hash).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] fieldBytes(int hash) {
    return field(hash).getBytes(StandardCharsets.US_ASCII);
  }

  /** Key of a track's record: {@code <prefix>:{<prefix>}:track:<id>}. */
  public String trackKey(int id) {
    return meta + ":track:" + id;
  }

  /**
   * Key of a track's distinct hashes: {@code <prefix>:track:<id>:hashes}, ascending as unsigned
   * ints, the first and then each difference to the previous as an unsigned LEB128 varint.
   */
  public String trackHashesKey(int id) {
    return prefix + ":track:" + id + ":hashes";
  }

  /**
   * Key of a track's spectral peaks: {@code <prefix>:track:<id>:peaks}, encoded as {@link
   * TrackPeaks#encode()} writes them (about 1.6 bytes a peak), read when candidates are checked
   * peak by peak.
   */
  public String trackPeaksKey(int id) {
    return prefix + ":track:" + id + ":peaks";
  }

  /** Key of the ids being added or removed: {@code <prefix>:{<prefix>}:pending}. */
  public String pendingKey() {
    return meta + ":pending";
  }

  private String tracksKey() {
    return meta + ":tracks";
  }

  private String statsKey() {
    return meta + ":stats";
  }

  private String shaKey(String sha) {
    return meta + ":sha:" + sha;
  }

  private static <T> T call(Supplier<T> action) {
    try {
      return action.get();
    } catch (JedisConnectionException | JedisClusterOperationException e) {
      throw new IndexUnavailableException("redis unavailable: " + e.getMessage(), e);
    } catch (JedisException e) {
      if (e.getCause() instanceof JedisConnectionException
          || e.getCause() instanceof java.util.NoSuchElementException) {
        throw new IndexUnavailableException("redis unavailable: " + e.getMessage(), e);
      }
      throw new IndexException("redis: " + e.getMessage(), e);
    }
  }

  @Override
  public FingerprintParams params() {
    return params;
  }

  /** True when this index is on a Redis Cluster. */
  public boolean isCluster() {
    return cluster;
  }

  @Override
  public List<Track> add(List<NewTrack> batch) {
    if (batch.isEmpty()) {
      return List.of();
    }
    return call(() -> {
      long last = jedis.incrBy(meta + ":seq", batch.size());
      if (last > Integer.MAX_VALUE) {
        throw new IndexException("track id space exhausted: " + last);
      }
      int first = (int) last - batch.size() + 1;
      long now = System.currentTimeMillis();
      Map<String, Double> pending = new HashMap<>();
      int[] ids = new int[batch.size()];
      for (int i = 0; i < batch.size(); i++) {
        ids[i] = first + i;
        pending.put(Integer.toString(first + i), (double) now);
      }
      jedis.zadd(pendingKey(), pending);
      return writeAndPublish(ids, batch, now);
    });
  }

  /**
   * {@inheritDoc} The id is reserved atomically (refused while a track record or a pending mark
   * holds it) and the id counter raised to it, then the track is written and published like a
   * batch of {@link #add(List)}.
   */
  @Override
  public Track addAs(int trackId, TrackMetadata metadata, Fingerprints fingerprints) {
    if (trackId <= 0) {
      throw new IllegalArgumentException("trackId <= 0: " + trackId);
    }
    NewTrack track = new NewTrack(metadata, fingerprints);
    return call(() -> {
      long now = System.currentTimeMillis();
      Object reserved = RESERVE_SCRIPT.run(jedis, List.of(pendingKey(), trackKey(trackId),
          meta + ":seq"), List.of(Integer.toString(trackId), Long.toString(now)));
      if (!Long.valueOf(1).equals(reserved)) {
        throw new TrackIdInUseException("track id " + trackId + " is in use in the Redis index"
            + " under prefix " + prefix);
      }
      return writeAndPublish(new int[] {trackId}, List.of(track), now).get(0);
    });
  }

  /**
   * Steps 2 and 3 of an add whose ids are pending with score {@code now}: postings, then one
   * publish; on failure the batch's own pending ids are cleaned up.
   */
  private List<Track> writeAndPublish(int[] ids, List<NewTrack> batch, long now) {
    try {
      for (int i = 0; i < batch.size(); i++) {
        writePostings(ids[i], batch.get(i).fingerprints());
      }
      List<Track> out = new ArrayList<>(batch.size());
      List<String> keys = new ArrayList<>();
      List<String> args = new ArrayList<>();
      keys.add(tracksKey());
      keys.add(statsKey());
      keys.add(pendingKey());
      for (int i = 0; i < batch.size(); i++) {
        int id = ids[i];
        TrackMetadata m = batch.get(i).metadata();
        int n = batch.get(i).fingerprints().size();
        keys.add(trackKey(id));
        keys.add(shaKey(m.sha256()));
        args.addAll(List.of(Integer.toString(id), m.title(), m.artist(), m.album(),
            m.sourcePath(), Long.toString(m.durationMillis()), m.sha256(), Integer.toString(n),
            Long.toString(now)));
        out.add(new Track(id, m, n, now));
      }
      PUBLISH_SCRIPT.run(jedis, keys, args);
      return out;
    } catch (RuntimeException e) {
      // Best effort, and only for ids still pending as ours (the publish may have run before
      // the connection failed); what is left stays hidden from lookups and is swept later.
      try {
        for (int id : ids) {
          if (claim(id, now, now)) {
            deletePostings(id);
          }
        }
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }


  /** Writes a track's distinct hashes and then its postings, pipelined per node. */
  private void writePostings(int id, Fingerprints fp) {
    int n = fp.size();
    long[] order = new long[n];
    for (int i = 0; i < n; i++) {
      order[i] = ((long) fp.hash(i) << 32) | (i & 0xffffffffL);
    }
    Arrays.sort(order);
    int[] distinct = new int[n];
    int d = 0;
    for (int i = 0; i < n; ) {
      int hash = (int) (order[i] >> 32);
      distinct[d++] = hash;
      while (i < n && (int) (order[i] >> 32) == hash) {
        i++;
      }
    }
    // The hashes first: whoever sweeps this id after a crash finds every key it may have touched.
    jedis.set(trackHashesKey(id).getBytes(StandardCharsets.US_ASCII),
        encodeHashes(Arrays.copyOf(distinct, d)));
    jedis.set(trackPeaksKey(id).getBytes(StandardCharsets.US_ASCII), TrackPeaks.of(fp).encode());
    // Order is by hash as a signed int, so one bucket's hashes are adjacent (the bucket is the
    // high bits): one script call per bucket.
    int i = 0;
    while (i < n) {
      List<RedisScript.Call> calls = new ArrayList<>(PIPELINE_CHUNK);
      while (calls.size() < PIPELINE_CHUNK && i < n) {
        int bucket = (int) (order[i] >> 32) >>> FIELD_BITS;
        List<byte[]> args = new ArrayList<>();
        while (i < n && (int) (order[i] >> 32) >>> FIELD_BITS == bucket) {
          int hash = (int) (order[i] >> 32);
          int j = i;
          while (j < n && (int) (order[j] >> 32) == hash) {
            j++;
          }
          ByteBuffer value = ByteBuffer.allocate((j - i) * POSTING_BYTES);
          for (int q = i; q < j; q++) {
            value.putInt(id).putInt(fp.frame((int) order[q]));
          }
          args.add(fieldBytes(hash));
          args.add(value.array());
          i = j;
        }
        calls.add(new RedisScript.Call(bucketKeyBytes((int) (order[i - 1] >> 32)), args));
      }
      APPEND_SCRIPT.runAll(jedis, calls);
    }
  }

  /** Ascending unsigned hashes as varint deltas (the format of {@link #trackHashesKey}). */
  static byte[] encodeHashes(int[] hashes) {
    long[] sorted = new long[hashes.length];
    for (int i = 0; i < hashes.length; i++) {
      sorted[i] = hashes[i] & 0xffffffffL;
    }
    Arrays.sort(sorted);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(hashes.length * 2 + 5);
    long previous = 0;
    for (long h : sorted) {
      long delta = h - previous;
      previous = h;
      while (delta >= 0x80) {
        out.write((int) (delta & 0x7f) | 0x80);
        delta >>>= 7;
      }
      out.write((int) delta);
    }
    return out.toByteArray();
  }

  /** The inverse of {@link #encodeHashes}. */
  static int[] decodeHashes(byte[] bytes) {
    int[] out = new int[bytes.length];
    int n = 0;
    long previous = 0;
    int i = 0;
    while (i < bytes.length) {
      long delta = 0;
      int shift = 0;
      int b;
      do {
        b = bytes[i++] & 0xff;
        delta |= (long) (b & 0x7f) << shift;
        shift += 7;
      } while ((b & 0x80) != 0 && i < bytes.length);
      previous += delta;
      out[n++] = (int) previous;
    }
    return Arrays.copyOf(out, n);
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
      List<byte[]> values = new ArrayList<>(distinct.size());
      for (int from = 0; from < distinct.size(); from += PIPELINE_CHUNK) {
        int to = Math.min(distinct.size(), from + PIPELINE_CHUNK);
        List<Response<byte[]>> chunk = new ArrayList<>(to - from);
        try (PipelineBase p = jedis.pipelined()) {
          for (int k = from; k < to; k++) {
            int hash = distinct.get(k);
            chunk.add(p.hget(bucketKeyBytes(hash), fieldBytes(hash)));
          }
          p.sync();
        }
        chunk.forEach(r -> values.add(r.get()));
      }
      // Read after the postings: an id still pending now was pending when its postings were read.
      Set<Integer> hidden = pendingIds();
      for (int k = 0; k < distinct.size(); k++) {
        byte[] value = values.get(k);
        if (value == null || value.length == 0 || value.length > cap * POSTING_BYTES) {
          continue;
        }
        ByteBuffer v = ByteBuffer.wrap(value);
        List<Integer> qs = positions.get(distinct.get(k));
        while (v.remaining() >= POSTING_BYTES) {
          int track = v.getInt();
          int frame = v.getInt();
          if (hidden.contains(track)) {
            continue;
          }
          for (int q : qs) {
            visitor.visit(q, track, frame);
          }
        }
      }
      return null;
    });
  }

  private Set<Integer> pendingIds() {
    List<String> ids = jedis.zrange(pendingKey(), 0, -1);
    Set<Integer> out = new HashSet<>(ids.size() * 2);
    for (String id : ids) {
      out.add(Integer.parseInt(id));
    }
    return out;
  }

  @Override
  public boolean remove(int trackId) {
    if (trackId <= 0) {
      return false;
    }
    return call(() -> {
      String tk = trackKey(trackId);
      String sha = jedis.hget(tk, "sha256");
      Object hidden = HIDE_SCRIPT.run(jedis,
          List.of(tk, tracksKey(), statsKey(), pendingKey(), shaKey(sha == null ? "" : sha)),
          List.of(Integer.toString(trackId), Long.toString(System.currentTimeMillis())));
      if (!Long.valueOf(1).equals(hidden)) {
        return false;
      }
      deletePostings(trackId);
      return true;
    });
  }

  /**
   * Deletes the postings and hash list of a pending (hidden) id, then its pending mark. Safe to
   * repeat: every step is idempotent.
   */
  private void deletePostings(int trackId) {
    jedis.del(trackPeaksKey(trackId).getBytes(StandardCharsets.US_ASCII));
    byte[] hashesKey = trackHashesKey(trackId).getBytes(StandardCharsets.US_ASCII);
    byte[] hashes = jedis.get(hashesKey);
    if (hashes != null) {
      byte[] id = ByteBuffer.allocate(4).putInt(trackId).array();
      int[] all = decodeHashes(hashes);
      // Ascending unsigned, so one bucket's hashes are adjacent.
      int i = 0;
      while (i < all.length) {
        List<RedisScript.Call> calls = new ArrayList<>(PIPELINE_CHUNK);
        while (calls.size() < PIPELINE_CHUNK && i < all.length) {
          int bucket = all[i] >>> FIELD_BITS;
          List<byte[]> args = new ArrayList<>();
          args.add(id);
          while (i < all.length && all[i] >>> FIELD_BITS == bucket) {
            args.add(fieldBytes(all[i++]));
          }
          calls.add(new RedisScript.Call(bucketKeyBytes(all[i - 1]), args));
        }
        REMOVE_SCRIPT.runAll(jedis, calls);
      }
      jedis.del(hashesKey);
    }
    jedis.zrem(pendingKey(), Integer.toString(trackId));
  }

  /**
   * Deletes what clients that died while adding or removing a track left behind: the postings of
   * ids pending for longer than {@code olderThan}. Their tracks were never published (or already
   * hidden), so nothing visible changes. Returns the ids swept.
   */
  public List<Integer> sweepAbandoned(Duration olderThan) {
    return call(() -> {
      long before = System.currentTimeMillis() - olderThan.toMillis();
      List<Integer> swept = new ArrayList<>();
      for (String id : jedis.zrangeByScore(pendingKey(), Double.NEGATIVE_INFINITY, before)) {
        int trackId = Integer.parseInt(id);
        // Claimed first, so that a publish still running for it fails instead of going live.
        if (claim(trackId, 0, before)) {
          deletePostings(trackId);
          swept.add(trackId);
        }
      }
      return swept;
    });
  }

  private boolean claim(int trackId, long lowestScore, long highestScore) {
    return Long.valueOf(1).equals(CLAIM_SCRIPT.run(jedis, List.of(pendingKey()),
        List.of(Integer.toString(trackId), Long.toString(lowestScore), Long.toString(highestScore))));
  }

  /**
   * The ids among {@code trackIds} whose hash list ({@link #trackHashesKey}) exists: a published
   * track without one lost its postings (a Redis that dropped keys). One pipelined {@code EXISTS}
   * per id.
   */
  public Set<Integer> withHashLists(Collection<Integer> trackIds) {
    return call(() -> {
      List<Integer> ids = new ArrayList<>(trackIds);
      Set<Integer> out = new HashSet<>();
      for (int from = 0; from < ids.size(); from += PIPELINE_CHUNK) {
        int to = Math.min(ids.size(), from + PIPELINE_CHUNK);
        List<Response<Boolean>> exists = new ArrayList<>(to - from);
        try (PipelineBase p = jedis.pipelined()) {
          for (int k = from; k < to; k++) {
            exists.add(p.exists(trackHashesKey(ids.get(k))));
          }
          p.sync();
        }
        for (int k = from; k < to; k++) {
          if (exists.get(k - from).get()) {
            out.add(ids.get(k));
          }
        }
      }
      return out;
    });
  }

  @Override
  public Map<Integer, TrackPeaks> peaks(int[] trackIds) {
    return call(() -> {
      List<Response<byte[]>> replies = new ArrayList<>(trackIds.length);
      try (PipelineBase p = jedis.pipelined()) {
        for (int id : trackIds) {
          replies.add(p.get(trackPeaksKey(id).getBytes(StandardCharsets.US_ASCII)));
        }
        p.sync();
      }
      Map<Integer, TrackPeaks> out = new HashMap<>();
      for (int k = 0; k < trackIds.length; k++) {
        byte[] bytes = replies.get(k).get();
        if (bytes != null) {
          try {
            out.put(trackIds[k], TrackPeaks.decode(bytes));
          } catch (IllegalArgumentException e) {
            throw new IndexException("corrupt peaks at " + trackPeaksKey(trackIds[k])
                + "; remove the track and add it again", e);
          }
        }
      }
      return out;
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
      List<String> ids = jedis.zrange(tracksKey(), 0, -1);
      List<Response<Map<String, String>>> rs = new ArrayList<>(ids.size());
      try (PipelineBase p = jedis.pipelined()) {
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
      String id = jedis.get(shaKey(sha256.toLowerCase(Locale.ROOT)));
      return id == null ? Optional.<Track>empty() : track(Integer.parseInt(id));
    });
  }

  @Override
  public IndexStats stats() {
    return call(() -> {
      long tracks = jedis.zcard(tracksKey());
      Map<String, String> s = jedis.hgetAll(statsKey());
      return new IndexStats(tracks, parseLong(s.get("duration_ms")), parseLong(s.get("postings")),
          usedMemoryBytes());
    });
  }

  /** One HGET of the stats hash: unlike {@link #stats()}, no INFO of every node. */
  @Override
  public long postingCount() {
    return call(() -> parseLong(jedis.hget(statsKey(), "postings")));
  }

  /** The pools of the primaries: the one Redis, or every master of the Cluster. */
  private List<Pool<Connection>> primaries() {
    return RedisNodes.primaries(jedis);
  }

  /**
   * {@code used_memory} from {@code INFO memory} of the whole Redis instance, or the sum over the
   * Cluster's masters.
   */
  public long usedMemoryBytes() {
    return call(() -> {
      long sum = 0;
      for (Pool<Connection> pool : primaries()) {
        for (String line : RedisNodes.info(pool, "memory").split("\r?\n")) {
          if (line.startsWith("used_memory:")) {
            sum += Long.parseLong(line.substring("used_memory:".length()).trim());
          }
        }
      }
      return sum;
    });
  }

  /** Throws {@link IndexUnavailableException} unless Redis (every Cluster master) answers PING. */
  public void ping() {
    call(() -> {
      if (jedis instanceof JedisCluster c) {
        for (Pool<Connection> pool : primaries()) {
          try (Connection conn = pool.getResource()) {
            conn.executeCommand(COMMANDS.ping());
          }
        }
        return c.ping();
      }
      return jedis.ping();
    });
  }

  /**
   * Deletes every key under this index's prefix (tests and resets). Uses SCAN on each primary,
   * never KEYS.
   */
  public void deleteAll() {
    call(() -> {
      var scan = new ScanParams().match(prefix + ":*").count(1000);
      for (Pool<Connection> pool : primaries()) {
        try (Connection c = pool.getResource()) {
          String cursor = ScanParams.SCAN_POINTER_START;
          do {
            var page = c.executeCommand(COMMANDS.scan(cursor, scan));
            // One DEL per key: keys of other slots cannot go in one command on a Cluster.
            try (PipelineBase p = jedis.pipelined()) {
              page.getResult().forEach(p::del);
              p.sync();
            }
            cursor = page.getCursor();
          } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        }
      }
      return null;
    });
  }

  @Override
  public void close() {
    if (ownsClient) {
      jedis.close();
    }
  }
}
