package io.tunetrace.server.index;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import io.tunetrace.core.index.FingerprintIndex;
import java.nio.file.Path;

/** Opens the core's embedded index for embedded mode. */
public final class EmbeddedIndexes {
  private EmbeddedIndexes() {}

  public static FingerprintIndex open(Path dir, FingerprintParams params) {
    return EmbeddedFingerprintIndex.open(dir, params);
  }
}
