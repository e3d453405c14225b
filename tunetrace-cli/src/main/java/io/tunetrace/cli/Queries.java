package io.tunetrace.cli;

import io.tunetrace.core.MatchResult;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.PcmSource;
import java.io.IOException;
import java.nio.file.Path;

/** Recognizes a clip file: decode (sniffed by content) and recognize, timed by the caller. */
final class Queries {
  private Queries() {}

  static MatchResult match(TuneTrace tt, Path file) throws IOException {
    try (PcmSource source = AudioDecoders.open(file)) {
      return tt.recognizer().recognize(source);
    }
  }
}
