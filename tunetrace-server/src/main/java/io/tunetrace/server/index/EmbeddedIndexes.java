package io.tunetrace.server.index;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.IndexException;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;

/**
 * Opens the core's embedded index for embedded mode. Calls {@code
 * EmbeddedFingerprintIndex.open(Path, FingerprintParams)} (looked up by name while that class is
 * being merged into the core), else {@link TuneTrace#openEmbedded}.
 */
public final class EmbeddedIndexes {
  private EmbeddedIndexes() {}

  public static FingerprintIndex open(Path dir, FingerprintParams params) throws IOException {
    try {
      Class<?> c = Class.forName("io.tunetrace.core.index.EmbeddedFingerprintIndex");
      return (FingerprintIndex) c.getMethod("open", Path.class, FingerprintParams.class)
          .invoke(null, dir, params);
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      return TuneTrace.openEmbedded(dir).index();
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IndexException("cannot open the embedded index in " + dir, e.getCause());
    } catch (IllegalAccessException e) {
      throw new IndexException("cannot open the embedded index in " + dir, e);
    }
  }
}
