package io.tunetrace.server;

import io.tunetrace.server.support.ItServices;
import java.util.Map;

/** {@link IndexLossContract} with the index on the three-master Redis Cluster (REDIS_CLUSTER_NODES). */
class IndexLossClusterIT extends IndexLossContract {
  @Override
  protected void useIndex(Map<String, String> env) {
    env.remove("REDIS_URL");
    env.put("REDIS_CLUSTER_NODES", String.join(",", ItServices.REDIS_CLUSTER_NODES));
  }

  @Override
  protected void wipe(String prefix) {
    ItServices.deleteRedisClusterPrefix(prefix);
  }
}
