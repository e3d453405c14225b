package io.tunetrace.core.index.embedded;

import io.tunetrace.core.index.IndexException;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Streams one immutable segment file: postings in (hash, track, frame) order, then the track
 * records. The format is described in docs/INDEX-ENGINE.md. Not API; not thread-safe.
 */
public final class SegmentWriter implements AutoCloseable {
  /** Postings per block. */
  public static final int BLOCK_SIZE = 128;
  /**
   * In formats 1–3 a block header holds the hash of every 32nd posting, so lookups scan at most 32
   * deltas; format 4 needs none (its hashes are found through their high bits).
   */
  static final int SKIP_INTERVAL = 32;

  static final byte[] MAGIC = "TTSEG001".getBytes(StandardCharsets.US_ASCII);
  static final byte[] END_MAGIC = "TTSEGEND".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER_BYTES = 16;
  static final int FOOTER_BYTES = 40;
  /** Version 2 adds each track's peaks (see docs/INDEX-ENGINE.md); versions 1–3 are still read. */
  static final int FORMAT_VERSION_PEAKS = 2;
  /** Version 3: version 2 with a hash-count table ({@link HashCounts}). */
  static final int FORMAT_VERSION_COUNTS = 3;
  /**
   * Version 4: a block's hashes in Elias–Fano form instead of fixed-width deltas with skips (2–3
   * bits less per posting in a library of a few hours, where hashes are sparse; little in a large
   * one), a hash-count table when the footer points to one.
   */
  static final int FORMAT_VERSION_ELIAS_FANO = 4;
  /**
   * Version 5, the one written: version 4, where a block may instead hold one Elias–Fano code of
   * whole postings (hash, track and frame as one key) when that is smaller: in a large index,
   * where a block holds few hashes, the track and frame columns then cost about 5 bits a posting
   * less.
   */
  static final int FORMAT_VERSION = 5;
  /** Format 5: set in a block's second byte when its postings are one Elias–Fano code of keys. */
  static final int JOINT_FLAG = 0x80;
  /** Format 5: a joint block's keys have at most this many bits, so a low part fits one read. */
  static final int JOINT_MAX_BITS = 56;

  private final Path file;
  private final FileChannel channel;
  private final OutputStream out;
  private long position;

  private final int[] hashes = new int[BLOCK_SIZE];
  private final int[] tracks = new int[BLOCK_SIZE];
  private final int[] frames = new int[BLOCK_SIZE];
  private int buffered;
  private final byte[] scratch = new byte[32 + BLOCK_SIZE * 16];
  /** The values of the block's Elias–Fano code being written: hashes or joint keys. */
  private final long[] keys = new long[BLOCK_SIZE];

  private int[] firstHashes = new int[64];
  private int[] offsets = new int[64];
  private int blockCount;
  private long postingCount;
  private int lastHash;
  private int lastTrack;
  private int lastFrame;

  private final ByteArrayOutputStream trackRecords = new ByteArrayOutputStream();
  private int trackCount;
  private int lastTrackId;
  private boolean finished;
  /** The hash-count table being filled ({@link HashCounts} codes), or null when none is written. */
  private final byte[] hashCounts;
  private int runHash;
  private long runCount;

  /** Creates (or truncates) {@code file} and writes the header; no hash-count table. */
  public SegmentWriter(Path file) throws IOException {
    this(file, false);
  }

  /**
   * Creates (or truncates) {@code file} and writes the header.
   *
   * @param withHashCounts whether to write a hash-count table ({@value HashCounts#BITS}-bit hash
   *     values, {@link HashCounts#TABLE_BYTES} bytes): worth it for large segments only
   */
  public SegmentWriter(Path file, boolean withHashCounts) throws IOException {
    this.file = file;
    this.hashCounts = withHashCounts ? new byte[1 << HashCounts.BITS] : null;
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
    byte[] header = new byte[HEADER_BYTES];
    System.arraycopy(MAGIC, 0, header, 0, 8);
    putInt(header, 8, FORMAT_VERSION);
    putInt(header, 12, BLOCK_SIZE);
    write(header, header.length);
  }

