package io.tunetrace.core.index;

import io.tunetrace.core.FingerprintParams;

/** The in-memory index passes the same contract as the embedded one. */
class InMemoryFingerprintIndexTest extends FingerprintIndexContract {
  @Override
  protected FingerprintIndex newIndex(FingerprintParams params) {
    return new InMemoryFingerprintIndex(params);
  }
}
