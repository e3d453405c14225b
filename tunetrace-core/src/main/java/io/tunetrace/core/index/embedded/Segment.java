package io.tunetrace.core.index.embedded;

import io.tunetrace.core.index.IndexException;
import io.tunetrace.core.index.PostingVisitor;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * One immutable, memory-mapped segment file. Not API.
 *
 * <p>Thread-safe: after construction it is read only, through absolute reads of a read-only
 * mapping. The mapping is released by the garbage collector once no snapshot refers to it.
 */
public final class Segment {
  /** Bits of an Elias–Fano bit vector read at once: a read at any bit holds at least 57. */
  private static final int WORD_BITS = 56;
  private static final long WORD_MASK = (1L << WORD_BITS) - 1;

  private final String name;
  private final long sizeBytes;
  private final ByteBuffer buf;
  private final int[] firstHashes;
  private final int[] offsets;
  private final int blockCount;
  private final int bucketShift;
  private final int[] directory;
  private final long postingCount;
  private final List<Track> tracks;
  /** Per track (in the order of {@link #tracks}): its peaks' offset in the file and length. */
  private final int[] peaksOffsets;
  private final int[] peaksLengths;
  /** Where the hash-count table's bytes start (after its bit count), or -1: none. */
  private final int hashCountsOffset;
  /**
   * Whether blocks hold their hashes in Elias–Fano form (formats 4 and 5) rather than as deltas;
   * in format 5 a block may also be joint ({@link BlockHeader#joint}).
   */
  private final boolean eliasFano;

  private Segment(String name, long sizeBytes, ByteBuffer buf, int[] firstHashes, int[] offsets,
      long postingCount, List<Track> tracks, int[] peaksOffsets, int[] peaksLengths,
      int hashCountsOffset, boolean eliasFano) {
    this.hashCountsOffset = hashCountsOffset;
    this.eliasFano = eliasFano;
    this.peaksOffsets = peaksOffsets;
    this.peaksLengths = peaksLengths;
    this.name = name;
    this.sizeBytes = sizeBytes;
    this.buf = buf;
    this.firstHashes = firstHashes;
    this.offsets = offsets;
    this.blockCount = firstHashes.length;
    // directory[k] = first block whose first hash lies in bucket k or above, where the bucket of
    // a hash is (hash - firstHashes[0]) >>> bucketShift: about one bucket per block.
    if (blockCount == 0) {
      this.bucketShift = 0;
      this.directory = new int[0];
    } else {
      long range = (firstHashes[blockCount - 1] - (long) firstHashes[0]) & 0xffffffffL;
      int shift = Math.max(0, SegmentWriter.bits(range) - SegmentWriter.bits(blockCount));
      int buckets = (int) (range >>> shift) + 1;
      int[] dir = new int[buckets + 1];
      int b = 0;
      for (int k = 0; k <= buckets; k++) {
        while (b < blockCount
            && (int) (((firstHashes[b] - (long) firstHashes[0]) & 0xffffffffL) >>> shift) < k) {
          b++;
        }
        dir[k] = b;
      }
      this.bucketShift = shift;
      this.directory = dir;
    }
    this.postingCount = postingCount;
    this.tracks = tracks;
  }

