package io.tunetrace.cli;

import io.tunetrace.core.MatchResult;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.PcmSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/** Recognizes a clip file: decode (sniffed by content) and recognize, timed by the caller. */
final class Queries {
  /** The query or recording name that means "standard input". */
  static final String STDIN = "-";

  private Queries() {}

  /**
   * A recognized clip.
   *
   * @param longerThanKept the clip went on past the {@link Recognizer#MAX_CLIP_SECONDS} that
   *     were recognized
   * @param decodedAheadNanos decoding time spent before the clip's turn came ({@link
   *     ClipPrefetch}), which a caller timing the clip adds to what it measured; else 0
   */
  record Clip(MatchResult result, boolean longerThanKept, long decodedAheadNanos) {}

  static MatchResult match(TuneTrace tt, Path file) throws IOException {
    return tt.match(file);
  }

  /**
   * Decodes and recognizes {@code query}, a file or {@link #STDIN} (then {@code stdin} is read and
   * closed), and tells whether it was longer than the recognizer keeps. A file {@code ahead}
   * decoded already is taken from it.
   */
  static Clip match(TuneTrace tt, String query, InputStream stdin, ClipPrefetch ahead)
      throws IOException {
    if (!query.equals(STDIN)) {
      Clip clip = ahead.match(query, tt.recognizer());
      if (clip != null) {
        return clip;
      }
    }
    try (PcmSource source = open(tt, query, stdin)) {
      MatchResult result = tt.recognizer().recognize(source);
      return new Clip(result, hasMore(source), 0);
    }
  }

  /**
   * Opens a query or recording for decoding at the index's sample rate (ffmpeg resamples; the
   * pure-Java decoders keep the native rate): a file, or {@code stdin} for {@link #STDIN}.
   */
  static PcmSource open(TuneTrace tt, String query, InputStream stdin) throws IOException {
    int rate = tt.index().params().sampleRateHz();
    return query.equals(STDIN) ? AudioDecoders.open(stdin, rate)
        : AudioDecoders.open(Path.of(query), rate);
  }

  /** How messages name a query or recording: "standard input" for {@link #STDIN}. */
  static String displayName(String query) {
    return query.equals(STDIN) ? "standard input" : query;
  }

  /** Standard input can be read once: fails when {@link #STDIN} is given more than once. */
  static void checkStdinOnce(List<String> queries) {
    if (queries.stream().filter(STDIN::equals).count() > 1) {
      throw new CliException("standard input (-) can be read only once");
    }
  }

  /** Whether {@code source} has audio left after what was read; a failure there counts as none. */
  static boolean hasMore(PcmSource source) {
    try {
      return source.read(new float[1], 0, 1) > 0;
    } catch (IOException e) {
      return false; // what was kept is recognized; a failure past it changes nothing
    }
  }
}
