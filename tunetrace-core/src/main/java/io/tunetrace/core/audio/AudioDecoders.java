package io.tunetrace.core.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Opens audio as a mono {@link PcmSource}, choosing the decoder by sniffing the leading bytes
 * (never the file name): WAV in pure Java, MP3 with the optional pure-Java decoder, anything else
 * through ffmpeg when it is on the PATH.
 *
 * <p>Thread-safe (stateless).
 */
public final class AudioDecoders {
  private AudioDecoders() {}

  /** Recognizes the container from the first bytes of a file (16 or more are best). */
  public static AudioContainer sniff(byte[] head, int length) {
    throw new UnsupportedOperationException("TODO: audio helper");
  }

  /** Opens a file. The caller closes the returned source. */
  public static PcmSource open(Path file) throws IOException {
    throw new UnsupportedOperationException("TODO: audio helper");
  }

  /**
   * Opens a stream of encoded audio; the returned source owns {@code in} and closes it. Formats
   * that need ffmpeg are piped to its standard input.
   */
  public static PcmSource open(InputStream in) throws IOException {
    throw new UnsupportedOperationException("TODO: audio helper");
  }
}
