package io.tunetrace.core.audio;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads a file through a pure-Java decoder and, if a later frame turns out corrupt, continues from
 * the same sample with ffmpeg on the same file (which conceals damaged frames). The switch is
 * seamless when both decoders return the same samples, as {@link Layer3Decoder} and ffmpeg do for
 * LAME-encoded MP3s. Without ffmpeg the {@link CorruptAudioException} is thrown as it is.
 *
 * <p>Not thread-safe: one reader at a time.
 */
final class FfmpegFallbackSource implements PcmSource {
  private final DecoderTools tools;
  private final String formatName;
  private final Path file;
  private final int sampleRateHz;
  private PcmSource current;
  private long delivered;
  private boolean switched;

  FfmpegFallbackSource(PcmSource java, DecoderTools tools, String formatName, Path file) {
    this.current = Objects.requireNonNull(java, "java == null");
    this.tools = tools;
    this.formatName = formatName;
    this.file = file;
    this.sampleRateHz = java.sampleRateHz();
  }

  /** The decoder in use: the pure-Java one until a switch, then ffmpeg's. */
  PcmSource current() {
    return current;
  }

  @Override
  public int sampleRateHz() {
    return sampleRateHz;
  }

  @Override
  public int read(float[] buffer, int offset, int length) throws IOException {
    int n;
    try {
      n = current.read(buffer, offset, length);
    } catch (CorruptAudioException javaFailed) {
      if (switched) {
        throw javaFailed;
      }
      switched = true;
      switchToFfmpeg(javaFailed);
      n = current.read(buffer, offset, length);
    }
    if (n > 0) {
      delivered += n;
    }
    return n;
  }

  private void switchToFfmpeg(CorruptAudioException javaFailed) throws IOException {
    PcmSource ffmpeg;
    try {
      ffmpeg = FfmpegDecoder.open(tools, formatName, file, null, 0);
    } catch (UnsupportedAudioFormatException | CorruptAudioException ffmpegUnusable) {
      javaFailed.addSuppressed(ffmpegUnusable);
      throw javaFailed;
    }
    try {
      if (ffmpeg.sampleRateHz() != sampleRateHz) {
        throw new CorruptAudioException(
            formatName + ": ffmpeg decodes at " + ffmpeg.sampleRateHz() + " Hz, not " + sampleRateHz,
            javaFailed);
      }
      float[] scratch = new float[4096];
      long skip = delivered;
      while (skip > 0) {
        int r = ffmpeg.read(scratch, 0, (int) Math.min(scratch.length, skip));
        if (r < 0) {
          break;
        }
        skip -= r;
      }
    } catch (IOException | RuntimeException e) {
      ffmpeg.close();
      throw e;
    }
    PcmSource java = current;
    current = ffmpeg;
    java.close();
  }

  @Override
  public void close() throws IOException {
    current.close();
  }
}
