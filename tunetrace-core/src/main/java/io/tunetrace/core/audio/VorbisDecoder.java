package io.tunetrace.core.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A pure-Java Ogg Vorbis decoder, written from the Vorbis I specification: floor type 1, residue
 * types 0 to 2, channel coupling, both block sizes. Every channel is averaged to mono before the
 * inverse MDCT (the transform and the window are linear and the same for all channels of a
 * packet), so a stereo stream costs one transform per packet. Only the first logical stream of
 * the Ogg file is read; the end is trimmed to the granule position of its last page, as ffmpeg
 * does. Floor type 0 (which only encoders from before libvorbis 1.0 wrote) is refused with
 * {@link UnsupportedAudioFormatException}, as are codebooks beyond {@link
 * VorbisCodebook#MAX_ENTRIES} entries or {@link VorbisCodebook#MAX_VALUES} vector values in all
 * (a hostile header could otherwise claim gigabytes).
 *
 * <p><b>Reduced rate.</b> With a {@code downsampleShift} {@code s} of 1 or 2, only the lowest
 * {@code n / 2^(s+1)} coefficients of each block go through an inverse MDCT of size {@code n /
 * 2^s}, windowed with the equally shortened window: the output is the stream band-limited below
 * the lower Nyquist frequency and sampled at {@code rate / 2^s} (44.1 kHz to 11,025 Hz), half a
 * full-rate sample (times {@code 2^s - 1}) later than the full-rate samples it stands for.
 *
 * <p>Not thread-safe: one reader at a time.
 */
final class VorbisDecoder extends BlockDecoder {
  private static final int[] FLOOR1_RANGES = {256, 128, 86, 64};

  private final OggPacketReader ogg;
  private final VorbisBits bits = new VorbisBits();
  private final int channels;
  private final int nativeRateHz;
  private final int shift;
  private final int[] blockSizes = new int[2];
  private VorbisCodebook[] books;
  private Floor1[] floors;
  private Residue[] residues;
  private Mapping[] mappings;
  private Mode[] modes;
  private int modeBits;

  // per-packet work, allocated once
  private float[][] vectors;
  private float[] interleaved;
  private int[] classes;
  private int[][] floorY;
  private final int[] finalY = new int[65];
  private final boolean[] step2 = new boolean[65];
  private boolean[] floorUsed;
  private boolean[] noResidue;
  private float[] curve;
  private float[] mono;
  private float[] block;
  private final VorbisImdct[] imdct = new VorbisImdct[2];
  private final float[][] slopes = new float[2][];
  private float[][] picked;
  private boolean[] pickedSkip;

  // output
  private float[] overlap;
  private int previousN = -1;
  private long produced;

  private VorbisDecoder(InputStream in, OggPacketReader ogg, int channels, int nativeRateHz,
      int shift, int blockSize0, int blockSize1) {
    super(in, blockSize1 >> shift);
    this.ogg = ogg;
    this.channels = channels;
    this.nativeRateHz = nativeRateHz;
    this.shift = shift;
    blockSizes[0] = blockSize0;
    blockSizes[1] = blockSize1;
  }

  /**
   * True when {@code head[0, n)} starts with an Ogg page whose first packet is a Vorbis
   * identification header.
   */
  static boolean isVorbis(byte[] head, int n) {
    if (n < 28 || head[0] != 'O' || head[1] != 'g' || head[2] != 'g' || head[3] != 'S') {
      return false;
    }
    int at = 27 + (head[26] & 0xff);
    return n >= at + 7 && head[at] == 1 && "vorbis".equals(
        new String(head, at + 1, 6, StandardCharsets.ISO_8859_1));
  }

  /**
   * The sample rate the identification header in {@code head[0, n)} declares ({@link #isVorbis}
   * must hold), or -1 when the header is cut off.
   */
  static long sampleRateHz(byte[] head, int n) {
    int at = 27 + (head[26] & 0xff) + 12;
    if (n < at + 4) {
      return -1;
    }
    return (head[at] & 0xffL) | (head[at + 1] & 0xffL) << 8 | (head[at + 2] & 0xffL) << 16
        | (head[at + 3] & 0xffL) << 24;
  }

  /**
   * Opens an Ogg Vorbis stream positioned at its first byte, reads the three headers and decodes
   * the first audio packet, so a stream this decoder cannot read fails here. The returned source
   * owns {@code in}; when this method throws, the caller keeps it.
   *
   * @param downsampleShift 0 (full rate), 1 (half) or 2 (a quarter); the stream's rate must be a
   *     multiple of {@code 2^downsampleShift}, or the full rate is decoded
   * @throws CorruptAudioException when the stream is damaged or not Vorbis
   * @throws UnsupportedAudioFormatException for floor type 0 and oversized codebooks
   */
  static VorbisDecoder open(InputStream in, int downsampleShift) throws IOException {
    Objects.requireNonNull(in, "in == null");
    if (downsampleShift < 0 || downsampleShift > 2) {
      throw new IllegalArgumentException("downsampleShift out of range: " + downsampleShift);
    }
    OggPacketReader ogg = new OggPacketReader(in);
    VorbisBits b = new VorbisBits();
    header(ogg, b, 1, "identification");
    if (b.bits(32) != 0) {
      throw new CorruptAudioException("VORBIS: unknown version in the identification header");
    }
    int channels = b.bitsInt(8);
    long rate = b.bits(32);
    b.bits(32);
    b.bits(32);
    b.bits(32);
    int exponent0 = b.bitsInt(4);
    int exponent1 = b.bitsInt(4);
    boolean framing = b.flag();
    if (b.ended() || !framing) {
      throw new CorruptAudioException("VORBIS: truncated identification header");
    }
    if (channels == 0) {
      throw new CorruptAudioException("VORBIS: 0 channels");
    }
    if (rate == 0) {
      throw new CorruptAudioException("VORBIS: sample rate 0");
    }
    if (rate > AudioDecoders.MAX_SAMPLE_RATE_HZ) {
      throw new UnsupportedAudioFormatException("VORBIS: sample rate " + rate
          + " Hz is not supported (" + AudioDecoders.MIN_SAMPLE_RATE_HZ + "-"
          + AudioDecoders.MAX_SAMPLE_RATE_HZ + " Hz)");
    }
    if (exponent0 < 6 || exponent0 > 13 || exponent1 < exponent0 || exponent1 > 13) {
      throw new CorruptAudioException(
          "VORBIS: block sizes " + (1 << exponent0) + " and " + (1 << exponent1));
    }
    int shift = rate % (1 << downsampleShift) == 0 ? downsampleShift : 0;
    VorbisDecoder d = new VorbisDecoder(in, ogg, channels, (int) rate, shift, 1 << exponent0,
        1 << exponent1);
    if (!ogg.skip()) { // the comment header (tags are read elsewhere)
      throw new CorruptAudioException("VORBIS: no comment header"
          + (ogg.truncated() ? " (truncated file)" : ""));
    }
    header(ogg, b, 5, "setup");
    try {
      d.readSetup(b);
    } catch (CorruptAudioException e) {
      throw new CorruptAudioException("VORBIS: invalid setup header: " + e.getMessage(), e);
    }
    d.allocate();
    d.decodeNext();
    return d;
  }

  /** Reads the next packet and checks it is the header of {@code type}, leaving b after its id. */
  private static void header(OggPacketReader ogg, VorbisBits b, int type, String name)
      throws IOException {
    if (!ogg.next()) {
      throw new CorruptAudioException("VORBIS: no " + name + " header"
          + (ogg.truncated() ? " (truncated file)" : ""));
    }
    byte[] p = ogg.packet();
    int n = ogg.packetLength();
    if (n < 7 || p[0] != type
        || !"vorbis".equals(new String(p, 1, 6, StandardCharsets.ISO_8859_1))) {
      throw new CorruptAudioException("VORBIS: no " + name + " header"
          + (type == 1 ? " (not a Vorbis stream)" : ""));
    }
    b.reset(p, n);
    b.bits(32);
    b.bits(24);
  }

  // ---- setup header -----------------------------------------------------------------------

  private void readSetup(VorbisBits b) throws CorruptAudioException {
    int bookCount = b.bitsInt(8) + 1;
    books = new VorbisCodebook[bookCount];
    long[] budget = {VorbisCodebook.MAX_VALUES, VorbisCodebook.MAX_ENTRIES};
    for (int i = 0; i < bookCount; i++) {
      try {
        books[i] = VorbisCodebook.read(b, budget);
      } catch (UnsupportedAudioFormatException e) {
        throw e;
      } catch (CorruptAudioException e) {
        throw new CorruptAudioException("codebook " + i + ": " + e.getMessage(), e);
      }
    }
    int times = b.bitsInt(6) + 1;
    for (int i = 0; i < times; i++) {
      if (b.bits(16) != 0) {
        throw new CorruptAudioException("time domain transform type not 0");
      }
    }
    floors = new Floor1[b.bitsInt(6) + 1];
    for (int i = 0; i < floors.length; i++) {
      int type = b.bitsInt(16);
      if (type == 0) {
        throw new UnsupportedAudioFormatException("VORBIS: floor type 0 is not decoded in Java");
      }
      if (type != 1) {
        throw new CorruptAudioException("floor type " + type);
      }
      floors[i] = readFloor1(b);
    }
    residues = new Residue[b.bitsInt(6) + 1];
    for (int i = 0; i < residues.length; i++) {
      residues[i] = readResidue(b);
    }
    mappings = new Mapping[b.bitsInt(6) + 1];
    for (int i = 0; i < mappings.length; i++) {
      mappings[i] = readMapping(b);
    }
    modes = new Mode[b.bitsInt(6) + 1];
    for (int i = 0; i < modes.length; i++) {
      boolean blockFlag = b.flag();
      int windowType = b.bitsInt(16);
      int transformType = b.bitsInt(16);
      int mapping = b.bitsInt(8);
      if (windowType != 0 || transformType != 0 || mapping >= mappings.length) {
        throw new CorruptAudioException("mode " + i);
      }
      modes[i] = new Mode(blockFlag, mapping);
    }
    modeBits = VorbisCodebook.ilog(modes.length - 1);
    if (!b.flag() || b.ended()) {
      throw new CorruptAudioException(b.ended() ? "truncated" : "framing bit not set");
    }
  }

  private int book(VorbisBits b, int bits, boolean scalar) throws CorruptAudioException {
    int i = b.bitsInt(bits);
    if (i >= books.length) {
      throw new CorruptAudioException("codebook " + i + " of " + books.length);
    }
    if (!scalar && books[i].values == null) {
      throw new CorruptAudioException("codebook " + i + " has no vectors");
    }
    return i;
  }

  private Floor1 readFloor1(VorbisBits b) throws CorruptAudioException {
    int partitions = b.bitsInt(5);
    int[] partitionClass = new int[partitions];
    int maxClass = -1;
    for (int i = 0; i < partitions; i++) {
      partitionClass[i] = b.bitsInt(4);
      maxClass = Math.max(maxClass, partitionClass[i]);
    }
    int[] dimensions = new int[maxClass + 1];
    int[] subclassBits = new int[maxClass + 1];
    int[] masterBook = new int[maxClass + 1];
    int[][] subBooks = new int[maxClass + 1][];
    for (int c = 0; c <= maxClass; c++) {
      dimensions[c] = b.bitsInt(3) + 1;
      subclassBits[c] = b.bitsInt(2);
      if (subclassBits[c] > 0) {
        masterBook[c] = book(b, 8, true);
      }
      subBooks[c] = new int[1 << subclassBits[c]];
      for (int j = 0; j < subBooks[c].length; j++) {
        subBooks[c][j] = b.bitsInt(8) - 1;
        if (subBooks[c][j] >= books.length) {
          throw new CorruptAudioException("floor codebook " + subBooks[c][j]);
        }
      }
    }
    int multiplier = b.bitsInt(2) + 1;
    int rangeBits = b.bitsInt(4);
    int values = 2;
    for (int i = 0; i < partitions; i++) {
      values += dimensions[partitionClass[i]];
    }
    if (values > 65) {
      throw new CorruptAudioException("floor with " + values + " points");
    }
    int[] x = new int[values];
    x[1] = 1 << rangeBits;
    int k = 2;
    for (int i = 0; i < partitions; i++) {
      for (int j = 0; j < dimensions[partitionClass[i]]; j++) {
        x[k++] = b.bitsInt(rangeBits);
      }
    }
    Integer[] order = new Integer[values];
    for (int i = 0; i < values; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (p, q) -> Integer.compare(x[p], x[q]));
    int[] sorted = new int[values];
    for (int i = 0; i < values; i++) {
      sorted[i] = order[i];
      if (i > 0 && x[sorted[i]] == x[sorted[i - 1]]) {
        throw new CorruptAudioException("floor with two points at x " + x[sorted[i]]);
      }
    }
    int[] low = new int[values];
    int[] high = new int[values];
    for (int i = 2; i < values; i++) {
      int lo = 0;
      int hi = 1;
      for (int j = 0; j < i; j++) {
        if (x[j] < x[i] && x[j] > x[lo]) {
          lo = j;
        }
        if (x[j] > x[i] && x[j] < x[hi]) {
          hi = j;
        }
      }
      low[i] = lo;
      high[i] = hi;
    }
    return new Floor1(partitionClass, dimensions, subclassBits, masterBook, subBooks, multiplier,
        x, sorted, low, high);
  }

  private Residue readResidue(VorbisBits b) throws CorruptAudioException {
    int type = b.bitsInt(16);
    if (type > 2) {
      throw new CorruptAudioException("residue type " + type);
    }
    int begin = b.bitsInt(24);
    int end = b.bitsInt(24);
    int partitionSize = b.bitsInt(24) + 1;
    int classifications = b.bitsInt(6) + 1;
    int classBook = book(b, 8, true);
    int[] cascade = new int[classifications];
    for (int i = 0; i < classifications; i++) {
      int lowBits = b.bitsInt(3);
      int highBits = b.flag() ? b.bitsInt(5) : 0;
      cascade[i] = highBits << 3 | lowBits;
    }
    int[][] passBooks = new int[classifications][8];
    for (int i = 0; i < classifications; i++) {
      for (int pass = 0; pass < 8; pass++) {
        passBooks[i][pass] = (cascade[i] & 1 << pass) != 0 ? book(b, 8, false) : -1;
      }
    }
    return new Residue(type, begin, end, partitionSize, classifications, classBook, passBooks);
  }

  private Mapping readMapping(VorbisBits b) throws CorruptAudioException {
    if (b.bits(16) != 0) {
      throw new CorruptAudioException("mapping type not 0");
    }
    int submaps = b.flag() ? b.bitsInt(4) + 1 : 1;
    int steps = b.flag() ? b.bitsInt(8) + 1 : 0;
    int[] magnitude = new int[steps];
    int[] angle = new int[steps];
    int channelBits = VorbisCodebook.ilog(channels - 1);
    for (int i = 0; i < steps; i++) {
      magnitude[i] = b.bitsInt(channelBits);
      angle[i] = b.bitsInt(channelBits);
      if (magnitude[i] == angle[i] || magnitude[i] >= channels || angle[i] >= channels) {
        throw new CorruptAudioException("channel coupling " + magnitude[i] + "/" + angle[i]);
      }
    }
    if (b.bits(2) != 0) {
      throw new CorruptAudioException("mapping reserved bits set");
    }
    int[] mux = new int[channels];
    if (submaps > 1) {
      for (int c = 0; c < channels; c++) {
        mux[c] = b.bitsInt(4);
        if (mux[c] >= submaps) {
          throw new CorruptAudioException("channel in submap " + mux[c] + " of " + submaps);
        }
      }
    }
    int[] floor = new int[submaps];
    int[] residue = new int[submaps];
    for (int s = 0; s < submaps; s++) {
      b.bits(8);
      floor[s] = b.bitsInt(8);
      residue[s] = b.bitsInt(8);
      if (floor[s] >= floors.length || residue[s] >= residues.length) {
        throw new CorruptAudioException("submap floor " + floor[s] + " residue " + residue[s]);
      }
    }
    return new Mapping(magnitude, angle, mux, floor, residue);
  }

  private void allocate() {
    int half = blockSizes[1] / 2;
    vectors = new float[channels][half];
    interleaved = new float[channels * half];
    classes = new int[channels * half];
    floorY = new int[channels][65];
    floorUsed = new boolean[channels];
    noResidue = new boolean[channels];
    curve = new float[half];
    mono = new float[half];
    block = new float[blockSizes[1] >> shift];
    overlap = new float[(blockSizes[1] >> shift) / 2];
    picked = new float[channels][];
    pickedSkip = new boolean[channels];
    for (int i = 0; i < 2; i++) {
      int n = blockSizes[i] >> shift;
      imdct[i] = i == 1 && blockSizes[1] == blockSizes[0] ? imdct[0] : new VorbisImdct(n);
      float[] slope = new float[n / 2];
      for (int j = 0; j < slope.length; j++) {
        double s = Math.sin((j + 0.5) / slope.length * Math.PI / 2);
        slope[j] = (float) Math.sin(Math.PI / 2 * s * s);
      }
      slopes[i] = slope;
    }
  }

  // ---- audio ------------------------------------------------------------------------------

  @Override
  public int sampleRateHz() {
    return nativeRateHz >> shift;
  }

  /** Decodes the next audio packet into pcm; false at the end of the stream. */
  @Override
  boolean decodeNext() throws IOException {
    if (!ogg.next()) {
      return false;
    }
    pcmPos = 0;
    pcmLen = 0;
    if (ogg.packetLength() == 0) {
      return true; // an empty packet carries no audio (allowed; nothing changes)
    }
    try {
      decodePacket();
    } catch (CorruptAudioException e) {
      throw new CorruptAudioException("VORBIS: corrupt audio packet in the page at byte "
          + ogg.packetPageOffset() + ": " + e.getMessage(), e);
    }
    if (ogg.packetEndsStream() && ogg.packetGranule() >= 0) {
      long factor = 1L << shift;
      long limit = (ogg.packetGranule() + factor - 1) >> shift;
      long keep = Math.max(0, Math.min(pcmLen, limit - produced));
      pcmLen = (int) keep;
    }
    produced += pcmLen;
    return true;
  }

  private void decodePacket() throws CorruptAudioException {
    VorbisBits b = bits;
    b.reset(ogg.packet(), ogg.packetLength());
    if (b.flag()) {
      throw new CorruptAudioException("not an audio packet");
    }
    int modeNumber = b.bitsInt(modeBits);
    if (modeNumber >= modes.length) {
      throw new CorruptAudioException("mode " + modeNumber + " of " + modes.length);
    }
    Mode mode = modes[modeNumber];
    int flag = mode.blockFlag ? 1 : 0;
    int n = blockSizes[flag];
    boolean previousLong = true;
    boolean nextLong = true;
    if (mode.blockFlag) {
      previousLong = b.flag();
      nextLong = b.flag();
    }
    if (b.ended()) {
      throw new CorruptAudioException("packet ends in its header");
    }
    Mapping mapping = mappings[mode.mapping];
    int half = n / 2;
    int kept = half >> shift; // the coefficients below the output's Nyquist frequency
    for (int c = 0; c < channels; c++) {
      Floor1 floor = floors[mapping.floor[mapping.mux[c]]];
      floorUsed[c] = decodeFloor(floor, floorY[c]);
      noResidue[c] = !floorUsed[c];
    }
    for (int i = 0; i < mapping.magnitude.length; i++) {
      int m = mapping.magnitude[i];
      int a = mapping.angle[i];
      if (!noResidue[m] || !noResidue[a]) {
        noResidue[m] = false;
        noResidue[a] = false;
      }
    }
    for (int s = 0; s < mapping.residue.length; s++) {
      int count = 0;
      for (int c = 0; c < channels; c++) {
        if (mapping.mux[c] == s) {
          picked[count] = vectors[c];
          pickedSkip[count] = noResidue[c];
          count++;
        }
      }
      decodeResidue(residues[mapping.residue[s]], count, half, kept);
    }
    for (int i = mapping.magnitude.length - 1; i >= 0; i--) {
      float[] mv = vectors[mapping.magnitude[i]];
      float[] av = vectors[mapping.angle[i]];
      for (int j = 0; j < kept; j++) {
        float m = mv[j];
        float a = av[j];
        if (m > 0) {
          if (a > 0) {
            av[j] = m - a;
          } else {
            av[j] = m;
            mv[j] = m + a;
          }
        } else {
          if (a > 0) {
            av[j] = m + a;
          } else {
            av[j] = m;
            mv[j] = m - a;
          }
        }
      }
    }
    Arrays.fill(mono, 0, kept, 0f);
    float gain = 1f / channels;
    for (int c = 0; c < channels; c++) {
      if (!floorUsed[c]) {
        continue;
      }
      renderFloor(floors[mapping.floor[mapping.mux[c]]], floorY[c], half, kept);
      float[] v = vectors[c];
      for (int j = 0; j < kept; j++) {
        mono[j] += v[j] * curve[j];
      }
    }
    if (channels > 1) {
      for (int j = 0; j < kept; j++) {
        mono[j] *= gain;
      }
    }
    int size = n >> shift;
    imdct[flag].inverse(mono, block);
    window(size, flag, previousLong, nextLong);
    overlapAdd(size);
  }

  /** Applies the window (Vorbis I, section 4.3.1) to block[0, size). */
  private void window(int size, int flag, boolean previousLong, boolean nextLong) {
    int shortHalf = (blockSizes[0] >> shift) / 2;
    int leftStart;
    int leftN;
    if (flag == 1 && !previousLong) {
      leftStart = size / 4 - shortHalf / 2;
      leftN = shortHalf;
    } else {
      leftStart = 0;
      leftN = size / 2;
    }
    int rightStart;
    int rightN;
    if (flag == 1 && !nextLong) {
      rightStart = size * 3 / 4 - shortHalf / 2;
      rightN = shortHalf;
    } else {
      rightStart = size / 2;
      rightN = size / 2;
    }
    float[] left = leftN == shortHalf ? slopes[0] : slopes[1];
    float[] right = rightN == shortHalf ? slopes[0] : slopes[1];
    Arrays.fill(block, 0, leftStart, 0f);
    for (int i = 0; i < leftN; i++) {
      block[leftStart + i] *= left[i];
    }
    for (int i = 0; i < rightN; i++) {
      block[rightStart + i] *= right[rightN - 1 - i];
    }
    Arrays.fill(block, rightStart + rightN, size, 0f);
  }

  /**
   * Adds the overlapping halves and emits from the centre of the previous block to the centre of
   * this one; the first block only fills the overlap.
   */
  private void overlapAdd(int size) {
    if (previousN >= 0) {
      int count = previousN / 4 + size / 4;
      int from = size / 4 - previousN / 4; // block index of output sample 0
      int overlapLength = previousN / 2;
      for (int i = 0; i < count; i++) {
        float v = i < overlapLength ? overlap[i] : 0f;
        int j = from + i;
        if (j >= 0) {
          v += block[j];
        }
        pcm[i] = v;
      }
      pcmLen = count;
    }
    System.arraycopy(block, size / 2, overlap, 0, size / 2);
    previousN = size;
  }

  /** Reads a floor 1 packet part into y; false when the channel is unused (or the packet ends). */
  private boolean decodeFloor(Floor1 f, int[] y) {
    VorbisBits b = bits;
    if (!b.flag()) {
      return false;
    }
    int range = FLOOR1_RANGES[f.multiplier - 1];
    int rangeBits = VorbisCodebook.ilog(range - 1);
    y[0] = b.bitsInt(rangeBits);
    y[1] = b.bitsInt(rangeBits);
    int offset = 2;
    for (int i = 0; i < f.partitionClass.length; i++) {
      int c = f.partitionClass[i];
      int cdim = f.dimensions[c];
      int cbits = f.subclassBits[c];
      int csub = (1 << cbits) - 1;
      int cval = 0;
      if (cbits > 0) {
        cval = books[f.masterBook[c]].decode(b);
        if (cval < 0) {
          return false;
        }
      }
      for (int j = 0; j < cdim; j++) {
        int book = f.subBooks[c][cval & csub];
        cval >>>= cbits;
        if (book >= 0) {
          int v = books[book].decode(b);
          if (v < 0) {
            return false;
          }
          y[offset++] = v;
        } else {
          y[offset++] = 0;
        }
      }
    }
    return !b.ended();
  }

  /** Computes the floor curve (section 7.2.4) into curve[0, limit) for a block of 2 * half. */
  private void renderFloor(Floor1 f, int[] y, int half, int limit) {
    int[] x = f.x;
    int values = x.length;
    int range = FLOOR1_RANGES[f.multiplier - 1];
    finalY[0] = y[0];
    finalY[1] = y[1];
    step2[0] = true;
    step2[1] = true;
    for (int i = 2; i < values; i++) {
      int lo = f.low[i];
      int hi = f.high[i];
      int predicted = renderPoint(x[lo], finalY[lo], x[hi], finalY[hi], x[i]);
      int val = y[i];
      int highRoom = range - predicted;
      int lowRoom = predicted;
      int room = (highRoom < lowRoom ? highRoom : lowRoom) * 2;
      if (val != 0) {
        step2[lo] = true;
        step2[hi] = true;
        step2[i] = true;
        if (val >= room) {
          finalY[i] = highRoom > lowRoom ? val - lowRoom + predicted
              : predicted - val + highRoom - 1;
        } else {
          finalY[i] = (val & 1) != 0 ? predicted - (val + 1) / 2 : predicted + val / 2;
        }
      } else {
        step2[i] = false;
        finalY[i] = predicted;
      }
    }
    int lx = 0;
    int ly = finalY[f.sorted[0]] * f.multiplier;
    int hx = 0;
    int hy = ly;
    for (int k = 1; k < values; k++) {
      int i = f.sorted[k];
      if (step2[i]) {
        hy = finalY[i] * f.multiplier;
        hx = x[i];
        renderLine(lx, ly, hx, hy, limit);
        lx = hx;
        ly = hy;
      }
    }
    if (hx < half) {
      renderLine(hx, hy, half, hy, limit);
    }
  }

  private static int renderPoint(int x0, int y0, int x1, int y1, int x) {
    int dy = y1 - y0;
    int adx = x1 - x0;
    int ady = Math.abs(dy);
    int err = ady * (x - x0);
    int off = err / adx;
    return dy < 0 ? y0 - off : y0 + off;
  }

  /** Draws the integer line of section 9.2.7 into curve[x0, min(x1, limit)) as linear gains. */
  private void renderLine(int x0, int y0, int x1, int y1, int limit) {
    int end = Math.min(x1, limit);
    if (x0 >= end) {
      return;
    }
    int dy = y1 - y0;
    int adx = x1 - x0;
    int ady = Math.abs(dy);
    int base = dy / adx;
    int sy = dy < 0 ? base - 1 : base + 1;
    ady -= Math.abs(base) * adx;
    int y = y0;
    int err = 0;
    float[] c = curve;
    c[x0] = VorbisTables.INVERSE_DB[y & 255];
    for (int x = x0 + 1; x < end; x++) {
      err += ady;
      if (err >= adx) {
        err -= adx;
        y += sy;
      } else {
        y += base;
      }
      c[x] = VorbisTables.INVERSE_DB[y & 255];
    }
  }

  /**
   * Decodes a residue (section 8) into picked[0, count), each of length half; of a type 2
   * residue only the first {@code kept} values of each vector are filled in.
   */
  private void decodeResidue(Residue r, int count, int half, int kept) {
    for (int j = 0; j < count; j++) {
      Arrays.fill(picked[j], 0, half, 0f);
    }
    if (r.type == 2) {
      boolean any = false;
      for (int j = 0; j < count; j++) {
        any |= !pickedSkip[j];
      }
      if (!any) {
        return;
      }
      int size = half * count;
      Arrays.fill(interleaved, 0, size, 0f);
      float[] saved = picked[0];
      boolean savedSkip = pickedSkip[0];
      picked[0] = interleaved;
      pickedSkip[0] = false;
      decodePartitions(r, 1, size);
      picked[0] = saved;
      pickedSkip[0] = savedSkip;
      for (int j = 0; j < count; j++) {
        float[] v = picked[j];
        for (int i = 0, k = j; i < kept; i++, k += count) {
          v[i] = interleaved[k];
        }
      }
    } else {
      decodePartitions(r, count, half);
    }
  }

  private void decodePartitions(Residue r, int count, int size) {
    VorbisBits b = bits;
    int begin = Math.min(r.begin, size);
    int end = Math.min(r.end, size);
    int partitions = Math.max(0, end - begin) / r.partitionSize;
    if (partitions == 0) {
      return;
    }
    VorbisCodebook classBook = books[r.classBook];
    int perWord = classBook.dimensions;
    int stride = partitions;
    for (int pass = 0; pass < 8; pass++) {
      int p = 0;
      while (p < partitions) {
        if (pass == 0) {
          for (int j = 0; j < count; j++) {
            if (pickedSkip[j]) {
              continue;
            }
            int temp = classBook.decode(b);
            if (temp < 0) {
              return;
            }
            for (int i = perWord - 1; i >= 0; i--) {
              if (p + i < partitions) {
                classes[j * stride + p + i] = temp % r.classifications;
              }
              temp /= r.classifications;
            }
          }
        }
        for (int i = 0; i < perWord && p < partitions; i++, p++) {
          for (int j = 0; j < count; j++) {
            if (pickedSkip[j]) {
              continue;
            }
            int book = r.books[classes[j * stride + p]][pass];
            if (book < 0) {
              continue;
            }
            int offset = begin + p * r.partitionSize;
            if (!decodePartition(r.type, books[book], picked[j], offset, r.partitionSize)) {
              return;
            }
          }
        }
      }
    }
  }

  private boolean decodePartition(int type, VorbisCodebook book, float[] v, int offset, int n) {
    VorbisBits b = bits;
    int dims = book.dimensions;
    float[] values = book.values;
    if (type == 0) {
      int step = n / dims;
      for (int k = 0; k < step; k++) {
        int e = book.decode(b);
        if (e < 0) {
          return false;
        }
        int base = e * dims;
        for (int j = 0; j < dims; j++) {
          v[offset + k + j * step] += values[base + j];
        }
      }
    } else {
      for (int k = 0; k < n; k += dims) {
        int e = book.decode(b);
        if (e < 0) {
          return false;
        }
        int base = e * dims;
        int m = Math.min(dims, n - k);
        for (int j = 0; j < m; j++) {
          v[offset + k + j] += values[base + j];
        }
      }
    }
    return true;
  }

  // ---- setup values -----------------------------------------------------------------------

  private record Mode(boolean blockFlag, int mapping) {}

  private record Mapping(int[] magnitude, int[] angle, int[] mux, int[] floor, int[] residue) {}

  private record Residue(int type, int begin, int end, int partitionSize, int classifications,
      int classBook, int[][] books) {}

  private record Floor1(int[] partitionClass, int[] dimensions, int[] subclassBits,
      int[] masterBook, int[][] subBooks, int multiplier, int[] x, int[] sorted, int[] low,
      int[] high) {}
}
