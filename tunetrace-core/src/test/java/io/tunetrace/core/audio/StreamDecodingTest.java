package io.tunetrace.core.audio;

import static io.tunetrace.core.audio.Signals.readAll;
import static io.tunetrace.core.audio.Signals.sine;
import static io.tunetrace.core.audio.Signals.toneAmplitude;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Decoding a stream while it arrives (standard input, a pipe from a recorder): samples come out
 * before the stream ends, and a WAV header written before its length was known (0 or 0xFFFFFFFF)
 * reads to the end of the stream. A decoder that waited for the end would block on the gate below
 * and fail by timeout.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamDecodingTest {
  @TempDir Path dir;

  /**
   * Serves its bytes up to a limit the test raises. A read returns what is available and blocks
   * only when nothing is, like a pipe whose writer has not written more yet.
   */
  static final class GatedInputStream extends InputStream {
    private final byte[] data;
    private int position;
    private int limit;
    private boolean closed;

    GatedInputStream(byte[] data, int released) {
      this.data = data;
      this.limit = Math.min(released, data.length);
    }

    synchronized void releaseAll() {
      limit = data.length;
      notifyAll();
    }

    synchronized boolean closed() {
      return closed;
    }

    @Override
    public synchronized int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (position >= limit && limit < data.length && !closed) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException();
        }
      }
      if (closed) {
        throw new IOException("closed");
      }
      if (position >= data.length) {
        return -1;
      }
      int n = Math.min(len, limit - position);
      System.arraycopy(data, position, b, off, n);
      position += n;
      return n;
    }

    @Override
    public synchronized void close() {
      closed = true;
      notifyAll();
    }
  }

  /** Reads until at least {@code atLeast} samples came out; returns them. */
  private static float[] readAtLeast(PcmSource s, int atLeast) throws IOException {
    float[] out = new float[atLeast + 1000];
    int n = 0;
    while (n < atLeast) {
      int r = s.read(out, n, Math.min(1000, out.length - n));
      assertTrue(r > 0, "the stream ended after " + n + " samples");
      n += r;
    }
    return Arrays.copyOf(out, n);
  }

  @Test
  void decodesAWavStreamAsItArrivesAndReadsAnUnknownLengthToTheEnd() throws IOException {
    float[] signal = sine(1000, 44100, 3, 0.5);
    for (long declared : new long[] {0, 0xFFFFFFFFL}) {
      byte[] wav = new WavBuilder().declaredDataBytes(declared).build(signal, 1);
      // Header and 50,000 samples are there; the rest has not been written yet.
      GatedInputStream in = new GatedInputStream(wav, wav.length - (signal.length - 50_000) * 2);
      try (PcmSource s = AudioDecoders.open(in)) {
        assertEquals(44100, s.sampleRateHz());
        float[] early = readAtLeast(s, 40_000);
        in.releaseAll();
        float[] rest = readAll(s);
        assertEquals(signal.length, early.length + rest.length, "declared " + declared);
        assertEquals(signal[39_999], early[39_999], 1.0 / 30000);
        assertEquals(signal[signal.length - 1], rest[rest.length - 1], 1.0 / 30000);
      }
      assertTrue(in.closed(), "the source owns the stream");
    }
  }

  @Test
  void decodesTheWavFfmpegWritesToAPipe() throws Exception {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    Process p = new ProcessBuilder(List.of("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi",
        "-i", "sine=frequency=1000:sample_rate=8000:duration=2", "-f", "wav", "pipe:1"))
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    byte[] wav = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor());
    // ffmpeg cannot seek back into a pipe, so it leaves the data size unknown
    assertEquals(0xFFFFFFFFL, WavDecoder.u32(wav, wav.length - 16000 * 2 - 4));
    try (PcmSource s = AudioDecoders.open(new GatedInputStream(wav, wav.length))) {
      float[] out = readAll(s);
      assertEquals(16000, out.length);
      assertEquals(0.125, toneAmplitude(out, 1000, 8000), 0.01);
    }
  }

  /** At its native rate an MPEG-1 stream goes through ffmpeg, for an 8 kHz analysis through Java. */
  @ParameterizedTest(name = "preferred rate {0} Hz")
  @CsvSource({"0, 44100", "8000, 11025"})
  void decodesAnMp3StreamAsItArrives(int preferredRateHz, int rateHz) throws Exception {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    Path mp3 = dir.resolve("tone.mp3");
    Signals.ffmpeg("-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100:duration=20",
        "-c:a", "libmp3lame", "-b:a", "64k", mp3.toString());
    byte[] bytes = Files.readAllBytes(mp3);
    // About 12 of the 20 seconds have arrived.
    GatedInputStream in = new GatedInputStream(bytes, bytes.length * 6 / 10);
    try (PcmSource s = AudioDecoders.open(in, preferredRateHz)) {
      assertEquals(rateHz, s.sampleRateHz());
      float[] early = readAtLeast(s, 4 * rateHz);
      assertEquals(0.125, toneAmplitude(early, 1000, rateHz), 0.01);
      in.releaseAll();
      float[] rest = readAll(s);
      assertEquals(20.0, (early.length + rest.length) / (double) rateHz, 0.1);
    }
  }
}
