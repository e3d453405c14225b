package io.tunetrace.core.audio;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Objects;

/**
 * MPEG-1 audio (layers I–III) through the optional pure-Java decoder {@code fr.delthas:javamp3},
 * reached by reflection so that the core compiles and runs without it. Stereo is averaged to mono.
 * Input that ends in the middle of a frame ends the audio quietly; a decoding failure before the
 * end of the input is a {@link CorruptAudioException}.
 *
 * <p>Not thread-safe: one reader at a time.
 */
final class JavaMp3Decoder implements PcmSource {
  private static final int BUFFER_BYTES = 16 * 1024;

  private final EofTracking source;
  private final InputStream pcm;
  private final int sampleRateHz;
  private final boolean stereo;
  private final byte[] buf = new byte[BUFFER_BYTES];
  private int carried;
  private boolean eof;

  private JavaMp3Decoder(EofTracking source, InputStream pcm, int sampleRateHz, boolean stereo) {
    this.source = source;
    this.pcm = pcm;
    this.sampleRateHz = sampleRateHz;
    this.stereo = stereo;
  }

  /** Opens {@code in}, positioned at the first frame. The source owns {@code in}. */
  static PcmSource open(InputStream in) throws IOException {
    EofTracking source = new EofTracking(in);
    InputStream sound;
    try {
      sound = (InputStream) Api.CONSTRUCTOR.invoke((InputStream) source);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw new CorruptAudioException("MP3: no decodable MPEG frame", e);
    } catch (Throwable e) {
      in.close();
      throw new CorruptAudioException("MP3: decoder failed to start", e);
    }
    try {
      int rate = (int) Api.RATE.invoke(sound);
      boolean stereo = (boolean) Api.STEREO.invoke(sound);
      return new JavaMp3Decoder(source, sound, rate, stereo);
    } catch (Throwable e) {
      in.close();
      throw new CorruptAudioException("MP3: decoder failed to start", e);
    }
  }

  @Override
  public int sampleRateHz() {
    return sampleRateHz;
  }

  @Override
  public int read(float[] out, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, out.length);
    if (length == 0) {
      return 0;
    }
    int frameBytes = stereo ? 4 : 2;
    while (!eof) {
      int want = Math.min(buf.length, length * frameBytes);
      int n;
      try {
        n = pcm.read(buf, carried, want - carried);
      } catch (IOException | RuntimeException e) {
        if (source.reachedEnd) {
          n = -1; // truncated in the middle of a frame: keep what was decoded
        } else {
          eof = true;
          throw new CorruptAudioException("MP3: undecodable frame near byte " + source.count, e);
        }
      }
      if (n < 0) {
        eof = true;
        break;
      }
      int total = carried + n;
      int frames = total / frameBytes;
      if (frames == 0) {
        carried = total;
        continue;
      }
      convert(frames, out, offset);
      carried = total - frames * frameBytes;
      System.arraycopy(buf, frames * frameBytes, buf, 0, carried);
      return frames;
    }
    return -1;
  }

  private void convert(int frames, float[] out, int off) {
    byte[] b = buf;
    if (stereo) {
      for (int i = 0, p = 0; i < frames; i++, p += 4) {
        int l = (short) ((b[p] & 0xff) | (b[p + 1] << 8));
        int r = (short) ((b[p + 2] & 0xff) | (b[p + 3] << 8));
        out[off + i] = (l + r) * (1f / 65536f);
      }
    } else {
      for (int i = 0, p = 0; i < frames; i++, p += 2) {
        out[off + i] = (short) ((b[p] & 0xff) | (b[p + 1] << 8)) * (1f / 32768f);
      }
    }
  }

  @Override
  public void close() throws IOException {
    eof = true;
    try {
      pcm.close();
    } finally {
      source.close();
    }
  }

  /** Remembers whether the underlying input reached its end, and how many bytes were read. */
  private static final class EofTracking extends FilterInputStream {
    volatile boolean reachedEnd;
    long count;

    EofTracking(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b < 0) {
        reachedEnd = true;
      } else {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n < 0) {
        reachedEnd = true;
      } else {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      count += s;
      return s;
    }
  }

  /** Method handles on {@code fr.delthas.javamp3.Sound}, resolved on first use. */
  private static final class Api {
    static final MethodHandle CONSTRUCTOR;
    static final MethodHandle RATE;
    static final MethodHandle STEREO;

    static {
      try {
        Class<?> sound =
            Class.forName(DecoderTools.JAVAMP3_CLASS, true, JavaMp3Decoder.class.getClassLoader());
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        CONSTRUCTOR = lookup.findConstructor(sound, MethodType.methodType(void.class, InputStream.class))
            .asType(MethodType.methodType(Object.class, InputStream.class));
        RATE = lookup.findVirtual(sound, "getSamplingFrequency", MethodType.methodType(int.class))
            .asType(MethodType.methodType(int.class, InputStream.class));
        STEREO = lookup.findVirtual(sound, "isStereo", MethodType.methodType(boolean.class))
            .asType(MethodType.methodType(boolean.class, InputStream.class));
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }
  }
}
