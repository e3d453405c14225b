package io.tunetrace.server.index;

import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.Pool;

/** The nodes behind a Jedis client, for commands that go to each node (INFO, CONFIG). */
public final class RedisNodes {
  private RedisNodes() {}

  /** The pools of the primaries: the one Redis, or every master of the Cluster. */
  public static List<Pool<Connection>> primaries(UnifiedJedis client) {
    if (client instanceof JedisPooled pooled) {
      return List.of(pooled.getPool());
    }
    List<Pool<Connection>> out = new ArrayList<>();
    for (Pool<Connection> pool : ((JedisCluster) client).getClusterNodes().values()) {
      if (info(pool, "replication").contains("role:master")) {
        out.add(pool);
      }
    }
    return out;
  }

  /** {@code INFO <section>} of one node. */
  public static String info(Pool<Connection> pool, String section) {
    try (Connection c = pool.getResource()) {
      c.sendCommand(Protocol.Command.INFO, section);
      return c.getBulkReply();
    }
  }
}
