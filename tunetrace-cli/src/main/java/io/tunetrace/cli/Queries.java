package io.tunetrace.cli;

import io.tunetrace.core.MatchResult;
import io.tunetrace.core.TuneTrace;
import java.io.IOException;
import java.nio.file.Path;

/** Recognizes a clip file: decode (sniffed by content) and recognize, timed by the caller. */
final class Queries {
  private Queries() {}

  static MatchResult match(TuneTrace tt, Path file) throws IOException {
    return tt.match(file);
  }
}
