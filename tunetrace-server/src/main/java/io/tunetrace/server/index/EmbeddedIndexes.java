package io.tunetrace.server.index;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import io.tunetrace.core.index.FingerprintIndex;
import java.nio.file.Path;

/** Opens the core's embedded index for embedded mode. */
public final class EmbeddedIndexes {
  private EmbeddedIndexes() {}

  /**
   * Opens the index in {@code dir} with the parameters it was built with (an index built by an
   * earlier version keeps its own), or creates one with {@link FingerprintParams#DEFAULT}.
   */
  public static FingerprintIndex open(Path dir) {
    return EmbeddedFingerprintIndex.open(dir);
  }
}
