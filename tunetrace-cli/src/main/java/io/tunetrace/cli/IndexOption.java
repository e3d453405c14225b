package io.tunetrace.cli;

import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import io.tunetrace.core.match.MatchPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** The {@code --index DIR} option of every command that works on an index. */
final class IndexOption {
  @Option(
      names = "--index",
      paramLabel = "DIR",
      description = "Index directory (default: $TUNETRACE_INDEX, else ~/.tunetrace/index).")
  Path index;

  /**
   * Opens the index, which must exist (commands that only read never create one); read-only
   * opens take no writer lock, so they work while an {@code add} is running.
   */
  TuneTrace openExisting(boolean writable) {
    return openExisting(writable, MatchPolicy.DEFAULT);
  }

  /** As {@link #openExisting(boolean)}, recognizing with {@code policy}. */
  TuneTrace openExisting(boolean writable, MatchPolicy policy) {
    Path dir = indexDir();
    if (!Files.isDirectory(dir)) {
      throw new CliException("no index at " + dir + "; create one with: tunetrace add PATH...");
    }
    return TuneTrace.using(writable
        ? EmbeddedFingerprintIndex.open(dir)
        : EmbeddedFingerprintIndex.openReadOnly(dir), policy);
  }

  /** Opens the index for adding, creating it with default parameters if there is none. */
  TuneTrace openOrCreate() {
    return openEmbedded(indexDir());
  }

  /** Opens (creating if needed) the embedded index in {@code dir}. */
  static TuneTrace openEmbedded(Path dir) {
    return TuneTrace.using(EmbeddedFingerprintIndex.open(dir));
  }

  /** The index directory: {@code --index}, else $TUNETRACE_INDEX, else ~/.tunetrace/index. */
  Path indexDir() {
    return indexDir(System.getenv(), System.getProperty("user.home"));
  }

  Path indexDir(Map<String, String> env, String userHome) {
    if (index != null) {
      return index;
    }
    String fromEnv = env.get("TUNETRACE_INDEX");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    return Path.of(userHome, ".tunetrace", "index");
  }
}
