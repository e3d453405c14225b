package io.tunetrace.core.audio;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The {@link PcmSource} side of a decoder that decodes its stream a block at a time (an MP3 frame,
 * a Vorbis packet) into {@link #pcm} and hands the samples out from there; {@link Layer3Decoder}
 * and {@link VorbisDecoder} share it.
 *
 * <p>Not thread-safe: one reader at a time.
 */
abstract class BlockDecoder implements PcmSource {
  /** The encoded stream, closed with this source. */
  final InputStream in;
  /** The current block's samples; those in [{@link #pcmPos}, {@link #pcmLen}) are not read yet. */
  final float[] pcm;
  int pcmPos;
  int pcmLen;
  /** Set once the end was found: {@link #read} returns -1 from then on. */
  boolean ended;
  private boolean closed;

  BlockDecoder(InputStream in, int maxBlockSamples) {
    this.in = in;
    this.pcm = new float[maxBlockSamples];
  }

  /**
   * Decodes the next block into {@link #pcm}, setting {@link #pcmPos} and {@link #pcmLen} (a block
   * may hold no samples); false at the end of the stream.
   */
  abstract boolean decodeNext() throws IOException;

  @Override
  public final int read(float[] out, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, out.length);
    if (closed) {
      throw new IOException("closed");
    }
    if (length == 0) {
      return 0;
    }
    while (pcmPos == pcmLen) {
      if (ended || !decodeNext()) {
        ended = true;
        return -1;
      }
    }
    int n = Math.min(length, pcmLen - pcmPos);
    System.arraycopy(pcm, pcmPos, out, offset, n);
    pcmPos += n;
    return n;
  }

  @Override
  public final void close() throws IOException {
    closed = true;
    in.close();
  }
}
