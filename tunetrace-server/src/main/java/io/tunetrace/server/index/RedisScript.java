package io.tunetrace.server.index;

import io.tunetrace.core.index.IndexException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A Lua script of the index, run with {@code EVALSHA} so that a call sends the script's SHA-1 (40
 * bytes) instead of its text, and Redis looks it up instead of hashing the text again.
 *
 * <p>Where Redis answers {@code NOSCRIPT} (restarted, {@code SCRIPT FLUSH}, a Cluster node that never
 * ran the script, a replica promoted by a failover), the calls that got it are run again after a
 * {@code SCRIPT LOAD} on their node (routed by their key); those that get {@code NOSCRIPT} once more
 * (the cache was flushed again in between) are run a third time with {@code EVAL}, which cannot
 * get it. A {@code NOSCRIPT} reply means that the call did not run, so running again exactly the
 * calls that got one never applies a call twice: that matters, an append is not idempotent. Every
 * reply of a pipeline is checked: any other error is thrown.
 *
 * <p>Thread-safe (immutable).
 */
final class RedisScript {
  /** One call of a script with one key: the Cluster routes it by that key. */
  record Call(byte[] key, List<byte[]> args) {}

  private final String name;
  private final byte[] body;
  private final byte[] sha1;

  /** {@code name} says which script it is in error messages. */
  RedisScript(String name, String body) {
    this.name = name;
    this.body = body.getBytes(StandardCharsets.UTF_8);
    this.sha1 = HexFormat.of().formatHex(sha1(this.body)).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] sha1(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1 (every Java SE has)", e);
    }
  }

  /** The SHA-1 of the script's text, lowercase hex, as Redis names it. */
  String sha1() {
    return new String(sha1, StandardCharsets.US_ASCII);
  }

  /** Runs the script once; its keys must share one slot (they are routed by the first). */
  Object run(UnifiedJedis jedis, List<String> keys, List<String> args) {
    List<byte[]> k = utf8(keys);
    List<byte[]> a = utf8(args);
    try {
      return jedis.evalsha(sha1, k, a);
    } catch (JedisNoScriptException first) {
      checkLoaded(jedis.scriptLoad(body, k.get(0)));
      try {
        return jedis.evalsha(sha1, k, a);
      } catch (JedisNoScriptException again) {
        return jedis.eval(body, k, a);
      }
    }
  }

  /**
   * Runs every call in one pipeline (split per node on a Cluster) and checks every reply; calls
   * that got {@code NOSCRIPT} are run again as the class comment says. Throws the first other
   * error reply, and {@link JedisConnectionException} for a call without a reply (a Cluster
   * pipeline whose connection to a node failed).
   */
  void runAll(UnifiedJedis jedis, List<Call> calls) {
    List<Call> failed = pipeline(jedis, calls, false, false);
    if (!failed.isEmpty()) {
      failed = pipeline(jedis, failed, true, false);
    }
    if (!failed.isEmpty()) {
      pipeline(jedis, failed, false, true);
    }
  }

  /**
   * One pipeline of {@code calls} by {@code EVALSHA} (after a {@code SCRIPT LOAD} per slot among
   * them when {@code load}; one on a single Redis) or by {@code EVAL}; returns the calls that got
   * {@code NOSCRIPT}.
   */
  private List<Call> pipeline(UnifiedJedis jedis, List<Call> calls, boolean load, boolean eval) {
    List<Response<byte[]>> loads = new ArrayList<>();
    List<Response<Object>> replies = new ArrayList<>(calls.size());
    try (PipelineBase p = jedis.pipelined()) {
      if (load) {
        // A node runs a pipeline's commands in order: each load comes before the calls it serves.
        for (byte[] key : onePerSlot(jedis, calls)) {
          loads.add(p.scriptLoad(body, key));
        }
      }
      for (Call c : calls) {
        replies.add(eval ? p.eval(body, List.of(c.key()), c.args())
            : p.evalsha(sha1, List.of(c.key()), c.args()));
      }
      p.sync();
    }
    for (Response<byte[]> r : loads) {
      checkLoaded(reply(r));
    }
    List<Call> noScript = new ArrayList<>();
    for (int i = 0; i < calls.size(); i++) {
      try {
        reply(replies.get(i));
      } catch (JedisNoScriptException e) {
        noScript.add(calls.get(i));
      }
    }
    return noScript;
  }

  /** One key of each slot among the calls' keys on a Cluster; the first key on a single Redis. */
  private static List<byte[]> onePerSlot(UnifiedJedis jedis, List<Call> calls) {
    if (!(jedis instanceof JedisCluster)) {
      return List.of(calls.get(0).key());
    }
    Map<Integer, byte[]> bySlot = new LinkedHashMap<>();
    for (Call c : calls) {
      bySlot.putIfAbsent(JedisClusterCRC16.getSlot(c.key()), c.key());
    }
    return List.copyOf(bySlot.values());
  }

  private static <T> T reply(Response<T> r) {
    try {
      return r.get();
    } catch (IllegalStateException e) {
      // Jedis' ClusterPipeline logs a node's connection failure and leaves its replies unset.
      throw new JedisConnectionException("no reply from a Redis node: its connection failed"
          + " during a pipeline (Jedis logged why)", e);
    }
  }

  private void checkLoaded(byte[] sha) {
    if (!Arrays.equals(sha1, sha)) {
      throw new IndexException("Redis named the " + name + " script "
          + new String(sha, StandardCharsets.US_ASCII) + ", not " + sha1() + " as SHA-1 of its text;"
          + " report this as a bug");
    }
  }

  private static List<byte[]> utf8(List<String> strings) {
    List<byte[]> out = new ArrayList<>(strings.size());
    for (String s : strings) {
      out.add(s.getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  @Override
  public String toString() {
    return name + " script " + sha1();
  }
}
