package io.tunetrace.core.audio;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads through a pure-Java decoder and, if a later frame turns out corrupt, continues from the
 * same sample with ffmpeg on the same input (ffmpeg conceals damaged frames). A file is given to
 * ffmpeg again by path; a stream is replayed from a copy of the bytes the Java decoder consumed
 * (kept up to {@link #REPLAY_BYTES}, about four minutes of a 32 kbps MP3) followed by the rest of
 * the stream. ffmpeg is asked for the Java decoder's rate (a reduced-rate {@link Layer3Decoder}
 * is below the native one). The switch is seamless when both decoders return the same samples, as
 * {@link Layer3Decoder} at the full rate and ffmpeg do for LAME-encoded MP3s; at a reduced rate
 * ffmpeg's resampler gives nearly the same samples, in step. When ffmpeg cannot be started, or a
 * stream was longer than the copy, the {@link CorruptAudioException} is thrown as it is.
 *
 * <p>Not thread-safe: one reader at a time.
 */
final class FfmpegFallbackSource implements PcmSource {
  static final int REPLAY_BYTES = 1 << 20;

  private final DecoderTools tools;
  private final String formatName;
  private final Path file;
  private final Replayable stream;
  private final int sampleRateHz;
  private PcmSource current;
  private long delivered;
  private boolean switched;

  private FfmpegFallbackSource(
      PcmSource java, DecoderTools tools, String formatName, Path file, Replayable stream) {
    this.current = Objects.requireNonNull(java, "java == null");
    this.tools = tools;
    this.formatName = formatName;
    this.file = file;
    this.stream = stream;
    this.sampleRateHz = java.sampleRateHz();
  }

  /** Falls back to ffmpeg reading {@code file}. */
  static FfmpegFallbackSource forFile(
      PcmSource java, DecoderTools tools, String formatName, Path file) {
    return new FfmpegFallbackSource(java, tools, formatName, Objects.requireNonNull(file), null);
  }

  /** Falls back to ffmpeg reading {@code stream} (which {@code java} reads) from its start. */
  static FfmpegFallbackSource forStream(
      PcmSource java, DecoderTools tools, String formatName, Replayable stream) {
    return new FfmpegFallbackSource(java, tools, formatName, null, Objects.requireNonNull(stream));
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
      if (file != null) {
        ffmpeg = FfmpegDecoder.open(tools, formatName, file, null, sampleRateHz);
      } else {
        InputStream replay = stream.replay();
        if (replay == null) {
          throw javaFailed;
        }
        // on failure the Java decoder still owns the stream and closes it
        ffmpeg = FfmpegDecoder.open(tools, formatName, null, replay, sampleRateHz);
      }
    } catch (UnsupportedAudioFormatException | CorruptAudioException ffmpegUnusable) {
      if (ffmpegUnusable != javaFailed) {
        javaFailed.addSuppressed(ffmpegUnusable);
      }
      throw javaFailed;
    }
    try {
      if (ffmpeg.sampleRateHz() != sampleRateHz) {
        throw new CorruptAudioException(
            formatName + ": ffmpeg decodes at " + ffmpeg.sampleRateHz() + " Hz, not "
                + sampleRateHz,
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
    if (file != null) {
      java.close(); // a stream now belongs to ffmpeg's copier
    }
  }

  @Override
  public void close() throws IOException {
    current.close();
  }

  /**
   * Keeps a copy of the bytes read through it, up to {@link #REPLAY_BYTES}, so that they can be
   * read again, followed by the rest of the stream.
   */
  static final class Replayable extends FilterInputStream {
    private ByteArrayOutputStream copy = new ByteArrayOutputStream();
    private final int limit;

    Replayable(InputStream in) {
      this(in, REPLAY_BYTES);
    }

    Replayable(InputStream in, int limit) {
      super(in);
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && keep(1)) {
        copy.write(b);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0 && keep(n)) {
        copy.write(b, off, n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] scratch = new byte[(int) Math.min(8192, Math.max(0, n))];
      long skipped = 0;
      while (skipped < n) {
        int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
        if (r < 0) {
          break;
        }
        skipped += r;
      }
      return skipped;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public synchronized void mark(int readlimit) {}

    @Override
    public synchronized void reset() throws IOException {
      throw new IOException("mark/reset not supported");
    }

    private boolean keep(int n) {
      if (copy != null && copy.size() + n > limit) {
        copy = null; // too long to replay: stop copying
      }
      return copy != null;
    }

    /** The copied bytes followed by the rest of the stream, or null when too many were read. */
    InputStream replay() {
      if (copy == null) {
        return null;
      }
      InputStream replay =
          new SequenceInputStream(new ByteArrayInputStream(copy.toByteArray()), in);
      copy = null;
      return replay;
    }
  }
}