  /** Appends one posting; postings must come in ascending (hash, track, frame) order. */
  public void addPosting(int hash, int trackId, int frame) throws IOException {
    if (postingCount > 0) {
      boolean ordered = hash > lastHash
          || (hash == lastHash && (trackId > lastTrack || (trackId == lastTrack && frame >= lastFrame)));
      if (!ordered) {
        throw new IllegalStateException("postings out of order at " + postingCount);
      }
    }
    if (trackCount > 0) {
      throw new IllegalStateException("postings after a track record");
    }
    if (trackId <= 0 || frame < 0) {
      throw new IllegalArgumentException("bad posting: track " + trackId + ", frame " + frame);
    }
    if (hashCounts != null) {
      if (postingCount > 0 && hash == runHash) {
        runCount++;
      } else {
        endRun();
        runHash = hash;
        runCount = 1;
      }
    }
    lastHash = hash;
    lastTrack = trackId;
    lastFrame = frame;
    hashes[buffered] = hash;
    tracks[buffered] = trackId;
    frames[buffered] = frame;
    buffered++;
    postingCount++;
    if (buffered == BLOCK_SIZE) {
      flushBlock();
    }
  }

  /** Appends one track record without peaks; tracks must come in ascending id order. */
  public void addTrack(Track track) throws IOException {
    addTrack(track, null);
  }

  /**
   * Appends one track record and its encoded peaks ({@link io.tunetrace.core.index.TrackPeaks},
   * {@code null} for none); tracks come in ascending id order, after every posting. The peaks are
   * written to the file at once, so a merge of many tracks holds none of them in memory.
   */
  public void addTrack(Track track, byte[] encodedPeaks) throws IOException {
    if (trackCount > 0 && track.id() <= lastTrackId) {
      throw new IllegalStateException("tracks out of order: " + track.id());
    }
    if (trackCount == 0 && buffered > 0) {
      flushBlock();
    }
    long peaksOffset = 0;
    int peaksLength = 0;
    if (encodedPeaks != null && encodedPeaks.length > 0) {
      checkOffset(position + encodedPeaks.length);
      peaksOffset = position;
      peaksLength = encodedPeaks.length;
      write(encodedPeaks, encodedPeaks.length);
    }
    lastTrackId = track.id();
    trackCount++;
    TrackMetadata m = track.metadata();
    writeVarLong(trackRecords, track.id());
    writeVarLong(trackRecords, track.postingCount());
    writeVarLong(trackRecords, track.addedAtMillis());
    writeVarLong(trackRecords, m.durationMillis());
    writeString(trackRecords, m.title());
    writeString(trackRecords, m.artist());
    writeString(trackRecords, m.album());
    writeString(trackRecords, m.sourcePath());
    writeString(trackRecords, m.sha256());
    writeVarLong(trackRecords, peaksOffset);
    writeVarLong(trackRecords, peaksLength);
  }

  public long postingCount() {
    return postingCount;
  }

  /** Writes the block index, track records and footer, then forces the file to disk. */
  public long finish() throws IOException {
    if (buffered > 0) {
      flushBlock();
    }
    long countsOffset = 0;
    if (hashCounts != null) {
      endRun();
      checkOffset(position + HashCounts.TABLE_BYTES);
      countsOffset = position;
      byte[] bits = new byte[4];
      putInt(bits, 0, HashCounts.BITS);
      write(bits, 4);
      write(hashCounts, hashCounts.length);
    }
    CRC32 crc = new CRC32();
    long indexOffset = position;
    byte[] entry = new byte[8];
    for (int b = 0; b < blockCount; b++) {
      putInt(entry, 0, firstHashes[b]);
      putInt(entry, 4, offsets[b]);
      crc.update(entry);
      write(entry, 8);
    }
    long tracksOffset = position;
    byte[] records = trackRecords.toByteArray();
    crc.update(records);
    write(records, records.length);
    checkOffset(position + FOOTER_BYTES);
    byte[] footer = new byte[FOOTER_BYTES];
    putLong(footer, 0, postingCount);
    putInt(footer, 8, blockCount);
    putInt(footer, 12, (int) indexOffset);
    putInt(footer, 16, (int) tracksOffset);
    putInt(footer, 20, trackCount);
    putInt(footer, 24, (int) crc.getValue());
    putInt(footer, 28, (int) countsOffset);
    System.arraycopy(END_MAGIC, 0, footer, 32, 8);
    write(footer, footer.length);
    out.flush();
    channel.force(true);
    finished = true;
    channel.close();
    return position;
  }

