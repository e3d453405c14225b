package io.tunetrace.core.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.embedded.HashCounts;
import io.tunetrace.core.index.embedded.Segment;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hash-count tables (segment format 3): lookups that skip hashes by the tables find exactly what
 * lookups that search every segment find, and do skip the hashes above the cap and the absent ones;
 * both with the tables read one by one (the first lookups of a snapshot) and with their sum.
 */
class EmbeddedIndexHashCountsTest {
  /** Hashes that many tracks share many times: hot at every cap tried below. */
  private static final int[] HOT = {0x12345, 0x2_0000, 0x7F_FF00};

  @TempDir Path tmp;

  @Test
  void codesAreLowerBoundsWithin4point4Percent() {
    for (int c = 0; c < 128; c++) {
      assertEquals(c, HashCounts.encode(c));
      assertEquals(c, HashCounts.lowerBound(HashCounts.encode(c)));
    }
    int previous = -1;
    for (int code = 0; code < 256; code++) {
      assertTrue(HashCounts.lowerBound(code) > previous, "increasing at " + code);
      previous = HashCounts.lowerBound(code);
    }
    for (long c = 128; c < 200_000; c += 1 + c / 997) {
      int code = HashCounts.encode(c);
      long lower = HashCounts.lowerBound(code);
      assertTrue(lower <= c, c + " -> " + lower);
      if (code < 255) {
        assertTrue(HashCounts.lowerBound(code + 1) > c, "the largest code for " + c);
        assertTrue(lower * 1.045 >= c, c + " -> " + lower);
      }
    }
    assertEquals(255, HashCounts.encode(Long.MAX_VALUE));
    assertThrows(IllegalArgumentException.class, () -> HashCounts.encode(-1));
  }

