package io.tunetrace.core;

import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.TrackMetadata;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The library's front door: an index plus the fingerprinter and recognizer that go with it.
 *
 * <pre>{@code
 * try (TuneTrace tt = TuneTrace.openEmbedded(Path.of("my-index"))) {
 *   tt.add(Path.of("song.mp3"), null);
 *   tt.match(Path.of("clip.wav")).best().ifPresent(m -> System.out.println(m.track().metadata().title()));
 * }
 * }</pre>
 *
 * <p>Thread-safe: add and match may be called from many threads.
 */
public final class TuneTrace implements Closeable {
  private final FingerprintIndex index;
  private final Recognizer recognizer;

  private TuneTrace(FingerprintIndex index) {
    this.index = index;
    this.recognizer = new Recognizer(index);
  }

  /** Opens (creating if needed) an embedded index in {@code directory} with default parameters. */
  public static TuneTrace openEmbedded(Path directory) throws IOException {
    throw new UnsupportedOperationException("TODO");
  }

  /** Wraps an index; closing the result closes the index. */
  public static TuneTrace using(FingerprintIndex index) {
    return new TuneTrace(index);
  }

  public FingerprintIndex index() {
    return index;
  }

  public Recognizer recognizer() {
    return recognizer;
  }

  public Fingerprinter fingerprinter() {
    return recognizer.fingerprinter();
  }

  /**
   * Decodes, fingerprints and indexes a file. Title and artist come from {@code metadata} when
   * given, else from the file's tags, else from its name. A file whose bytes are already indexed is
   * skipped and reported as a duplicate.
   */
  public AddResult add(Path file, TrackMetadata metadata) throws IOException {
    throw new UnsupportedOperationException("TODO");
  }

  /** Decodes and recognizes a clip. */
  public MatchResult match(Path file) throws IOException {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public void close() {
    index.close();
  }
}