  /**
   * Maps a segment file and reads its block index and track records.
   *
   * @throws java.nio.file.NoSuchFileException if the file is gone (e.g. deleted by a compaction)
   */
  public static Segment open(Path file) throws IOException {
    ByteBuffer buf;
    long size;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      size = ch.size();
      if (size < SegmentWriter.HEADER_BYTES + SegmentWriter.FOOTER_BYTES || size > Integer.MAX_VALUE) {
        throw corrupt(file, "bad size " + size);
      }
      buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
    }
    int limit = (int) size;
    byte[] magic = new byte[8];
    buf.get(0, magic);
    if (!Arrays.equals(magic, SegmentWriter.MAGIC)) {
      throw corrupt(file, "bad magic");
    }
    int version = buf.getInt(8);
    if (version < 1 || version > SegmentWriter.FORMAT_VERSION
        || buf.getInt(12) != SegmentWriter.BLOCK_SIZE) {
      throw corrupt(file, "unsupported format " + buf.getInt(8) + "/" + buf.getInt(12));
    }
    int f = limit - SegmentWriter.FOOTER_BYTES;
    buf.get(f + 32, magic);
    if (!Arrays.equals(magic, SegmentWriter.END_MAGIC)) {
      throw corrupt(file, "bad footer");
    }
    long postingCount = buf.getLong(f);
    int blockCount = buf.getInt(f + 8);
    int indexOffset = buf.getInt(f + 12);
    int tracksOffset = buf.getInt(f + 16);
    int trackCount = buf.getInt(f + 20);
    int crcExpected = buf.getInt(f + 24);
    if (blockCount < 0 || indexOffset < SegmentWriter.HEADER_BYTES
        || tracksOffset != indexOffset + 8L * blockCount || tracksOffset > f || trackCount < 0
        || postingCount > (long) blockCount * SegmentWriter.BLOCK_SIZE) {
      throw corrupt(file, "bad footer fields");
    }
    int hashCountsOffset = -1;
    if (version == SegmentWriter.FORMAT_VERSION_COUNTS
        || (version >= SegmentWriter.FORMAT_VERSION_ELIAS_FANO && buf.getInt(f + 28) != 0)) {
      long at = buf.getInt(f + 28) & 0xffffffffL;
      if (at < SegmentWriter.HEADER_BYTES || at + HashCounts.TABLE_BYTES > indexOffset
          || buf.getInt((int) at) != HashCounts.BITS) {
        throw corrupt(file, "bad hash-count table");
      }
      hashCountsOffset = (int) at + 4;
    }
    byte[] meta = new byte[f - indexOffset];
    buf.get(indexOffset, meta);
    CRC32 crc = new CRC32();
    crc.update(meta);
    if ((int) crc.getValue() != crcExpected) {
      throw corrupt(file, "checksum mismatch");
    }
    ByteBuffer metaBuf = ByteBuffer.wrap(meta).order(ByteOrder.LITTLE_ENDIAN);
    int[] firstHashes = new int[blockCount];
    int[] offsets = new int[blockCount];
    for (int b = 0; b < blockCount; b++) {
      firstHashes[b] = metaBuf.getInt(b * 8);
      offsets[b] = metaBuf.getInt(b * 8 + 4);
    }
    List<Track> tracks = new ArrayList<>(Math.min(trackCount, meta.length));
    int[] peaksOffsets = new int[Math.min(trackCount, meta.length)];
    int[] peaksLengths = new int[peaksOffsets.length];
    metaBuf.position(tracksOffset - indexOffset);
    try {
      for (int i = 0; i < trackCount; i++) {
        int id = (int) readVarLong(metaBuf);
        long postings = readVarLong(metaBuf);
        long addedAt = readVarLong(metaBuf);
        long duration = readVarLong(metaBuf);
        String title = readString(metaBuf);
        String artist = readString(metaBuf);
        String album = readString(metaBuf);
        String sourcePath = readString(metaBuf);
        String sha = readString(metaBuf);
        if (version >= SegmentWriter.FORMAT_VERSION_PEAKS) {
          long peaksOffset = readVarLong(metaBuf);
          long peaksLength = readVarLong(metaBuf);
          long peaksEnd = hashCountsOffset < 0 ? indexOffset : hashCountsOffset - 4;
          if (peaksLength < 0 || peaksOffset < 0
              || (peaksLength > 0 && (peaksOffset < SegmentWriter.HEADER_BYTES
                  || peaksOffset + peaksLength > peaksEnd))) {
            throw corrupt(file, "bad peaks of track " + id);
          }
          peaksOffsets[i] = (int) peaksOffset;
          peaksLengths[i] = (int) peaksLength;
        }
        tracks.add(new Track(id,
            new TrackMetadata(title, artist, album, sourcePath, duration, sha), postings, addedAt));
      }
    } catch (RuntimeException e) {
      throw new IndexException("corrupt segment " + file + ": bad track records", e);
    }
    String name = file.getFileName().toString();
    return new Segment(name, size, buf, firstHashes, offsets, postingCount, List.copyOf(tracks),
        peaksOffsets, peaksLengths, hashCountsOffset,
        version >= SegmentWriter.FORMAT_VERSION_ELIAS_FANO);
  }

  private static IndexException corrupt(Path file, String why) {
    return new IndexException("corrupt segment " + file + ": " + why);
  }

  public String name() {
    return name;
  }

  public long sizeBytes() {
    return sizeBytes;
  }

  public long postingCount() {
    return postingCount;
  }

  /** The track records stored in this segment, ordered by id. */
  public List<Track> tracks() {
    return tracks;
  }

  /**
   * The encoded peaks of a track of this segment ({@link io.tunetrace.core.index.TrackPeaks}), or
   * {@code null} when the segment holds none for it (a version 1 segment) or no such track.
   */
  public byte[] encodedPeaks(int trackId) {
    int i = indexOf(trackId);
    if (i < 0 || peaksLengths[i] == 0) {
      return null;
    }
    byte[] bytes = new byte[peaksLengths[i]];
    buf.get(peaksOffsets[i], bytes);
    return bytes;
  }

  /** The length of {@link #encodedPeaks}, 0 when there are none; without reading them. */
  public int encodedPeaksLength(int trackId) {
    int i = indexOf(trackId);
    return i < 0 ? 0 : peaksLengths[i];
  }

  private int indexOf(int trackId) {
    int lo = 0;
    int hi = tracks.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int id = tracks.get(mid).id();
      if (id < trackId) {
        lo = mid + 1;
      } else if (id > trackId) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  /** Whether block {@code b} is a joint one (format 5, {@link EliasFanoValues}); for tests. */
  boolean isJoint(int b) {
    BlockHeader header = new BlockHeader();
    header.read(b);
    return header.joint;
  }

  public int blockCount() {
    return blockCount;
  }

  /** Whether the file holds a hash-count table (formats 3 and 4, {@link HashCounts}). */
  public boolean hasHashCounts() {
    return hashCountsOffset >= 0;
  }

  /**
   * The least count of a {@linkplain HashCounts#covers covered} hash in this segment, from its
   * table (which it must have).
   */
  public int hashCountLowerBound(int hash) {
    return HashCounts.lowerBound(buf.get(hashCountsOffset + hash));
  }

  /**
   * Adds each hash value's least count in this segment (from its table, which it must have) to
   * {@code sums}, saturating at 65,535.
   */
  void addHashCountLowerBounds(char[] sums) {
    if (hashCountsOffset < 0) {
      throw new IllegalStateException("segment " + name + " has no hash-count table");
    }
    byte[] chunk = new byte[1 << 16];
    for (int start = 0; start < sums.length; start += chunk.length) {
      int len = Math.min(chunk.length, sums.length - start);
      buf.get(hashCountsOffset + start, chunk, 0, len);
      for (int i = 0; i < len; i++) {
        int code = chunk[i];
        if (code != 0) {
          int v = sums[start + i] + HashCounts.lowerBound(code);
          sums[start + i] = (char) Math.min(0xffff, v);
        }
      }
    }
  }

  // ---- lookup ----

  /**
   * Finds the run of postings with {@code hash}. Stores the start block and the index within it in
   * {@code out[0]} and {@code out[1]}.
   *
   * @param limit counting may stop as soon as the count exceeds this
   * @return the number of postings with that hash (or some number above {@code limit})
   */
  public int locate(int hash, int limit, int[] out) {
    int b = lastBlockBelow(hash);
    int count = 0;
    int startBlock = -1;
    int startIndex = 0;
    if (b >= 0) {
      // the run may start inside the last block whose first hash is below the query
      count = eliasFano ? runInBlockEliasFano(b, hash, out) : runInBlockDeltas(b, hash, out);
      if (count > 0) {
        startBlock = b;
        startIndex = out[1];
      }
    }
    // blocks that start with the hash continue the run
    for (int bb = b + 1; bb < blockCount && firstHashes[bb] == hash; bb++) {
      if (startBlock < 0) {
        startBlock = bb;
        startIndex = 0;
      }
      if (bb + 1 < blockCount && firstHashes[bb + 1] == hash) {
        count += buf.get(offsets[bb]) & 0xff;
      } else {
        count += eliasFano ? leadingRunEliasFano(bb) : leadingRunDeltas(bb);
      }
      if (count > limit) {
        break;
      }
    }
    out[0] = startBlock;
    out[1] = startIndex;
    return count;
  }

  /**
   * Formats 1–3: the number of postings of {@code hash} in block {@code b} (whose first hash is
   * below it), their first index stored in {@code out[1]}.
   */
  private int runInBlockDeltas(int b, int hash, int[] out) {
    int o = offsets[b];
    int n = buf.get(o) & 0xff;
    int wH = buf.get(o + 1);
    int p = skipVarint(skipVarint(o + 4));
    int h = firstHashes[b];
    int i = 1;
    for (int k = SegmentWriter.SKIP_INTERVAL; k < n; k += SegmentWriter.SKIP_INTERVAL) {
      long read = readVarint(p);
      p = (int) read;
      int skipHash = firstHashes[b] + (int) (read >>> 32);
      if (skipHash < hash) {
        h = skipHash;
        i = k + 1;
      }
    }
    long dataBit = p * 8L;
    long mask = mask(wH);
    while (i < n) {
      h += (int) readBits(dataBit + (i - 1) * wH, mask);
      if (h >= hash) {
        break;
      }
      i++;
    }
    if (i >= n || h != hash) {
      return 0;
    }
    out[1] = i;
    int count = 1;
    i++;
    while (i < n && readBits(dataBit + (i - 1) * wH, mask) == 0) {
      count++;
      i++;
    }
    return count;
  }

  /** Formats 1–3: how many postings at the start of block {@code b} share its first hash. */
  private int leadingRunDeltas(int b) {
    int o = offsets[b];
    int n = buf.get(o) & 0xff;
    int wH = buf.get(o + 1);
    long mask = mask(wH);
    long dataBit = dataStart(o) * 8L;
    int c = 1;
    while (c < n && readBits(dataBit + (c - 1) * wH, mask) == 0) {
      c++;
    }
    return c;
  }

  /**
   * Reads the start of the block where {@code hash} would be, so that the memory access of a
   * later {@link #locate} hits the cache. Calling this for a whole query first lets the CPU wait
   * for many blocks at once instead of one after the other.
   */
  public int touch(int hash) {
    if (blockCount == 0) {
      return 0;
    }
    int b = Math.max(0, lastBlockBelow(hash));
    int o = offsets[b];
    return buf.get(o) + buf.get(o + 32);
  }

  /** Counts the postings of a located run whose track is not in {@code deletedBits}. */
  public int countLive(int block, int index, int count, long[] deletedBits) {
    BlockHeader header = new BlockHeader();
    int live = 0;
    int b = block;
    int i = index;
    int left = count;
    while (left > 0) {
      header.read(b);
      int n = header.n;
      int wT = header.wT;
      int minTrack = header.minTrack;
      long trackBit = header.trackBit;
      long maskT = mask(wT);
      if (header.joint) {
        EliasFanoValues keys = new EliasFanoValues(header, i);
        for (; i < n && left > 0; i++, left--) {
          int track = minTrack + (int) ((keys.next() >>> header.wF) & maskT);
          if (!isDeleted(deletedBits, track)) {
            live++;
          }
        }
      }
      for (; i < n && left > 0; i++, left--) {
        int track = minTrack + (int) readBits(trackBit + i * wT, maskT);
        if (!isDeleted(deletedBits, track)) {
          live++;
        }
      }
      b++;
      i = 0;
    }
    return live;
  }

  /** Visits a located run, skipping tracks in {@code deletedBits}. */
  public void visit(int block, int index, int count, int queryIndex, long[] deletedBits,
      PostingVisitor visitor) {
    BlockHeader header = new BlockHeader();
    int b = block;
    int i = index;
    int left = count;
    while (left > 0) {
      header.read(b);
      int n = header.n;
      int wT = header.wT;
      int wF = header.wF;
      int minTrack = header.minTrack;
      int minFrame = header.minFrame;
      long trackBit = header.trackBit;
      long frameBit = header.frameBit;
      long maskT = mask(wT);
      long maskF = mask(wF);
      if (header.joint) {
        EliasFanoValues keys = new EliasFanoValues(header, i);
        for (; i < n && left > 0; i++, left--) {
          long key = keys.next();
          int track = minTrack + (int) ((key >>> wF) & maskT);
          if (!isDeleted(deletedBits, track)) {
            visitor.visit(queryIndex, track, minFrame + (int) (key & maskF));
          }
        }
      }
      for (; i < n && left > 0; i++, left--) {
        int track = minTrack + (int) readBits(trackBit + i * wT, maskT);
        if (isDeleted(deletedBits, track)) {
          continue;
        }
        int frame = minFrame + (int) readBits(frameBit + i * wF, maskF);
        visitor.visit(queryIndex, track, frame);
      }
      b++;
      i = 0;
    }
  }

  /** Sequential reader over every posting, for merging. Not thread-safe. */
  public Cursor cursor() {
    return new Cursor();
  }

  /** Iterates all postings in (hash, track, frame) order. */
  public final class Cursor {
    private final int[] hashes = new int[SegmentWriter.BLOCK_SIZE];
    private final int[] trackIds = new int[SegmentWriter.BLOCK_SIZE];
    private final int[] frames = new int[SegmentWriter.BLOCK_SIZE];
    private int block = -1;
    private int n;
    private int i;

    /** Advances; returns false at the end. */
    public boolean next() {
      i++;
      if (i < n) {
        return true;
      }
      block++;
      if (block >= blockCount) {
        return false;
      }
      decodeBlock(block, hashes, trackIds, frames);
      n = buf.get(offsets[block]) & 0xff;
      i = 0;
      return true;
    }

    public int hash() {
      return hashes[i];
    }

    public int trackId() {
      return trackIds[i];
    }

    public int frame() {
      return frames[i];
    }
  }

  /** The header of one block, read into reusable fields (see INDEX-ENGINE.md). Not thread-safe. */
  private final class BlockHeader {
    int n;
    /**
     * Formats 1–3: the bit width of the hash deltas; formats 4 and 5: the low-bit width {@code l}
     * (of the hashes, or of the keys in a joint block).
     */
    int wH;
    int wT;
    int wF;
    int minTrack;
    int minFrame;
    /**
     * Formats 4 and 5: the high part of the last hash, {@code (hash[n-1] - hash[0]) >>> l}, or of
     * the last key in a joint block.
     */
    long highMax;
    long trackBit; // bit position of the track column
    long frameBit; // bit position of the frame column
    long hashBit; // formats 1–3: the first hash delta; formats 4 and 5: the low bits
    long upperBit; // formats 4 and 5: the bit vector of high parts
    /**
     * Format 5: whether the block is one Elias–Fano code of whole postings (keys, see {@link
     * EliasFanoValues}): then {@code wH} is the keys' low-bit width and {@code hashBit} their low
     * parts.
     */
    boolean joint;

    /**
     * Formats 4 and 5, a block that is not joint: whether every entry has hash[0] (then no low
     * bits or bit vector are stored).
     */
    boolean oneHash() {
      return !joint && highMax == 0 && wH == 0;
    }

    void read(int block) {
      int o = offsets[block];
      n = buf.get(o) & 0xff;
      int second = buf.get(o + 1) & 0xff;
      joint = eliasFano && (second & SegmentWriter.JOINT_FLAG) != 0;
      wH = second & ~SegmentWriter.JOINT_FLAG;
      wT = buf.get(o + 2);
      wF = buf.get(o + 3);
      long read = readVarint(o + 4);
      minTrack = (int) (read >>> 32);
      read = readVarint((int) read);
      minFrame = (int) (read >>> 32);
      if (eliasFano) {
        read = readVarint((int) read);
        highMax = read >>> 32;
        if (joint) {
          hashBit = (read & 0xffffffffL) * 8L;
          upperBit = hashBit + (long) n * wH;
          return;
        }
        trackBit = (read & 0xffffffffL) * 8L;
        frameBit = trackBit + (long) n * wT;
        hashBit = frameBit + (long) n * wF;
        upperBit = hashBit + (long) (n - 1) * wH;
        return;
      }
      int p = (int) read;
      for (int k = SegmentWriter.SKIP_INTERVAL; k < n; k += SegmentWriter.SKIP_INTERVAL) {
        p = skipVarint(p);
      }
      hashBit = p * 8L;
      trackBit = hashBit + (long) (n - 1) * wH;
      frameBit = trackBit + (long) n * wT;
    }
  }

  /**
   * Formats 4 and 5 (docs/INDEX-ENGINE.md): the number of postings of {@code hash} in block
   * {@code b} (whose first hash is below it), their first index stored in {@code out[1]}.
   */
  private int runInBlockEliasFano(int b, int hash, int[] out) {
    BlockHeader header = new BlockHeader();
    header.read(b);
    long value = (hash - (long) firstHashes[b]) & 0xffffffffL;
    if (header.joint) {
      return jointRun(header, value, out);
    }
    int i = firstAtLeast(header, value);
    out[1] = i;
    return runOf(header, i, value);
  }

  /** Formats 4 and 5: how many postings at the start of block {@code b} share its first hash. */
  private int leadingRunEliasFano(int b) {
    BlockHeader header = new BlockHeader();
    header.read(b);
    if (header.joint) { // the keys of hash[0] are the ones below 1 << (wT + wF)
      return efFirstAtLeast(header.upperBit, header.hashBit, header.wH, header.highMax, header.n,
          1L << (header.wT + header.wF));
    }
    return 1 + runOf(header, 1, 0);
  }

  /**
   * Format 5, a joint block: the number of its postings whose hash is {@code hash[0] + value},
   * the index of the first stored in {@code out[1]}. Their keys are the ones in [value << s,
   * (value + 1) << s), s = wT + wF.
   */
  private int jointRun(BlockHeader h, long value, int[] out) {
    int shift = h.wT + h.wF;
    if (SegmentWriter.bits(value) + shift > SegmentWriter.JOINT_MAX_BITS) {
      return 0; // beyond every key of the block
    }
    long lo = value << shift;
    int i = efFirstAtLeast(h.upperBit, h.hashBit, h.wH, h.highMax, h.n, lo);
    if (i >= h.n) {
      return 0;
    }
    out[1] = i;
    // the run ends at the first key of the next hash: found by counting bits, not decoding keys
    return efFirstAtLeast(h.upperBit, h.hashBit, h.wH, h.highMax, h.n, lo + (1L << shift)) - i;
  }

  /**
   * The values of an Elias–Fano code read one after the other from a given one on: a format 4
   * block's hashes (less hash[0]), or a format 5 joint block's keys ({@code (hash - hash[0]) <<
   * (wT + wF) | (track - minTrack) << wF | (frame - minFrame)}).
   */
  private final class EliasFanoValues {
    private final long lowBit;
    private final int l;
    private final long lowMask;
    private long pos;
    private long high;
    private long index;

    /** A joint block's keys from entry {@code from} on. */
    EliasFanoValues(BlockHeader h, int from) {
      this(h.upperBit, h.hashBit, h.wH, from);
    }

    /** The code's values from value {@code from} on (low parts of {@code l} bits at lowBit). */
    EliasFanoValues(long upperBit, long lowBit, int l, int from) {
      this.lowBit = lowBit;
      this.l = l;
      lowMask = mask(l);
      pos = upperBit;
      index = from;
      long left = from; // ones to pass
      while (left > 0) {
        long word = readBits(pos, WORD_MASK);
        int ones = Long.bitCount(word);
        if (ones < left) {
          left -= ones;
          high += WORD_BITS - ones;
          pos += WORD_BITS;
          continue;
        }
        for (long k = left; k > 1; k--) {
          word &= word - 1;
        }
        int at = Long.numberOfTrailingZeros(word); // the one of entry from - 1
        high += at - (left - 1);
        pos += at + 1;
        left = 0;
      }
    }

    /** The next value (there must be one). */
    long next() {
      long word = readBits(pos, WORD_MASK);
      while (word == 0) {
        high += WORD_BITS;
        pos += WORD_BITS;
        word = readBits(pos, WORD_MASK);
      }
      int zeros = Long.numberOfTrailingZeros(word);
      high += zeros;
      pos += zeros + 1;
      long key = (high << l) | readBits(lowBit + index * l, lowMask);
      index++;
      return key;
    }
  }

  /**
   * The index (1..n) of the first entry of a format 4 block whose value (hash - hash[0]) is at
   * least {@code value} (n when none).
   */
  private int firstAtLeast(BlockHeader h, long value) {
    int n = h.n;
    if (n <= 1 || (value >>> h.wH) > h.highMax) {
      return n;
    }
    if (h.oneHash()) {
      return 1;
    }
    return 1 + efFirstAtLeast(h.upperBit, h.hashBit, h.wH, h.highMax, n - 1, value);
  }

  /**
   * The index (0..count) of the first value of an Elias–Fano code of {@code count} values (low
   * parts of {@code l} bits at {@code lowBit}, high parts as the bit vector at {@code upperBit})
   * that is at least {@code value} ({@code count} when none): the values with a smaller high part
   * are the ones before the {@code value >>> l}-th zero of the bit vector; after it, only the
   * values that share the high part are compared by their low bits.
   */
  private int efFirstAtLeast(long upperBit, long lowBit, int l, long highMax, int count,
      long value) {
    long high = value >>> l;
    if (count == 0 || high > highMax) {
      return count;
    }
    long pos = upperBit;
    long ones = 0;
    long zeros = high; // zeros still to pass
    while (zeros > 0) {
      long word = readBits(pos, WORD_MASK);
      long wordZeros = WORD_BITS - Long.bitCount(word);
      if (wordZeros < zeros) {
        zeros -= wordZeros;
        ones += Long.bitCount(word);
        pos += WORD_BITS;
        continue;
      }
      long inverted = ~word & WORD_MASK;
      for (long z = zeros; z > 1; z--) {
        inverted &= inverted - 1;
      }
      int at = Long.numberOfTrailingZeros(inverted);
      ones += Long.bitCount(word & ((1L << at) - 1));
      pos += at + 1;
      zeros = 0;
    }
    int i = (int) ones;
    long lowMask = mask(l);
    long low = value & lowMask;
    while (i < count && readBits(pos, 1) != 0 && readBits(lowBit + (long) i * l, lowMask) < low) {
      i++;
      pos++;
    }
    return i;
  }

  /**
   * How many entries of a format 4 block from index {@code i} on have exactly {@code value}
   * (hash - hash[0]): entry {@code i} must be the first whose value is at least it.
   */
  private int runOf(BlockHeader h, int i, long value) {
    int n = h.n;
    int l = h.wH;
    if (i >= n) {
      return 0;
    }
    if (h.oneHash()) {
      return value == 0 ? n - i : 0;
    }
    long lowMask = mask(l);
    long low = value & lowMask;
    // Entry i's one is at its high part + i - 1, so the bit there is one exactly when entry i's
    // high part is value's (no entry before i has a larger one); so for the entries after it.
    long pos = h.upperBit + (value >>> l) + i - 1;
    int run = 0;
    while (i < n && readBits(pos, 1) != 0
        && readBits(h.hashBit + (long) (i - 1) * l, lowMask) == low) {
      run++;
      i++;
      pos++;
    }
    return run;
  }

  /** Reads an unsigned LEB128 varint at {@code p}: returns (value << 32) | position after it. */
  private long readVarint(int p) {
    int value = 0;
    int shift = 0;
    int v;
    do {
      v = buf.get(p++);
      value |= (v & 0x7f) << shift;
      shift += 7;
    } while (v < 0);
    return ((long) value << 32) | (p & 0xFFFFFFFFL);
  }

  private void decodeBlock(int b, int[] hashes, int[] trackIds, int[] frames) {
    BlockHeader header = new BlockHeader();
    header.read(b);
    int n = header.n;
    int wH = header.wH;
    int wT = header.wT;
    int wF = header.wF;
    int minTrack = header.minTrack;
    int minFrame = header.minFrame;
    int h = firstHashes[b];
    hashes[0] = h;
    if (header.joint) {
      EliasFanoValues keys = new EliasFanoValues(header, 0);
      long maskT = mask(wT);
      long maskF = mask(wF);
      for (int i = 0; i < n; i++) {
        long key = keys.next();
        hashes[i] = h + (int) (key >>> (wT + wF));
        trackIds[i] = minTrack + (int) ((key >>> wF) & maskT);
        frames[i] = minFrame + (int) (key & maskF);
      }
      return;
    }
    if (eliasFano && header.oneHash()) {
      Arrays.fill(hashes, 1, n, h);
    } else if (eliasFano) {
      EliasFanoValues values = new EliasFanoValues(header.upperBit, header.hashBit, wH, 0);
      for (int i = 1; i < n; i++) {
        hashes[i] = h + (int) values.next();
      }
    } else {
      long bit = header.hashBit;
      long maskH = mask(wH);
      for (int i = 1; i < n; i++) {
        h += (int) readBits(bit, maskH);
        bit += wH;
        hashes[i] = h;
      }
    }
    long bit = header.trackBit;
    long maskT = mask(wT);
    for (int i = 0; i < n; i++) {
      trackIds[i] = minTrack + (int) readBits(bit, maskT);
      bit += wT;
    }
    long maskF = mask(wF);
    for (int i = 0; i < n; i++) {
      frames[i] = minFrame + (int) readBits(bit, maskF);
      bit += wF;
    }
  }

  /** Byte offset of the bit data of the block at {@code o}: after minTrack, minFrame, skips. */
  private int dataStart(int o) {
    int n = buf.get(o) & 0xff;
    int p = skipVarint(skipVarint(o + 4));
    for (int k = SegmentWriter.SKIP_INTERVAL; k < n; k += SegmentWriter.SKIP_INTERVAL) {
      p = skipVarint(p);
    }
    return p;
  }

  private int skipVarint(int p) {
    int q = p;
    while (buf.get(q++) < 0) {
      // continuation byte
    }
    return q;
  }

  /**
   * Reads up to 57 bits, LSB first; a file always has at least 8 bytes after any block bit.
   */
  private long readBits(long bitPos, long mask) {
    return (buf.getLong((int) (bitPos >>> 3)) >>> (bitPos & 7)) & mask;
  }

  private static long mask(int width) {
    return width == 0 ? 0 : (-1L >>> (64 - width));
  }

  /** Index of the last block whose first hash is below {@code hash}, or -1. */
  private int lastBlockBelow(int hash) {
    if (blockCount == 0 || hash <= firstHashes[0]) {
      return -1;
    }
    if (hash > firstHashes[blockCount - 1]) {
      return blockCount - 1;
    }
    // The directory narrows the search to the blocks whose first hashes share the query's bucket.
    int bucket = (int) (((hash - (long) firstHashes[0]) & 0xffffffffL) >>> bucketShift);
    int lo = directory[bucket];
    int hi = directory[bucket + 1] - 1;
    int found = lo - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (firstHashes[mid] < hash) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  static boolean isDeleted(long[] bits, int id) {
    int w = id >>> 6;
    return w < bits.length && (bits[w] & (1L << id)) != 0;
  }

  private static long readVarLong(ByteBuffer b) {
    long result = 0;
    int shift = 0;
    while (true) {
      byte v = b.get();
      result |= (long) (v & 0x7f) << shift;
      if (v >= 0) {
        return result;
      }
      shift += 7;
      if (shift > 63) {
        throw new IllegalStateException("varint too long");
      }
    }
  }

  private static String readString(ByteBuffer b) {
    int len = (int) readVarLong(b);
    byte[] bytes = new byte[len];
    b.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