  @Override
  public void close() throws IOException {
    if (!finished) {
      finished = true;
      channel.close();
    }
  }

  /** Records the count of the run of postings just ended (hashes outside the table are not). */
  private void endRun() {
    if (runCount > 0 && HashCounts.covers(runHash)) {
      hashCounts[runHash] = (byte) HashCounts.encode(runCount);
    }
    runCount = 0;
  }

  private void flushBlock() throws IOException {
    int n = buffered;
    checkOffset(position);
    if (blockCount == firstHashes.length) {
      firstHashes = Arrays.copyOf(firstHashes, blockCount * 2);
      offsets = Arrays.copyOf(offsets, blockCount * 2);
    }
    firstHashes[blockCount] = hashes[0];
    offsets[blockCount] = (int) position;
    blockCount++;

    int minTrack = Integer.MAX_VALUE;
    int maxTrack = 0;
    int minFrame = Integer.MAX_VALUE;
    int maxFrame = 0;
    for (int i = 0; i < n; i++) {
      minTrack = Math.min(minTrack, tracks[i]);
      maxTrack = Math.max(maxTrack, tracks[i]);
      minFrame = Math.min(minFrame, frames[i]);
      maxFrame = Math.max(maxFrame, frames[i]);
    }
    int wT = bits(maxTrack - (long) minTrack);
    int wF = bits(maxFrame - (long) minFrame);
    // Elias–Fano: value i (1..n-1) is hash[i] - hash[0] as an unsigned 32-bit number; its low l
    // bits go to a fixed-width column and its high part h to a bit vector, as a one at h + i - 1.
    long top = (hashes[n - 1] - (long) hashes[0]) & 0xffffffffL;
    int l = lowBits(top, n - 1);
    long highMax = top >>> l;
    // A block of one hash (a common one, in a large index) needs neither: top = 0 says it all.
    long columnsBits = (long) n * (wT + wF) + (top > 0 ? (long) (n - 1) * l + highMax + n - 1 : 0);
    if (!flushJointBlock(n, wT, wF, minTrack, minFrame, top, columnsBits)) {
      byte[] s = scratch;
      long bitPos = putHeader(n, l, wT, wF, minTrack, minFrame, highMax);
      for (int i = 0; i < n; i++) {
        bitPos = putBits(s, bitPos, tracks[i] - (long) minTrack, wT);
      }
      for (int i = 0; i < n; i++) {
        bitPos = putBits(s, bitPos, frames[i] - (long) minFrame, wF);
      }
      if (top > 0) {
        for (int i = 1; i < n; i++) {
          keys[i - 1] = (hashes[i] - (long) hashes[0]) & 0xffffffffL;
        }
        bitPos = putEliasFano(bitPos, keys, n - 1, l, highMax);
      }
      write(s, (int) ((bitPos + 7) >>> 3));
    }
    buffered = 0;
  }

  /**
   * Writes the block as one Elias–Fano code of its postings' keys {@code (hash[i] - hash[0]) <<
   * (wT + wF) | (track[i] - minTrack) << wF | (frame[i] - minFrame)}, which never decrease, when
   * that takes fewer bits than the hash code and the two columns ({@code columnsBits}); returns
   * whether it did. {@code topHash} is {@code hash[n-1] - hash[0]}.
   */
  private boolean flushJointBlock(int n, int wT, int wF, int minTrack, int minFrame,
      long topHash, long columnsBits) throws IOException {
    int shift = wT + wF;
    if (bits(topHash) + shift > JOINT_MAX_BITS) {
      return false;
    }
    long[] keys = this.keys;
    for (int i = 0; i < n; i++) {
      keys[i] = (((hashes[i] - (long) hashes[0]) & 0xffffffffL) << shift)
          | ((tracks[i] - (long) minTrack) << wF) | (frames[i] - (long) minFrame);
    }
    long top = keys[n - 1];
    int l = lowBits(top, n);
    long highMax = top >>> l;
    if ((long) n * l + highMax + n >= columnsBits) {
      return false;
    }
    long bitPos = putHeader(n, JOINT_FLAG | l, wT, wF, minTrack, minFrame, highMax);
    bitPos = putEliasFano(bitPos, keys, n, l, highMax);
    write(scratch, (int) ((bitPos + 7) >>> 3));
    return true;
  }

