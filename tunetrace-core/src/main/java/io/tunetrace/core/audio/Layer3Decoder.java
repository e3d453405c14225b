package io.tunetrace.core.audio;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A pure-Java MPEG audio layer III decoder for MPEG-1 (32–48 kHz), MPEG-2 (16–24 kHz) and
 * MPEG-2.5 (8–12 kHz), written from ISO/IEC 11172-3 and 13818-3. Stereo is averaged to mono
 * after the IMDCT (one IMDCT per subband when both channels use the same block window) and before
 * the synthesis filter bank. A LAME/Xing info frame is not audio; its encoder delay and padding
 * are trimmed the way ffmpeg trims them, so both decoders return the same samples.
 *
 * <p><b>Reduced rate.</b> With a {@code downsampleShift} {@code s} of 1 or 2 ({@link
 * #open(InputStream, long, int)}) the output rate is the stream's rate divided by {@code R = 2^s}:
 * only the lowest {@code 32 / R} of the 32 subbands (the band below the new Nyquist frequency) are
 * Huffman-decoded, requantized, stereo-processed, reordered, alias-reduced and transformed, and the
 * synthesis filter bank computes only every {@code R}-th output sample from them: only the
 * {@code 64 / R} matrixing values that those samples window are formed. Sample {@code m} is then
 * the full-rate synthesis of the kept subbands at full-rate sample {@code R m}, with no filter
 * beyond the subband filters' own: what the top kept subband passes above the new Nyquist frequency
 * folds back into the top of the output band, above what fingerprinting analyses. Measured on a 192
 * kbps song at 44.1 kHz and {@code R = 4} (11,025 Hz out), the spectrum matches the full-rate
 * decode's to 100 dB below 3.5 kHz, 80 dB to 5 kHz, and is dominated by the folding only from 5.25
 * kHz to the new Nyquist frequency (5.5 kHz). Huffman data above the kept lines is not read at all:
 * part2_3_length says where the next granule's starts (except for the right channel of an
 * intensity-stereo frame, whose last nonzero line places the intensity bands). A frame damaged only
 * there therefore decodes instead of failing. The gapless trim is exact: of the {@code D} leading
 * samples (encoder plus decoder delay) and {@code N} samples a LAME tag asks for at the full rate,
 * the reduced stream takes its samples at full-rate positions {@code D + R m},
 * {@code m < ceil(N / R)} (the synthesis runs at phase {@code D mod R}), so output sample
 * {@code m} is trimmed full-rate sample {@code R m}: no rounding of the delay, and the length is
 * {@code ceil(N / R)}.
 *
 * <p>Bytes that are not a frame of the stream are skipped (ID3v1 trailers, junk); input that ends
 * in the middle of a frame ends the audio. A frame whose bits contradict the standard (values out
 * of range, data overrunning the frame) is a {@link CorruptAudioException} naming its byte offset.
 * A stream that starts in the middle (its first frames refer to data before it) starts with
 * silence for those frames.
 *
 * <p>Not thread-safe: one reader at a time.
 */
final class Layer3Decoder extends BlockDecoder {
  /** Samples of the decoder's own delay (IMDCT overlap plus synthesis filter), as ffmpeg counts. */
  static final int DECODER_DELAY = 529;

  private static final int IN_BYTES = 16 * 1024;
  private static final int RESERVOIR_BYTES = 4096;
  /** Zeroed bytes after the reservoir data, so reads past a hostile frame's end stay in bounds. */
  private static final int GUARD_BYTES = 16;

  private static final float[] POW43 = new float[8207];
  /**
   * The 36-point IMDCT {@code y[i] = sum_k x[k] cos(pi/72 (2i + 19)(2k + 1))} has {@code y[17 - i]
   * = -y[i]} and {@code y[53 - i] = y[i]}: rows of {@code y[0..8]} then {@code y[18..26]}.
   */
  private static final float[] IMDCT_HALF = new float[18 * 18];
  /** The 36-sample block window by block type (0 normal, 1 start, 3 stop; 2 is short). */
  private static final float[][] LONG_WINDOW = new float[4][];
  private static final float[] IMDCT_SHORT = new float[12 * 6];
  private static final float[] SYNTH_COS = new float[64 * 32];
  private static final float[] SYNTH_WINDOW = new float[512];
  private static final float[] ALIAS_CS = new float[8];
  private static final float[] ALIAS_CA = new float[8];
  private static final float[] IS_MPEG1_LEFT = new float[7];
  private static final float[] IS_MPEG1_RIGHT = new float[7];
  /** MPEG-1 long-block bands by scale-factor selection group ({@code scfsi}). */
  private static final int[] SCFSI_BANDS = {0, 6, 11, 16, 21};
  private static final int[][] PAIR_TREES = new int[32][];
  private static final int[] COUNT1_TREE_A;
  /** Huffman codes are looked up by their first {@value} bits (see {@link #lookup}). */
  private static final int PEEK_BITS = 8;
  private static final int[][] PAIR_LOOKUP = new int[32][];
  private static final int[] COUNT1_LOOKUP_A;

  static {
    for (int i = 0; i < POW43.length; i++) {
      POW43[i] = (float) Math.pow(i, 4.0 / 3.0);
    }
    for (int r = 0; r < 18; r++) {
      int i = r < 9 ? r : r + 9;
      for (int k = 0; k < 18; k++) {
        IMDCT_HALF[r * 18 + k] = (float) Math.cos(Math.PI / 72 * (2 * i + 19) * (2 * k + 1));
      }
    }
    for (int type : new int[] {0, 1, 3}) {
      LONG_WINDOW[type] = new float[36];
      for (int i = 0; i < 36; i++) {
        double w;
        if (type == 0 || (type == 1 && i < 18) || (type == 3 && i >= 18)) {
          w = Math.sin(Math.PI / 36 * (i + 0.5));
        } else if (type == 1) {
          w = i < 24 ? 1 : i < 30 ? Math.sin(Math.PI / 12 * (i - 18 + 0.5)) : 0;
        } else {
          w = i < 6 ? 0 : i < 12 ? Math.sin(Math.PI / 12 * (i - 6 + 0.5)) : 1;
        }
        LONG_WINDOW[type][i] = (float) w;
      }
    }
    for (int i = 0; i < 12; i++) {
      double w = Math.sin(Math.PI / 12 * (i + 0.5));
      for (int k = 0; k < 6; k++) {
        IMDCT_SHORT[i * 6 + k] =
            (float) (w * Math.cos(Math.PI / 24 * (2 * i + 1 + 6) * (2 * k + 1)));
      }
    }
    for (int i = 0; i < 64; i++) {
      for (int k = 0; k < 32; k++) {
        SYNTH_COS[i * 32 + k] = (float) Math.cos((16 + i) * (2 * k + 1) * Math.PI / 64);
      }
    }
    int[] half = Layer3Tables.SYNTH_WINDOW_HALF;
    for (int i = 0; i <= 256; i++) {
      SYNTH_WINDOW[i] = half[i] / 65536f;
    }
    for (int i = 1; i < 256; i++) {
      SYNTH_WINDOW[512 - i] = (i % 64 == 0 ? half[i] : -half[i]) / 65536f;
    }
    double[] c = {-0.6, -0.535, -0.33, -0.185, -0.095, -0.041, -0.0142, -0.0037};
    for (int i = 0; i < 8; i++) {
      double sq = Math.sqrt(1 + c[i] * c[i]);
      ALIAS_CS[i] = (float) (1 / sq);
      ALIAS_CA[i] = (float) (c[i] / sq);
    }
    for (int p = 0; p < 7; p++) {
      double s = Math.sin(p * Math.PI / 12);
      double co = Math.cos(p * Math.PI / 12);
      IS_MPEG1_LEFT[p] = (float) (s / (s + co));
      IS_MPEG1_RIGHT[p] = (float) (co / (s + co));
    }
    for (int t = 1; t < 32; t++) {
      int[] codes = Layer3Tables.pairCodes(t);
      if (codes != null) {
        int columns = (int) Math.round(Math.sqrt(codes.length));
        PAIR_TREES[t] = tree(codes, columns, 4);
        PAIR_LOOKUP[t] = lookup(PAIR_TREES[t]);
      }
    }
    COUNT1_TREE_A = tree(Layer3Tables.count1CodesA(), 16, 0);
    COUNT1_LOOKUP_A = lookup(COUNT1_TREE_A);
  }

  /**
   * A binary decoding tree: node n has children at [2n] (bit 0) and [2n + 1] (bit 1); a child
   * {@code >= 0} is a node, a negative one is a leaf {@code ~value}. Pair values are {@code x <<
   * 4 | y}.
   */
  private static int[] tree(int[] codes, int columns, int shift) {
    int[] t = new int[2 * codes.length];
    int nodes = 1;
    for (int s = 0; s < codes.length; s++) {
      int len = codes[s] >>> 24;
      int code = codes[s] & 0xffffff;
      int value = shift == 0 ? s : (s / columns) << shift | (s % columns);
      int node = 0;
      for (int b = len - 1; b > 0; b--) {
        int slot = 2 * node + ((code >>> b) & 1);
        if (t[slot] == 0) {
          t[slot] = nodes++;
        }
        node = t[slot];
      }
      t[2 * node + (code & 1)] = ~value;
    }
    return t;
  }

  /**
   * The code of a (complete) {@link #tree} as lookup blocks of {@code 2^}{@value #PEEK_BITS}
   * entries, indexed by the next {@value #PEEK_BITS} bits, the root's block first: a positive
   * entry {@code length << 16 | value} is a code ending {@code length} bits into the block; a
   * negative one {@code ~start} says the code is longer: skip the block's bits and look the next
   * ones up in the block at {@code start}.
   */
  private static int[] lookup(int[] tree) {
    int[][] table = {new int[1 << PEEK_BITS]};
    int[] used = {1 << PEEK_BITS};
    fillBlock(tree, 0, 0, table, used);
    return Arrays.copyOf(table[0], used[0]);
  }

  private static void fillBlock(int[] tree, int root, int start, int[][] table, int[] used) {
    for (int prefix = 0; prefix < 1 << PEEK_BITS; prefix++) {
      int node = root;
      for (int b = 1; ; b++) {
        int c = tree[2 * node + ((prefix >>> (PEEK_BITS - b)) & 1)];
        if (c < 0) {
          table[0][start + prefix] = b << 16 | ~c;
          break;
        }
        if (c == 0) {
          throw new IllegalStateException("incomplete Huffman code");
        }
        node = c;
        if (b == PEEK_BITS) {
          int next = used[0];
          used[0] += 1 << PEEK_BITS;
          if (used[0] > table[0].length) {
            table[0] = Arrays.copyOf(table[0], 2 * used[0]);
          }
          table[0][start + prefix] = ~next;
          fillBlock(tree, node, next, table, used);
          break;
        }
      }
    }
  }

  // ---- stream state -------------------------------------------------------------------------

  private final byte[] buf = new byte[IN_BYTES];
  private int bufPos;
  private int bufLen;
  private boolean inputEnded;
  /** Offset in the input of buf[0]. */
  private long bufOffset;

  private final int version;
  private final int rateIndex;
  /** The stream's own rate (the output's is {@code sampleRateHz >> shift}). */
  private final int sampleRateHz;
  private final String streamName;
  /** Output samples per frame. */
  private final int samplesPerFrame;
  /** The output keeps every {@code 2^shift}-th sample, made from the lowest subbands only. */
  private final int shift;
  /** Subbands decoded: {@code 32 >> shift}. */
  private final int subbands;

  private final byte[] reservoir = new byte[RESERVOIR_BYTES + GUARD_BYTES];
  private int reservoirLen;
  private int bitPos;

  // gapless trimming from a LAME tag, in output samples: samples still to drop, still to return
  private long skipSamples;
  private long remainingSamples = Long.MAX_VALUE;

  // ---- per-frame decoding state -------------------------------------------------------------

  private final int[] part23 = new int[4];
  private final int[] bigValues = new int[4];
  private final int[] globalGain = new int[4];
  private final int[] sfCompress = new int[4];
  private final int[] blockType = new int[4];
  private final boolean[] mixed = new boolean[4];
  private final int[][] tableSelect = new int[4][3];
  private final int[][] subblockGain = new int[4][3];
  private final int[] region0 = new int[4];
  private final int[] region1 = new int[4];
  private final int[] preflag = new int[4];
  private final int[] sfScale = new int[4];
  private final int[] count1Table = new int[4];
  private final int[][] scfsi = new int[2][4];

  private final int[] slen = new int[4];
  private final int[][] scalefacL = new int[2][22];
  private final int[][][] scalefacS = new int[2][13][3];
  /** MPEG-2 intensity stereo: the scale factor value meaning "no intensity position". */
  private final int[] illegalL = new int[22];
  private final int[][] illegalS = new int[13][3];
  private int intensityScale;

  private final int[] quantized = new int[576];
  /** Lines the last Huffman decoding produced (the rest are zero). */
  private int huffmanCount;
  private final float[][] xr = new float[2][576];
  private final int[] nonzero = new int[2];
  private final float[] reordered = new float[576];
  /** The second halves of the last granule's IMDCT blocks, of the mono mix. */
  private final float[] overlap = new float[576];
  /** The mono mix of the IMDCT output as [time][subband] (stride 32). */
  private final float[] hybrid = new float[576];
  private final float[] imdctIn = new float[18];
  private final float[] imdctHalf = new float[18];
  private final float[] imdctOut = new float[36];
  private final float[] imdctOne = new float[36];
  /** The synthesis FIFO: 16 slots of the matrixing values that output samples window. */
  private final float[] synthV;
  private int synthOffset;
  /** Reduced-rate synthesis tables for the phase the gapless trim needs (null at full rate). */
  private ReducedSynthesis reduced;
  private final float[] synthAcc = new float[32];


  private Layer3Decoder(InputStream in, MpegFrameHeader first, int shift) {
    super(in, 1152);
    this.version = first.version();
    this.sampleRateHz = first.sampleRateHz();
    int r = 0;
    while (Layer3Tables.RATES_HZ[r] != sampleRateHz) {
      r++;
    }
    this.rateIndex = r;
    this.streamName = first.describe();
    this.shift = shift;
    this.subbands = 32 >> shift;
    this.samplesPerFrame = (version == MpegFrameHeader.MPEG1 ? 1152 : 576) >> shift;
    this.synthV = new float[2 * 16 * (64 >> shift)];
  }

  /**
   * The largest {@code downsampleShift} (0–2) whose output rate, {@code sampleRateHz >> shift},
   * is a whole number of hertz and at least {@code preferredRateHz}: 2 for 44.1, 48 and 32 kHz
   * streams (11,025, 12,000 and 8,000 Hz) when 8 kHz is preferred. 0 when {@code preferredRateHz}
   * is 0 (the native rate) or above the stream's rate.
   */
  static int downsampleShift(int sampleRateHz, int preferredRateHz) {
    if (preferredRateHz <= 0) {
      return 0;
    }
    int s = 2;
    while (s > 0 && (sampleRateHz % (1 << s) != 0 || (sampleRateHz >> s) < preferredRateHz)) {
      s--;
    }
    return s;
  }

  /**
   * Opens {@code in}, positioned at the first frame, and decodes the first audio frame (so a
   * stream this decoder cannot read fails here). The returned source owns {@code in}; when this
   * method throws, the caller keeps it (and may hand what it can rewind to another decoder).
   */
  static PcmSource open(InputStream in) throws IOException {
    return open(in, 0);
  }

  /**
   * As {@link #open(InputStream)}, for a stream whose first byte is at {@code firstFrameOffset}
   * in the file (after ID3 tags, say), which error messages count from.
   */
  static PcmSource open(InputStream in, long firstFrameOffset) throws IOException {
    return open(in, firstFrameOffset, 0);
  }

  /**
   * As {@link #open(InputStream, long)}, at the stream's rate divided by {@code 2^downsampleShift}
   * (see the class comment; {@link #downsampleShift} picks one for a wanted rate).
   *
   * @param downsampleShift 0 (full rate), 1 (half) or 2 (a quarter); the stream's rate must be
   *     a multiple of {@code 2^downsampleShift}, or the full rate is decoded
   */
  static PcmSource open(InputStream in, long firstFrameOffset, int downsampleShift)
      throws IOException {
    Objects.requireNonNull(in, "in == null");
    if (downsampleShift < 0 || downsampleShift > 2) {
      throw new IllegalArgumentException("downsampleShift out of range: " + downsampleShift);
    }
    byte[] head = in.readNBytes(4);
    MpegFrameHeader first = MpegFrameHeader.parse(head, 0, head.length);
    if (first == null) {
      throw new CorruptAudioException("MP3: no MPEG audio frame");
    }
    if (first.layer() != 3) {
      throw new UnsupportedAudioFormatException(
          "MP3: " + first.describe() + " is not decoded in Java");
    }
    int shift = first.sampleRateHz() % (1 << downsampleShift) == 0 ? downsampleShift : 0;
    Layer3Decoder d = new Layer3Decoder(in, first, shift);
    d.bufOffset = firstFrameOffset;
    System.arraycopy(head, 0, d.buf, 0, 4);
    d.bufLen = 4;
    d.start();
    return d;
  }

  /** Reads the first frame: a LAME/Xing info frame, or the first audio frame. */
  private void start() throws IOException {
    if (!fill(4)) {
      throw new CorruptAudioException("MP3: no MPEG audio frame");
    }
    MpegFrameHeader h = MpegFrameHeader.parse(buf, bufPos, bufLen);
    if (!fill(h.frameBytes())) {
      throw new CorruptAudioException("MP3: truncated in the first frame");
    }
    if (readInfoFrame(h)) {
      bufPos += h.frameBytes();
    }
    // the trim counts full-rate samples: start the reduced synthesis at the first kept one's phase
    int factor = 1 << shift;
    if (shift > 0) {
      reduced = ReducedSynthesis.of(shift, (int) (skipSamples % factor));
    }
    skipSamples /= factor;
    if (remainingSamples != Long.MAX_VALUE) {
      remainingSamples = (remainingSamples + factor - 1) / factor;
    }
    if (!decodeNext()) {
      ended = true;
    }
  }

  @Override
  public int sampleRateHz() {
    return sampleRateHz >> shift;
  }

  // ---- framing ------------------------------------------------------------------------------

  /** Makes {@code n} bytes from bufPos available; false when the input ends first. */
  private boolean fill(int n) throws IOException {
    if (bufLen - bufPos >= n) {
      return true;
    }
    if (bufPos > 0) {
      System.arraycopy(buf, bufPos, buf, 0, bufLen - bufPos);
      bufLen -= bufPos;
      bufOffset += bufPos;
      bufPos = 0;
    }
    while (bufLen < n && !inputEnded) {
      int r = in.read(buf, bufLen, buf.length - bufLen);
      if (r < 0) {
        inputEnded = true;
      } else {
        bufLen += r;
      }
    }
    return bufLen - bufPos >= n;
  }

  /** A header of this stream at bufPos (4 bytes available), or null. */
  private MpegFrameHeader headerAt(int pos) {
    if ((buf[pos] & 0xff) != 0xff) {
      return null;
    }
    MpegFrameHeader h = MpegFrameHeader.parse(buf, pos, bufLen);
    return h != null && h.layer() == 3 && h.version() == version && h.sampleRateHz() == sampleRateHz
        ? h
        : null;
  }

  /**
   * Decodes frames until one yields samples to return (some are trimmed or skipped); false at the
   * end of the stream.
   */
  @Override
  boolean decodeNext() throws IOException {
    pcmPos = 0;
    pcmLen = 0;
    while (pcmLen == 0) {
      if (remainingSamples == 0) {
        return false;
      }
      MpegFrameHeader h = nextFrame();
      if (h == null) {
        return false;
      }
      int start = bufPos;
      bufPos += h.frameBytes();
      decodeFrame(start, h);
      int from = (int) Math.min(skipSamples, samplesPerFrame);
      skipSamples -= from;
      int n = (int) Math.min(samplesPerFrame - from, remainingSamples);
      remainingSamples -= n;
      if (from > 0 && n > 0) {
        System.arraycopy(pcm, from, pcm, 0, n);
      }
      pcmLen = n;
    }
    return true;
  }

  /**
   * Finds the next complete frame of this stream at or after bufPos, skipping other bytes; null
   * at the end of the input (including a last frame cut short).
   */
  private MpegFrameHeader nextFrame() throws IOException {
    boolean skipped = false;
    while (fill(4)) {
      MpegFrameHeader h = headerAt(bufPos);
      if (h != null) {
        if (!fill(h.frameBytes())) {
          return null;
        }
        // after junk, a sync pattern counts only when the next frame follows it (or the input ends)
        if (!skipped
            || !fill(h.frameBytes() + 4)
            || headerAt(bufPos + h.frameBytes()) != null) {
          return h;
        }
      }
      skipped = true;
      bufPos++;
    }
    return null;
  }

  /**
   * If the frame at bufPos is a Xing/Info frame, reads the LAME tag's delay and padding and
   * returns true: the frame holds no audio.
   */
  private boolean readInfoFrame(MpegFrameHeader h) {
    int p = bufPos + mainDataOffset();
    int end = bufPos + h.frameBytes();
    if (p + 8 > end) {
      return false;
    }
    String tag = new String(buf, p, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    if (!tag.equals("Xing") && !tag.equals("Info")) {
      return false;
    }
    int flags = be32(p + 4);
    p += 8;
    long frames = -1;
    if ((flags & 1) != 0) {
      if (p + 4 > end) {
        return true;
      }
      frames = be32(p) & 0xffffffffL;
      p += 4;
    }
    p += ((flags & 2) != 0 ? 4 : 0) + ((flags & 4) != 0 ? 100 : 0) + ((flags & 8) != 0 ? 4 : 0);
    if (p + 24 > end) {
      return true;
    }
    String encoder = new String(buf, p, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    if (encoder.equals("LAME") || encoder.equals("Lavf") || encoder.equals("Lavc")) {
      int delay = (buf[p + 21] & 0xff) << 4 | (buf[p + 22] & 0xff) >>> 4;
      int padding = (buf[p + 22] & 0x0f) << 8 | (buf[p + 23] & 0xff);
      skipSamples = delay + DECODER_DELAY;
      if (frames >= 0) {
        remainingSamples = Math.max(0, frames * (samplesPerFrame << shift) - delay - padding);
      }
    }
    return true;
  }

  private int be32(int p) {
    return word(buf, p);
  }

  private int mainDataOffset() {
    boolean crc = (buf[bufPos + 1] & 1) == 0;
    return 4 + (crc ? 2 : 0) + sideInfoBytes(channels(bufPos));
  }

  private int channels(int pos) {
    return ((buf[pos + 3] & 0xff) >>> 6) == 3 ? 1 : 2;
  }

  private int sideInfoBytes(int channels) {
    return version == MpegFrameHeader.MPEG1 ? (channels == 1 ? 17 : 32) : (channels == 1 ? 9 : 17);
  }

  private static final VarHandle BIG_ENDIAN_INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  private static final VarHandle BIG_ENDIAN_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /** The big-endian 64-bit word at {@code b[p]} (one load). */
  private static long longWord(byte[] b, int p) {
    return (long) BIG_ENDIAN_LONG.get(b, p);
  }

  /** The big-endian 32-bit word at {@code b[p]} (one load). */
  private static int word(byte[] b, int p) {
    return (int) BIG_ENDIAN_INT.get(b, p);
  }

  private CorruptAudioException corrupt(long frameOffset, String what) {
    return new CorruptAudioException(
        "MP3: corrupt " + streamName + " frame at byte " + frameOffset + ": " + what);
  }

  // ---- one frame ----------------------------------------------------------------------------

  private void decodeFrame(int start, MpegFrameHeader h) throws CorruptAudioException {
    long offset = bufOffset + start;
    boolean mpeg1 = version == MpegFrameHeader.MPEG1;
    int channels = channels(start);
    int mode = (buf[start + 3] & 0xff) >>> 6;
    int modeExt = (buf[start + 3] >>> 4) & 3;
    boolean msStereo = mode == 1 && (modeExt & 2) != 0;
    boolean intensity = mode == 1 && (modeExt & 1) != 0;
    boolean crc = (buf[start + 1] & 1) == 0;
    int side = start + 4 + (crc ? 2 : 0);
    int granules = mpeg1 ? 2 : 1;

    // side information
    int sideBytes = sideInfoBytes(channels);
    int mainDataBegin = readSideInfo(side, sideBytes, channels, granules, mpeg1, offset);

    // main data into the bit reservoir
    int mainBytes = h.frameBytes() - (side - start) - sideBytes;
    if (mainBytes < 0) {
      throw corrupt(offset, "frame shorter than its side information");
    }
    if (reservoirLen + mainBytes > RESERVOIR_BYTES) {
      int keep = Math.min(reservoirLen, 511);
      System.arraycopy(reservoir, reservoirLen - keep, reservoir, 0, keep);
      reservoirLen = keep;
    }
    int mainStart = reservoirLen - mainDataBegin;
    System.arraycopy(buf, side + sideBytes, reservoir, reservoirLen, mainBytes);
    reservoirLen += mainBytes;
    Arrays.fill(reservoir, reservoirLen, reservoirLen + GUARD_BYTES, (byte) 0);
    if (mainStart < 0) {
      // the data is in frames before this stream started: silence, keeping the timing
      Arrays.fill(overlap, 0f);
      Arrays.fill(synthV, 0f);
      Arrays.fill(pcm, 0, samplesPerFrame, 0f);
      return;
    }
    bitPos = mainStart * 8;
    int limit = reservoirLen * 8;
    for (int gr = 0; gr < granules; gr++) {
      int lines = lineLimit(gr * 2);
      if (channels == 2) {
        lines = Math.max(lines, lineLimit(gr * 2 + 1));
      }
      for (int ch = 0; ch < channels; ch++) {
        int g = gr * 2 + ch;
        int end = bitPos + part23[g];
        if (end > limit) {
          throw corrupt(offset, "main data overruns the frame");
        }
        if (mpeg1) {
          readScalefactorsMpeg1(g, ch, gr);
        } else {
          readScalefactorsLsf(g, ch, intensity && ch == 1);
        }
        if (bitPos > end) {
          throw corrupt(offset, "scale factors overrun part2_3_length " + part23[g]);
        }
        // intensity stereo needs to know where the right channel's data ends
        huffman(g, end, offset, intensity && ch == 1 ? 576 : lines);
        bitPos = end;
        requantize(g, ch, mpeg1, lines);
      }
      if (channels == 2) {
        stereo(gr * 2, msStereo, intensity, mpeg1, lines);
      }
      for (int ch = 0; ch < channels; ch++) {
        int g = gr * 2 + ch;
        if (blockType[g] == 2) {
          reorder(ch, mixed[g], lines);
        }
        antialias(ch, blockType[g] == 2 ? (mixed[g] ? 2 : 0) : Math.min(32, subbands + 1));
      }
      imdct(gr * 2, channels);
      int perGranule = 576 >> shift;
      if (reduced == null) {
        synthesize(gr * perGranule);
      } else {
        synthesizeReduced(gr * perGranule);
      }
    }
  }

  /**
   * How many frequency lines of granule {@code g} the kept subbands need: all 576 at the full
   * rate; else the kept subbands' lines plus the 8 above them that alias reduction mixes in
   * (long blocks), or up to the end of the short-block band the last kept line falls in (short
   * windows are interleaved within a band).
   */
  private int lineLimit(int g) {
    if (shift == 0) {
      return 576;
    }
    int lines = 18 * subbands;
    if (blockType[g] != 2) {
      return lines + 8;
    }
    int[] shortBands = Layer3Tables.SHORT_BANDS[rateIndex];
    int sfb = 0;
    while (3 * shortBands[sfb + 1] < lines) {
      sfb++;
    }
    return 3 * shortBands[sfb + 1];
  }

  private int readSideInfo(
      int side, int sideBytes, int channels, int granules, boolean mpeg1, long offset)
      throws CorruptAudioException {
    // a copy with zeroed guard bytes, so the reader never leaves the array
    byte[] saved = sideScratch;
    System.arraycopy(buf, side, saved, 0, sideBytes);
    Arrays.fill(saved, sideBytes, saved.length, (byte) 0);
    BitCursor b = new BitCursor(saved);
    int mainDataBegin;
    if (mpeg1) {
      mainDataBegin = b.bits(9);
      b.bits(channels == 1 ? 5 : 3);
      for (int ch = 0; ch < channels; ch++) {
        for (int band = 0; band < 4; band++) {
          scfsi[ch][band] = b.bits(1);
        }
      }
    } else {
      mainDataBegin = b.bits(8);
      b.bits(channels == 1 ? 1 : 2);
    }
    for (int gr = 0; gr < granules; gr++) {
      for (int ch = 0; ch < channels; ch++) {
        int g = gr * 2 + ch;
        part23[g] = b.bits(12);
        bigValues[g] = b.bits(9);
        if (bigValues[g] > 288) {
          throw corrupt(offset, "big_values " + bigValues[g] + " > 288");
        }
        globalGain[g] = b.bits(8);
        sfCompress[g] = b.bits(mpeg1 ? 4 : 9);
        boolean windowSwitching = b.bits(1) == 1;
        if (windowSwitching) {
          blockType[g] = b.bits(2);
          if (blockType[g] == 0) {
            throw corrupt(offset, "window switching with block type 0");
          }
          mixed[g] = b.bits(1) == 1;
          tableSelect[g][0] = b.bits(5);
          tableSelect[g][1] = b.bits(5);
          tableSelect[g][2] = 0;
          for (int w = 0; w < 3; w++) {
            subblockGain[g][w] = b.bits(3);
          }
          region0[g] = blockType[g] == 2 && !mixed[g] ? 8 : 7;
          region1[g] = 36; // to the end
        } else {
          blockType[g] = 0;
          mixed[g] = false;
          for (int r = 0; r < 3; r++) {
            tableSelect[g][r] = b.bits(5);
          }
          subblockGain[g][0] = subblockGain[g][1] = subblockGain[g][2] = 0;
          region0[g] = b.bits(4);
          region1[g] = b.bits(3);
        }
        for (int r = 0; r < 3; r++) {
          int t = tableSelect[g][r];
          if (t != 0 && PAIR_TREES[t] == null) {
            throw corrupt(offset, "Huffman table " + t + " does not exist");
          }
        }
        preflag[g] = mpeg1 ? b.bits(1) : 0;
        sfScale[g] = b.bits(1);
        count1Table[g] = b.bits(1);
      }
    }
    return mainDataBegin;
  }

  private final byte[] sideScratch = new byte[32 + GUARD_BYTES];

  /** A big-endian bit reader over a byte array with at least 4 guard bytes after the data. */
  private static final class BitCursor {
    final byte[] b;
    int pos;

    BitCursor(byte[] b) {
      this.b = b;
    }

    int bits(int n) {
      int p = pos >>> 3;
      int w = word(b, p);
      int v = (w << (pos & 7)) >>> (32 - n);
      pos += n;
      return v;
    }
  }

  /** Reads {@code n} bits (0–24) from the reservoir. */
  private int bits(int n) {
    if (n == 0) {
      return 0;
    }
    int p = bitPos >>> 3;
    byte[] b = reservoir;
    int w = word(b, p);
    int v = (w << (bitPos & 7)) >>> (32 - n);
    bitPos += n;
    return v;
  }

  private int bit() {
    int v = (reservoir[bitPos >>> 3] >>> (7 - (bitPos & 7))) & 1;
    bitPos++;
    return v;
  }

  private void readScalefactorsMpeg1(int g, int ch, int gr) {
    int slen1 = Layer3Tables.SLEN1[sfCompress[g]];
    int slen2 = Layer3Tables.SLEN2[sfCompress[g]];
    int[] l = scalefacL[ch];
    int[][] s = scalefacS[ch];
    if (blockType[g] == 2) {
      int sfb = 0;
      if (mixed[g]) {
        for (; sfb < 8; sfb++) {
          l[sfb] = bits(slen1);
        }
        sfb = 3;
      }
      for (; sfb < 12; sfb++) {
        int len = sfb < 6 ? slen1 : slen2;
        for (int w = 0; w < 3; w++) {
          s[sfb][w] = bits(len);
        }
      }
      s[12][0] = s[12][1] = s[12][2] = 0;
    } else {
      int[] groups = SCFSI_BANDS;
      for (int i = 0; i < 4; i++) {
        boolean reuse = gr == 1 && scfsi[ch][i] == 1;
        int len = i < 2 ? slen1 : slen2;
        for (int sfb = groups[i]; sfb < groups[i + 1]; sfb++) {
          if (!reuse) {
            l[sfb] = bits(len);
          }
        }
      }
      l[21] = 0;
    }
  }

  private void readScalefactorsLsf(int g, int ch, boolean intensityChannel) {
    int sfc = sfCompress[g];
    int[] slen = this.slen;
    Arrays.fill(slen, 0);
    int table;
    if (!intensityChannel) {
      if (sfc < 400) {
        slen[0] = (sfc >>> 4) / 5;
        slen[1] = (sfc >>> 4) % 5;
        slen[2] = (sfc & 15) >>> 2;
        slen[3] = sfc & 3;
        table = 0;
      } else if (sfc < 500) {
        sfc -= 400;
        slen[0] = (sfc >>> 2) / 5;
        slen[1] = (sfc >>> 2) % 5;
        slen[2] = sfc & 3;
        table = 1;
      } else {
        sfc -= 500;
        slen[0] = sfc / 3;
        slen[1] = sfc % 3;
        table = 2;
        preflag[g] = 1;
      }
    } else {
      intensityScale = sfc & 1;
      int isc = sfc >>> 1;
      if (isc < 180) {
        slen[0] = isc / 36;
        slen[1] = (isc % 36) / 6;
        slen[2] = isc % 6;
        table = 3;
      } else if (isc < 244) {
        isc -= 180;
        slen[0] = (isc & 63) >>> 4;
        slen[1] = (isc & 15) >>> 2;
        slen[2] = isc & 3;
        table = 4;
      } else {
        isc -= 244;
        slen[0] = isc / 3;
        slen[1] = isc % 3;
        table = 5;
      }
    }
    int kind = blockType[g] == 2 ? (mixed[g] ? 2 : 1) : 0;
    int[] counts = Layer3Tables.NR_OF_SFB[table][kind];
    int[] l = scalefacL[ch];
    int[][] s = scalefacS[ch];
    int unit = 0;
    for (int i = 0; i < 4; i++) {
      int len = slen[i];
      int illegal = (1 << len) - 1;
      for (int j = 0; j < counts[i]; j++, unit++) {
        int v = bits(len);
        if (kind == 0 || (kind == 2 && unit < 6)) {
          l[unit] = v;
          illegalL[unit] = illegal;
        } else {
          int k = unit - (kind == 2 ? 6 : 0);
          int sfb = k / 3 + (kind == 2 ? 3 : 0);
          s[sfb][k % 3] = v;
          illegalS[sfb][k % 3] = illegal;
        }
      }
    }
    if (kind == 0) {
      l[21] = 0;
      illegalL[21] = illegalL[20];
    } else {
      for (int w = 0; w < 3; w++) {
        s[12][w] = 0;
        illegalS[12][w] = illegalS[11][w];
      }
    }
  }

  // ---- Huffman decoding and requantization ---------------------------------------------------

  /**
   * Decodes the granule's Huffman data into {@link #quantized}, up to line {@code stopAt} (the
   * rest is left zero): the data of higher lines need not be read, as part2_3_length says where
   * the next granule's starts.
   */
  private void huffman(int g, int end, long offset, int stopAt) throws CorruptAudioException {
    int[] q = quantized;
    int[] longBands = Layer3Tables.LONG_BANDS[rateIndex];
    int bigEnd = Math.min(bigValues[g] * 2, stopAt + (stopAt & 1));
    int r1;
    int r2;
    if (blockType[g] == 2) {
      r1 = mixed[g] ? 36 : 3 * Layer3Tables.SHORT_BANDS[rateIndex][3];
      r2 = 576;
    } else if (blockType[g] != 0) {
      r1 = longBands[8];
      r2 = 576;
    } else {
      r1 = longBands[Math.min(region0[g] + 1, 22)];
      r2 = longBands[Math.min(region0[g] + region1[g] + 2, 22)];
    }
    // Each pair (or quadruple) is read from one 64-bit load at its first bit: at least 57 bits,
    // more than the longest pair takes (a 19-bit code, 2 x 13 linbits and 2 signs: 47). The
    // load may pass the data by 8 bytes: the reservoir's guard bytes are there.
    byte[] b = reservoir;
    int pos = bitPos;
    int i = 0;
    for (int region = 0; region < 3; region++) {
      int regionEnd = Math.min(region == 0 ? r1 : region == 1 ? r2 : 576, bigEnd);
      int t = tableSelect[g][region];
      if (t == 0) {
        for (; i < regionEnd; i++) {
          q[i] = 0;
        }
        continue;
      }
      int[] lookup = PAIR_LOOKUP[t];
      int linbits = Layer3Tables.LINBITS[t];
      for (; i < regionEnd; i += 2) {
        if (pos > end) {
          bitPos = pos;
          throw corrupt(offset, "big values overrun part2_3_length");
        }
        long w = longWord(b, pos >>> 3) << (pos & 7);
        int used = 0;
        int start = 0;
        int e;
        while ((e = lookup[start + (int) ((w << used) >>> (64 - PEEK_BITS))]) < 0) {
          used += PEEK_BITS;
          start = ~e;
        }
        used += e >>> 16;
        long x = withLinbitsAndSign(w, used, (e >>> 4) & 15, linbits);
        long y = withLinbitsAndSign(w, (int) (x >>> 32), e & 15, linbits);
        pos += (int) (y >>> 32);
        q[i] = (int) x;
        q[i + 1] = (int) y;
      }
    }
    bitPos = pos;
    if (pos > end) {
      throw corrupt(offset, "big values overrun part2_3_length");
    }
    // count1 region: quadruples of -1, 0, 1 (a code of up to 6 bits and up to 4 signs)
    boolean tableB = count1Table[g] == 1;
    int[] lookupA = COUNT1_LOOKUP_A;
    int count1End = bigValues[g] * 2 < stopAt ? 576 : i;
    while (i + 4 <= count1End && i < stopAt && pos < end) {
      long w = longWord(b, pos >>> 3) << (pos & 7);
      int used;
      int v;
      if (tableB) {
        v = ~(int) (w >>> 60) & 15;
        used = 4;
      } else {
        int e = lookupA[(int) (w >>> (64 - PEEK_BITS))];
        v = e & 0xffff;
        used = e >>> 16;
      }
      int base = i;
      for (int k = 3; k >= 0; k--) {
        int a = (v >>> k) & 1;
        if (a != 0) {
          if ((w << used) < 0) {
            a = -1;
          }
          used++;
        }
        q[i++] = a;
      }
      pos += used;
      if (pos > end) {
        // the last quadruple ran past the data: it was padding
        i = base;
        break;
      }
    }
    bitPos = pos;
    huffmanCount = i;
    for (int k = i; k < 576; k++) {
      q[k] = 0;
    }
  }

  /**
   * A big-values magnitude {@code v} of a Huffman pair completed from the bits of {@code w} that
   * follow bit {@code used}: its linbits (when {@code v} is 15) and its sign bit (when it is not
   * 0). Returns the signed value in the low 32 bits and the bits of {@code w} used after it in the
   * high 32.
   */
  private static long withLinbitsAndSign(long w, int used, int v, int linbits) {
    if (v == 15 && linbits > 0) {
      v += (int) ((w << used) >>> (64 - linbits));
      used += linbits;
    }
    if (v != 0) {
      if ((w << used) < 0) {
        v = -v;
      }
      used++;
    }
    return (long) used << 32 | (v & 0xffffffffL);
  }

  /** Requantizes the first {@code lines} lines (the rest are left zero). */
  private void requantize(int g, int ch, boolean mpeg1, int lines) {
    int[] q = quantized;
    float[] out = xr[ch];
    int count = Math.min(huffmanCount, lines);
    while (count > 0 && q[count - 1] == 0) {
      count--;
    }
    int[] longBands = Layer3Tables.LONG_BANDS[rateIndex];
    int[] shortBands = Layer3Tables.SHORT_BANDS[rateIndex];
    int gain = globalGain[g] - 210;
    int shift = sfScale[g] == 1 ? 4 : 2;
    int[] l = scalefacL[ch];
    int[][] s = scalefacS[ch];
    int i = 0;
    int firstShort = 0;
    if (blockType[g] != 2 || mixed[g]) {
      int bands = blockType[g] == 2 ? (mpeg1 ? 8 : 6) : 22;
      for (int sfb = 0; sfb < bands && i < count; sfb++) {
        int exp4 = gain - shift * (l[sfb] + preflag[g] * Layer3Tables.PRETAB[sfb]);
        float f = (float) Math.pow(2, exp4 / 4.0);
        int e = Math.min(longBands[sfb + 1], count);
        for (; i < e; i++) {
          int v = q[i];
          out[i] = v >= 0 ? POW43[v] * f : -POW43[-v] * f;
        }
        i = longBands[sfb + 1];
      }
      firstShort = 3;
    }
    if (blockType[g] == 2) {
      i = 3 * shortBands[firstShort];
      for (int sfb = firstShort; sfb < 13 && i < count; sfb++) {
        int width = shortBands[sfb + 1] - shortBands[sfb];
        for (int w = 0; w < 3; w++) {
          int exp4 = gain - 8 * subblockGain[g][w] - shift * s[sfb][w];
          float f = (float) Math.pow(2, exp4 / 4.0);
          int e = Math.min(i + width, count);
          for (int k = i; k < e; k++) {
            int v = q[k];
            out[k] = v >= 0 ? POW43[v] * f : -POW43[-v] * f;
          }
          i += width;
        }
      }
    }
    Arrays.fill(out, count, 576, 0f);
    nonzero[ch] = count;
  }

  // ---- stereo, reordering, alias reduction, IMDCT ------------------------------------------

  /**
   * Mid/side and intensity stereo over the first {@code lines} lines. Which bands are intensity
   * coded depends on where the right channel's data ends, so that is read from its quantized
   * values, all 576 of which {@link #quantized} still holds (the right channel is decoded last).
   */
  private void stereo(int g0, boolean ms, boolean intensity, boolean mpeg1, int lines) {
    float[] left = xr[0];
    float[] right = xr[1];
    int[] rightQuantized = quantized;
    int g1 = g0 + 1;
    int limit = Math.max(nonzero[0], nonzero[1]);
    if (!intensity) {
      if (ms) {
        ms(left, right, 0, limit);
      }
      nonzero[0] = limit;
      nonzero[1] = limit;
      return;
    }
    int[] longBands = Layer3Tables.LONG_BANDS[rateIndex];
    int[] shortBands = Layer3Tables.SHORT_BANDS[rateIndex];
    float io = intensityScale == 1 ? (float) Math.sqrt(0.5) : (float) Math.pow(2, -0.25);
    if (blockType[g1] == 2) {
      int first = mixed[g1] ? 3 : 0;
      if (mixed[g1] && ms) {
        ms(left, right, 0, 3 * shortBands[3]);
      }
      // lines is a band boundary: the bands that start below it are processed whole
      int bands = first;
      while (bands < 13 && 3 * shortBands[bands] < lines) {
        bands++;
      }
      for (int w = 0; w < 3; w++) {
        // intensity stereo starts above the right channel's last nonzero band in this window
        int last = first - 1;
        for (int sfb = first; sfb < 13; sfb++) {
          int width = shortBands[sfb + 1] - shortBands[sfb];
          int start = 3 * shortBands[sfb] + w * width;
          for (int k = start; k < start + width; k++) {
            if (rightQuantized[k] != 0) {
              last = sfb;
              break;
            }
          }
        }
        for (int sfb = first; sfb < bands; sfb++) {
          int width = shortBands[sfb + 1] - shortBands[sfb];
          int start = 3 * shortBands[sfb] + w * width;
          if (sfb <= last) {
            if (ms) {
              ms(left, right, start, start + width);
            }
          } else {
            int pos = scalefacS[1][Math.min(sfb, 11)][w];
            int illegal = mpeg1 ? 7 : illegalS[sfb][w];
            intensityBand(left, right, start, start + width, pos, illegal, ms, mpeg1, io);
          }
        }
      }
    } else {
      int last = -1;
      for (int k = 575; k >= 0; k--) {
        if (rightQuantized[k] != 0) {
          last = 21;
          while (longBands[last] > k) {
            last--;
          }
          break;
        }
      }
      if (ms) {
        ms(left, right, 0, Math.min(longBands[last + 1], lines));
      }
      for (int sfb = last + 1; sfb < 22 && longBands[sfb] < lines; sfb++) {
        int pos = scalefacL[1][Math.min(sfb, 20)];
        int illegal = mpeg1 ? 7 : illegalL[sfb];
        intensityBand(left, right, longBands[sfb], Math.min(longBands[sfb + 1], lines), pos,
            illegal, ms, mpeg1, io);
      }
    }
    nonzero[0] = lines;
    nonzero[1] = lines;
  }

  private static void ms(float[] left, float[] right, int from, int to) {
    final float r = (float) Math.sqrt(0.5);
    for (int k = from; k < to; k++) {
      float m = left[k];
      float s = right[k];
      left[k] = (m + s) * r;
      right[k] = (m - s) * r;
    }
  }

  private static void intensityBand(
      float[] left, float[] right, int from, int to, int pos, int illegal, boolean ms,
      boolean mpeg1, float io) {
    if (pos >= illegal) {
      if (ms) {
        ms(left, right, from, to);
      }
      return;
    }
    float kl;
    float kr;
    if (mpeg1) {
      kl = IS_MPEG1_LEFT[pos];
      kr = IS_MPEG1_RIGHT[pos];
    } else if (pos == 0) {
      kl = 1f;
      kr = 1f;
    } else if ((pos & 1) == 1) {
      kl = (float) Math.pow(io, (pos + 1) / 2);
      kr = 1f;
    } else {
      kl = 1f;
      kr = (float) Math.pow(io, pos / 2);
    }
    for (int k = from; k < to; k++) {
      float x = left[k];
      left[k] = x * kl;
      right[k] = x * kr;
    }
  }

  /**
   * Interleaves short-block windows: band-major [window][line] becomes [line][window], in the
   * bands that start below {@code lines}.
   */
  private void reorder(int ch, boolean mixedBlock, int lines) {
    int[] shortBands = Layer3Tables.SHORT_BANDS[rateIndex];
    float[] x = xr[ch];
    float[] t = reordered;
    int first = mixedBlock ? 3 : 0;
    int from = 3 * shortBands[first];
    int bands = first;
    while (bands < 13 && 3 * shortBands[bands] < lines) {
      bands++;
    }
    for (int sfb = first; sfb < bands; sfb++) {
      int start = 3 * shortBands[sfb];
      int width = shortBands[sfb + 1] - shortBands[sfb];
      for (int w = 0; w < 3; w++) {
        for (int j = 0; j < width; j++) {
          t[start + 3 * j + w] = x[start + w * width + j];
        }
      }
    }
    int to = 3 * shortBands[bands];
    if (to > from) {
      System.arraycopy(t, from, x, from, to - from);
    }
    // interleaving moves lines up to the end of their band
    int count = nonzero[ch];
    if (count > from) {
      int sfb = first;
      while (3 * shortBands[sfb + 1] < count) {
        sfb++;
      }
      nonzero[ch] = 3 * shortBands[sfb + 1];
    }
  }

  /** Butterflies across the first {@code subbands - 1} subband boundaries (long blocks). */
  private void antialias(int ch, int subbands) {
    float[] x = xr[ch];
    int limit = nonzero[ch];
    for (int sb = 1; sb < subbands && 18 * sb - 8 < limit; sb++) {
      int b = 18 * sb;
      for (int i = 0; i < 8; i++) {
        float up = x[b - 1 - i];
        float down = x[b + i];
        x[b - 1 - i] = up * ALIAS_CS[i] - down * ALIAS_CA[i];
        x[b + i] = down * ALIAS_CS[i] + up * ALIAS_CA[i];
      }
    }
    if (subbands > 1) {
      nonzero[ch] = Math.min(576, limit == 0 ? 0 : limit + 8);
    }
  }

  /**
   * The block window of subband {@code sb} in granule {@code g}
   * (a mixed block's lowest two: long).
   */
  private int windowType(int g, int sb) {
    int type = blockType[g];
    return type == 2 && mixed[g] && sb < 2 ? 0 : type;
  }

  /**
   * IMDCT, windowing and overlap-add of one granule of each channel, averaged into {@link #hybrid}
   * as [time][subband] (the transform is linear: a subband both channels code with the same window
   * is transformed once, from the average of their lines, and the overlap is kept of the mix).
   */
  private void imdct(int g0, int channels) {
    float[] x0 = xr[0];
    float[] x1 = xr[1];
    float[] prev = overlap;
    float[] out = hybrid;
    float[] z = imdctOut;
    float[] one = imdctOne;
    float[] avg = imdctIn;
    int active0 = (nonzero[0] + 17) / 18;
    int active1 = channels == 2 ? (nonzero[1] + 17) / 18 : 0;
    int g1 = g0 + 1;
    for (int sb = 0; sb < subbands; sb++) {
      int o = sb * 18;
      boolean on0 = sb < active0;
      boolean on1 = sb < active1;
      if (!on0 && !on1) {
        for (int i = 0; i < 18; i++) {
          out[i * 32 + sb] = prev[o + i];
          prev[o + i] = 0f;
        }
      } else {
        int type0 = windowType(g0, sb);
        if (channels == 1) {
          imdctBlock(type0, x0, o, z);
        } else if (type0 == windowType(g1, sb)) {
          for (int k = 0; k < 18; k++) {
            avg[k] = 0.5f * (x0[o + k] + x1[o + k]);
          }
          imdctBlock(type0, avg, 0, z);
        } else {
          Arrays.fill(z, 0f);
          for (int ch = 0; ch < 2; ch++) {
            if (ch == 0 ? on0 : on1) {
              imdctBlock(windowType(g0 + ch, sb), xr[ch], o, one);
              for (int i = 0; i < 36; i++) {
                z[i] += 0.5f * one[i];
              }
            }
          }
        }
        for (int i = 0; i < 18; i++) {
          out[i * 32 + sb] = z[i] + prev[o + i];
          prev[o + i] = z[18 + i];
        }
      }
      if ((sb & 1) == 1) {
        for (int i = 1; i < 18; i += 2) {
          out[i * 32 + sb] = -out[i * 32 + sb];
        }
      }
    }
  }

  /** The windowed IMDCT of the 18 lines {@code x[o..o+17]} into {@code z[0..35]}. */
  private void imdctBlock(int type, float[] x, int o, float[] z) {
    if (type == 2) {
      Arrays.fill(z, 0f);
      for (int w = 0; w < 3; w++) {
        for (int i = 0; i < 12; i++) {
          float sum = 0f;
          int c = i * 6;
          for (int k = 0; k < 6; k++) {
            sum += x[o + 3 * k + w] * IMDCT_SHORT[c + k];
          }
          z[6 + 6 * w + i] += sum;
        }
      }
      return;
    }
    float[] y = imdctHalf;
    for (int r = 0; r < 18; r++) {
      float sum = 0f;
      int c = r * 18;
      for (int k = 0; k < 18; k++) {
        sum += x[o + k] * IMDCT_HALF[c + k];
      }
      y[r] = sum;
    }
    float[] w = LONG_WINDOW[type];
    for (int i = 0; i < 9; i++) {
      z[i] = w[i] * y[i];
      z[17 - i] = -w[17 - i] * y[i];
      z[18 + i] = w[18 + i] * y[9 + i];
      z[35 - i] = w[35 - i] * y[9 + i];
    }
  }

  // ---- synthesis ----------------------------------------------------------------------------

  private static float dot(int row, float[] s, int base) {
    float sum = 0f;
    int c = row * 32;
    for (int k = 0; k < 32; k++) {
      sum += SYNTH_COS[c + k] * s[base + k];
    }
    return sum;
  }

  /** Runs the polyphase synthesis filter bank over the (mono) hybrid output. */
  private void synthesize(int pcmOffset) {
    float[] s = hybrid;
    float[] v = synthV;
    for (int t = 0; t < 18; t++) {
      int base = t * 32;
      synthOffset = (synthOffset - 64) & 1023;
      int off = synthOffset;
      // the cosine matrix gives V[32 - i] = -V[i] and V[96 - i] = V[i]: compute half of V
      for (int i = 0; i < 16; i++) {
        float sum = dot(i, s, base);
        v[off + i] = sum;
        v[off + 32 - i] = -sum;
      }
      v[off + 16] = 0f;
      for (int i = 33; i < 48; i++) {
        float sum = dot(i, s, base);
        v[off + i] = sum;
        v[off + 96 - i] = sum;
      }
      v[off + 48] = dot(48, s, base);
      for (int j = 0; j < 32; j++) {
        float sum = 0f;
        for (int i = 0; i < 8; i++) {
          sum += v[(off + 128 * i + j) & 1023] * SYNTH_WINDOW[64 * i + j];
          sum += v[(off + 128 * i + 96 + j) & 1023] * SYNTH_WINDOW[64 * i + 32 + j];
        }
        pcm[pcmOffset + base + j] = sum > 1f ? 1f : sum < -1f ? -1f : sum;
      }
    }
  }

  /**
   * The synthesis filter bank at {@code 1 / R} of the rate: of each time slot's 32 output samples
   * only those at {@code p, p + R, ...} ({@code 32 / R} of them, phase {@code p}), from the lowest
   * {@code 32 / R} subbands. Output sample {@code j} of a slot windows the matrixing values
   * {@code V[j]} and {@code V[32 + j]} of the last 16 slots, so only the {@code 64 / R} values
   * {@code V[p + R r]} are formed. Both steps run as multiply-adds over contiguous rows (which the
   * JIT compiles to vector instructions); the FIFO of 16 slots is stored twice in a row, so that
   * every slot's window reads it without wrapping around.
   */
  private void synthesizeReduced(int pcmOffset) {
    ReducedSynthesis r = reduced;
    float[] s = hybrid;
    float[] v = synthV;
    float[] matrix = r.matrix;
    float[] window = r.window;
    float[] acc = synthAcc;
    int values = r.values;
    int outputs = r.outputs;
    int ring = 16 * values;
    int p = pcmOffset;
    for (int t = 0; t < 18; t++) {
      int base = t * 32;
      int off = synthOffset = synthOffset == 0 ? ring - values : synthOffset - values;
      Arrays.fill(v, off, off + values, 0f);
      for (int k = 0; k < outputs; k++) {
        float sk = s[base + k];
        int c = k * values;
        for (int i = 0; i < values; i++) {
          v[off + i] += matrix[c + i] * sk;
        }
      }
      System.arraycopy(v, off, v, off + ring, values);
      Arrays.fill(acc, 0, outputs, 0f);
      for (int tap = 0; tap < 16; tap++) {
        int from = off + tap * values + ((tap & 1) == 0 ? 0 : outputs);
        int c = tap * outputs;
        for (int m = 0; m < outputs; m++) {
          acc[m] += v[from + m] * window[c + m];
        }
      }
      for (int m = 0; m < outputs; m++) {
        float x = acc[m];
        pcm[p++] = x > 1f ? 1f : x < -1f ? -1f : x;
      }
    }
  }

  /** The matrixing rows and window taps of the reduced-rate synthesis, by factor and phase. */
  private static final class ReducedSynthesis {
    private static final ReducedSynthesis[][] TABLES = new ReducedSynthesis[3][];

    static {
      for (int shift = 0; shift <= 2; shift++) {
        TABLES[shift] = new ReducedSynthesis[1 << shift];
        for (int phase = 0; phase < 1 << shift; phase++) {
          TABLES[shift][phase] = new ReducedSynthesis(shift, phase);
        }
      }
    }

    /** Matrixing values per slot: {@code 64 / R}. */
    final int values;
    /** Output samples (and kept subbands) per slot: {@code 32 / R}. */
    final int outputs;
    /** {@code [subband][values]}: {@code V[phase + R r]} is the sum over k of row k's entry r. */
    final float[] matrix;
    /**
     * {@code [16][outputs]}: tap {@code 2i} of output {@code m} windows {@code V[j]} of the slot
     * {@code 2i} back, tap {@code 2i + 1} windows {@code V[32 + j]} of the slot {@code 2i + 1} back
     * ({@code j = phase + R m}).
     */
    final float[] window;

    private ReducedSynthesis(int shift, int phase) {
      int factor = 1 << shift;
      values = 64 >> shift;
      outputs = 32 >> shift;
      matrix = new float[values * outputs];
      for (int r = 0; r < values; r++) {
        int i = phase + factor * r;
        for (int k = 0; k < outputs; k++) {
          matrix[k * values + r] = (float) Math.cos((16 + i) * (2 * k + 1) * Math.PI / 64);
        }
      }
      window = new float[16 * outputs];
      for (int m = 0; m < outputs; m++) {
        int j = phase + factor * m;
        for (int i = 0; i < 8; i++) {
          window[(2 * i) * outputs + m] = SYNTH_WINDOW[64 * i + j];
          window[(2 * i + 1) * outputs + m] = SYNTH_WINDOW[64 * i + 32 + j];
        }
      }
    }

    static ReducedSynthesis of(int shift, int phase) {
      return TABLES[shift][phase];
    }
  }
}
