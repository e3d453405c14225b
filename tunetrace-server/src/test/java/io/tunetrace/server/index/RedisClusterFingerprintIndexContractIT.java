package io.tunetrace.server.index;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.FingerprintIndexContract;
import io.tunetrace.server.support.ItServices;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * The core's index contract on the three-master Redis Cluster that {@code .ci/run} starts on
 * 127.0.0.1:7001-7003 (a fresh key prefix per index, deleted afterwards).
 */
class RedisClusterFingerprintIndexContractIT extends FingerprintIndexContract {
  private final Map<FingerprintIndex, String> prefixes = new IdentityHashMap<>();
  private final List<String> used = new ArrayList<>();

  @Override
  protected FingerprintIndex newIndex(FingerprintParams params) {
    String prefix = ItServices.uniqueName("ttcc");
    used.add(prefix);
    RedisFingerprintIndex index =
        RedisFingerprintIndex.openCluster(ItServices.REDIS_CLUSTER_NODES, prefix, params);
    prefixes.put(index, prefix);
    return index;
  }

  @Override
  protected FingerprintIndex reopen(FingerprintIndex index) {
    String prefix = prefixes.get(index);
    index.close();
    RedisFingerprintIndex again =
        RedisFingerprintIndex.openCluster(ItServices.REDIS_CLUSTER_NODES, prefix, index.params());
    prefixes.put(again, prefix);
    return again;
  }

  @AfterEach
  void deleteKeys() {
    used.forEach(ItServices::deleteRedisClusterPrefix);
  }
}