  /**
   * Puts an Elias–Fano code of the non-decreasing {@code values[0..count)} into the scratch buffer
   * at {@code bitPos}: their low {@code l} bits, then the bit vector of their high parts (a one at
   * {@code (values[i] >>> l) + i}, {@code highMax + count} bits); returns the bit position after.
   */
  private long putEliasFano(long bitPos, long[] values, int count, int l, long highMax) {
    byte[] s = scratch;
    long pos = bitPos;
    long lowMask = l == 0 ? 0 : -1L >>> (64 - l);
    for (int i = 0; i < count; i++) {
      pos = putBits(s, pos, values[i] & lowMask, l);
    }
    for (int i = 0; i < count; i++) {
      long one = pos + (values[i] >>> l) + i;
      s[(int) (one >>> 3)] |= (byte) (1 << (one & 7));
    }
    return pos + highMax + count;
  }

  /**
   * Puts a block's header into the scratch buffer and clears the rest of it; returns the bit
   * position after the header. {@code second} is the second byte: {@code l}, with {@link
   * #JOINT_FLAG} in a joint block.
   */
  private long putHeader(int n, int second, int wT, int wF, int minTrack, int minFrame,
      long highMax) {
    byte[] s = scratch;
    s[0] = (byte) n;
    s[1] = (byte) second;
    s[2] = (byte) wT;
    s[3] = (byte) wF;
    int p = 4;
    p = putVarInt(s, p, minTrack);
    p = putVarInt(s, p, minFrame);
    p = putVarInt(s, p, (int) highMax);
    Arrays.fill(s, p, s.length, (byte) 0);
    return (long) p * 8;
  }

  private void checkOffset(long offset) {
    if (offset > Integer.MAX_VALUE - 64) {
      throw new IndexException(
          "segment " + file + " would exceed 2 GiB (a single track this large)");
    }
  }

  private void write(byte[] bytes, int len) throws IOException {
    out.write(bytes, 0, len);
    position += len;
  }

  static int bits(long value) {
    return 64 - Long.numberOfLeadingZeros(value);
  }

  /**
   * The low-bit width of an Elias–Fano code of {@code count} values up to {@code top}: the one
   * that makes {@code count * l + (top >> l)} least (about log2(top / count)).
   */
  static int lowBits(long top, int count) {
    int best = 0;
    long bestCost = Long.MAX_VALUE;
    for (int l = 0; l <= JOINT_MAX_BITS; l++) {
      long cost = (long) count * l + (top >>> l);
      if (cost < bestCost) {
        bestCost = cost;
        best = l;
      }
    }
    return best;
  }

  private static long putBits(byte[] s, long bitPos, long value, int width) {
    long pos = bitPos;
    int remaining = width;
    long v = value;
    while (remaining > 0) {
      int byteIndex = (int) (pos >>> 3);
      int shift = (int) (pos & 7);
      int take = Math.min(8 - shift, remaining);
      s[byteIndex] |= (byte) ((v & ((1 << take) - 1)) << shift);
      v >>>= take;
      remaining -= take;
      pos += take;
    }
    return pos;
  }

  static int putVarInt(byte[] s, int p, int value) {
    int v = value;
    while ((v & ~0x7f) != 0) {
      s[p++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    s[p++] = (byte) v;
    return p;
  }

  private static void writeVarLong(ByteArrayOutputStream out, long value) {
    long v = value;
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeVarLong(out, b.length);
    out.write(b, 0, b.length);
  }

  static void putInt(byte[] b, int p, int v) {
    b[p] = (byte) v;
    b[p + 1] = (byte) (v >>> 8);
    b[p + 2] = (byte) (v >>> 16);
    b[p + 3] = (byte) (v >>> 24);
  }

  static void putLong(byte[] b, int p, long v) {
    putInt(b, p, (int) v);
    putInt(b, p + 4, (int) (v >>> 32));
  }
}
