package io.tunetrace.core.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where an embedded index's bytes go, read straight from its segment files (docs/INDEX-ENGINE.md):
 * block headers, the hash, track and frame columns, padding, peaks, block index, track records
 * and hash-count tables, each in bytes and in bits per posting (format 5's joint blocks apart:
 * one code of whole postings); for formats 2 and 3 also what
 * Rice and Elias–Fano codes of the hash deltas would take. {@code SegmentStats INDEX}.
 */
public final class SegmentStats {
  private SegmentStats() {}

  public static void main(String[] args) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of(args[0]))) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".tts")).sorted().toList();
    }
    long postings = 0;
    long headerBytes = 0;
    long hashBits = 0;
    long trackBits = 0;
    long frameBits = 0;
    long blockBytes = 0;
    long peakBytes = 0;
    long indexBytes = 0;
    long recordBytes = 0;
    long tableBytes = 0;
    long total = 0;
    long blocks = 0;
    long skipBytes = 0;
    long riceBits = 0;
    long eliasFanoBits = 0;
    long jointBits = 0;
    long jointBlocks = 0;
    long jointPostings = 0;
    for (Path file : files) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size())
            .order(ByteOrder.LITTLE_ENDIAN);
        int size = b.capacity();
        total += size;
        int footer = size - 40;
        long count = b.getLong(footer);
        int blockCount = b.getInt(footer + 8);
        int indexOffset = b.getInt(footer + 12);
        int tracksOffset = b.getInt(footer + 16);
        int tableOffset = b.getInt(footer + 28);
        int version = b.getInt(8);
        postings += count;
        blocks += blockCount;
        indexBytes += 8L * blockCount;
        recordBytes += footer - tracksOffset;
        long lastBlockEnd = 16;
        for (int k = 0; k < blockCount; k++) {
          int off = b.getInt(indexOffset + 8 * k + 4);
          int p = off;
          int n = b.get(p) & 0xff;
          int wH = b.get(p + 1) & 0xff;
          int wT = b.get(p + 2) & 0xff;
          int wF = b.get(p + 3) & 0xff;
          p += 4;
          p = skipVarInt(b, p);
          p = skipVarInt(b, p);
          if (version >= 4) { // Elias-Fano: l low bits each, then a bit vector of high parts
            long highMax = readVarInt(b, p);
            p = skipVarInt(b, p);
            headerBytes += p - off;
            if ((wH & 0x80) != 0) { // format 5, joint: one code of (hash, track, frame) keys
              long bits = (long) n * (wH & 0x7f) + highMax + n;
              jointBits += bits;
              jointBlocks++;
              jointPostings += n;
              long end = p + (bits + 7) / 8;
              blockBytes += end - off;
              lastBlockEnd = end;
              continue;
            }
            long efBits = n > 1 ? (long) (n - 1) * wH + highMax + n - 1 : 0;
            hashBits += efBits;
            trackBits += (long) n * wT;
            frameBits += (long) n * wF;
            long end = p + (efBits + (long) n * (wT + wF) + 7) / 8;
            blockBytes += end - off;
            lastBlockEnd = end;
            continue;
          }
          for (int s = 32; s < n; s += 32) {
            p = skipVarInt(b, p);
          }
          headerBytes += p - off;
          skipBytes += p - off - 4 - varIntLength(b, off + 4)
              - varIntLength(b, off + 4 + varIntLength(b, off + 4));
          long bit = p * 8L;
          long[] deltas = new long[n];
          for (int i = 1; i < n; i++) {
            deltas[i] = wH == 0 ? 0 : (b.getLong((int) (bit >>> 3)) >>> (bit & 7)) & (-1L >>> (64 - wH));
            bit += wH;
          }
          long best = Long.MAX_VALUE;
          for (int r = 0; r < 24; r++) {
            long cost = 0;
            for (int i = 1; i < n; i++) {
              cost += 1 + r + (deltas[i] >>> r);
            }
            best = Math.min(best, cost);
          }
          riceBits += best;
          long u = 0;
          for (int i = 1; i < n; i++) {
            u += deltas[i];
          }
          int l = u / Math.max(1, n - 1) < 1 ? 0 : 63 - Long.numberOfLeadingZeros(u / Math.max(1, n - 1));
          eliasFanoBits += (long) (n - 1) * l + (n - 1) + (u >>> l) + 1;
          hashBits += (long) (n - 1) * wH;
          trackBits += (long) n * wT;
          frameBits += (long) n * wF;
          long bits = (long) (n - 1) * wH + (long) n * wT + (long) n * wF;
          long end = p + (bits + 7) / 8;
          blockBytes += end - off;
          lastBlockEnd = end;
        }
        int peaksEnd = tableOffset > 0 ? tableOffset : indexOffset;
        peakBytes += peaksEnd - lastBlockEnd;
        tableBytes += tableOffset > 0 ? indexOffset - tableOffset : 0;
      }
    }
    double pp = postings;
    System.out.printf("segments %d, postings %,d, blocks %,d, bytes %,d (%.2f bytes per posting)%n",
        files.size(), postings, blocks, total, total / pp);
    row("block headers", headerBytes, pp);
    row("hashes", hashBits / 8, pp);
    row("tracks", trackBits / 8, pp);
    row("  skips in headers", skipBytes, pp);
    row("  hash deltas Rice", riceBits / 8, pp);
    row("  hash Elias-Fano", eliasFanoBits / 8, pp);
    row("frames", frameBits / 8, pp);
    row("joint keys", jointBits / 8, pp);
    System.out.printf("  joint blocks %,d (%.1f %%), their postings %,d (%.2f bits each)%n",
        jointBlocks, 100.0 * jointBlocks / Math.max(1, blocks), jointPostings,
        jointBits / (double) Math.max(1, jointPostings));
    row("padding", blockBytes - headerBytes - (hashBits + trackBits + frameBits + jointBits) / 8,
        pp);
    row("peaks", peakBytes, pp);
    row("block index", indexBytes, pp);
    row("track records", recordBytes, pp);
    row("hash-count tables", tableBytes, pp);
  }

  private static void row(String name, long bytes, double postings) {
    System.out.printf("%-18s %,14d bytes %6.2f bits per posting%n", name, bytes,
        bytes * 8 / postings);
  }

  private static long readVarInt(ByteBuffer b, int p) {
    long v = 0;
    int shift = 0;
    int q = p;
    while (true) {
      int x = b.get(q++);
      v |= (long) (x & 0x7f) << shift;
      if (x >= 0) {
        return v;
      }
      shift += 7;
    }
  }

  private static int varIntLength(ByteBuffer b, int p) {
    return skipVarInt(b, p) - p;
  }

  private static int skipVarInt(ByteBuffer b, int p) {
    int q = p;
    while ((b.get(q) & 0x80) != 0) {
      q++;
    }
    return q + 1;
  }
}
