package io.tunetrace.server;

import io.tunetrace.server.support.ItServices;
import java.util.Map;

/** {@link IndexLossContract} with the index on one Redis (REDIS_URL). */
class IndexLossIT extends IndexLossContract {
  @Override
  protected void useIndex(Map<String, String> env) {
    env.put("REDIS_URL", ItServices.REDIS_URL);
  }

  @Override
  protected void wipe(String prefix) {
    ItServices.deleteRedisPrefix(prefix);
  }
}
