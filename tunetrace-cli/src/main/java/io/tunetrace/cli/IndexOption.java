package io.tunetrace.cli;

import io.tunetrace.core.TuneTrace;
import java.io.IOException;
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

  /** Opens the index, which must exist (commands that only read never create one). */
  TuneTrace openExisting() throws IOException {
    Path dir = indexDir();
    if (!Files.isDirectory(dir)) {
      throw new CliException("no index at " + dir + "; create one with: tunetrace add PATH...");
    }
    return TuneTrace.openEmbedded(dir);
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