  /** {@code sumAfter}: 0 sums the tables at the first lookup, MAX_VALUE never. */
  @ParameterizedTest
  @ValueSource(ints = {0, Integer.MAX_VALUE})
  void lookupsWithTablesFindWhatLookupsWithoutFind(int sumAfter) throws IOException {
    Path with = tmp.resolve("with");
    Path without = tmp.resolve("without");
    try (EmbeddedFingerprintIndex a = EmbeddedFingerprintIndex.open(with);
        EmbeddedFingerprintIndex b = EmbeddedFingerprintIndex.open(without)) {
      a.hashCountSumAfter(sumAfter);
      a.hashCountsMinPostings(1);
      b.hashCountsMinPostings(Long.MAX_VALUE);
      Random r = new Random(5);
      List<Integer> ids = new ArrayList<>();
      for (int batch = 0; batch < 3; batch++) {
        List<NewTrack> tracks = batch(r, 4);
        for (Track t : a.add(tracks)) {
          ids.add(t.id());
        }
        b.add(tracks);
      }
      assertTrue(a.segmentCount() >= 2, "segments: " + a.segmentCount());
      assertTrue(segments(with).stream().allMatch(Segment::hasHashCounts));
      assertTrue(segments(without).stream().noneMatch(Segment::hasHashCounts));
      assertAllLookupsEqual(a, b, r);

      // Removed postings still count in the tables: hot hashes must not hide live postings.
      assertTrue(a.remove(ids.get(1)));
      assertTrue(b.remove(ids.get(1)));
      assertAllLookupsEqual(a, b, r);

      // One merged segment, written with its table, then read by a new instance.
      a.compact();
      b.compact();
      assertEquals(1, a.segmentCount());
      assertAllLookupsEqual(a, b, r);
    }
    try (EmbeddedFingerprintIndex a = EmbeddedFingerprintIndex.openReadOnly(with);
        EmbeddedFingerprintIndex b = EmbeddedFingerprintIndex.openReadOnly(without)) {
      a.hashCountSumAfter(sumAfter);
      assertAllLookupsEqual(a, b, new Random(6));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, Integer.MAX_VALUE})
  void hotAndAbsentHashesAreSkippedWithoutSearching(int sumAfter) throws IOException {
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(tmp.resolve("i"))) {
      index.hashCountSumAfter(sumAfter);
      index.hashCountsMinPostings(1);
      index.add(batch(new Random(8), 3));
      int hot = HOT[0];
      int[] count = new int[1];
      index.lookup(new int[] {hot}, Integer.MAX_VALUE, (q, t, f) -> count[0]++);
      assertTrue(count[0] > 40, "hot hash postings: " + count[0]);

      long before = index.hashesSearched();
      index.lookup(new int[] {hot, 0x55555}, 10, (q, t, f) -> {
        throw new AssertionError("a hot hash or an absent one was visited");
      });
      assertEquals(before, index.hashesSearched(), "neither hash should have been searched");

      // Outside the tables' range, and under the cap: searched as before.
      index.lookup(new int[] {-7, 1 << 24, hot}, count[0], (q, t, f) -> {});
      assertEquals(before + 3, index.hashesSearched());

      // A segment without a table makes "absent" unknowable, not "above the cap".
      index.hashCountsMinPostings(Long.MAX_VALUE);
      index.add(batch(new Random(9), 1));
      long mid = index.hashesSearched();
      index.lookup(new int[] {hot, 0x55555}, 10, (q, t, f) -> {});
      assertEquals(mid + 1, index.hashesSearched(), "only the absent hash is searched for");
    }
  }

  @Test
  void aDamagedTableOffsetIsRefusedAtOpen() throws IOException {
    Path dir = tmp.resolve("damaged");
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir)) {
      index.hashCountsMinPostings(1);
      index.add(batch(new Random(10), 1));
    }
    Path seg;
    try (Stream<Path> files = Files.list(dir)) {
      seg = files.filter(p -> p.toString().endsWith(".tts")).findFirst().orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.seek(f.length() - 40 + 28);
      f.write(new byte[] {1, 0, 0, 0}); // the table's offset now points into the header
    }
    IndexException e = assertThrows(IndexException.class, () -> Segment.open(seg));
    assertTrue(e.getMessage().contains("bad hash-count table"), e.getMessage());
  }

  private static void assertAllLookupsEqual(FingerprintIndex a, FingerprintIndex b, Random r) {
    int[] queries = new int[400];
    for (int i = 0; i < queries.length; i++) {
      queries[i] = i < HOT.length ? HOT[i] : i % 3 == 0 ? r.nextInt(1 << 23)
          : SyntheticPostings.hash(r);
    }
    queries[HOT.length] = -3;
    queries[HOT.length + 1] = 1 << 25;
    for (int cap : new int[] {1, 3, 12, 40, 100, 1_000, Integer.MAX_VALUE}) {
      assertEquals(visits(b, queries, cap), visits(a, queries, cap), "cap " + cap);
    }
  }

  private static List<Long> visits(FingerprintIndex index, int[] hashes, int cap) {
    List<Long> out = new ArrayList<>();
    index.lookup(hashes, cap, (q, t, f) -> out.add(((long) q << 48) | ((long) t << 24) | f));
    out.sort(null);
    return out;
  }

  /** Synthetic tracks, each also holding the hot hashes 20 times. */
  private static List<NewTrack> batch(Random r, int n) {
    List<NewTrack> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Fingerprints f = SyntheticPostings.track(r, 30, 60);
      int size = f.size() + 20 * HOT.length;
      int[] hashes = Arrays.copyOf(f.hashes(), size);
      int[] frames = Arrays.copyOf(f.frames(), size);
      int last = frames[f.size() - 1];
      for (int k = f.size(); k < size; k++) {
        hashes[k] = HOT[k % HOT.length];
        frames[k] = last + (k - f.size()) / HOT.length;
      }
      out.add(new NewTrack(new TrackMetadata("t" + r.nextInt(), "", "", "", 30_000, ""),
          Fingerprints.of(hashes, frames, size, last + 21)));
    }
    return out;
  }

  private static List<Segment> segments(Path dir) throws IOException {
    List<Segment> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(p -> p.toString().endsWith(".tts")).sorted().toList()) {
        out.add(Segment.open(p));
      }
    }
    assertFalse(out.isEmpty());
    return out;
  }
}
