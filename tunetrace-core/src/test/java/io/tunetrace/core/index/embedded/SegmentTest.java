package io.tunetrace.core.index.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segment file's postings, read back exactly: every hash found with its count and its
 * (track, frame) run, hashes in between not found, and the cursor giving every posting in order —
 * for the format written now (5, with both kinds of block) and for files written by the versions
 * before it (2, 3 and 4).
 */
class SegmentTest {
  @TempDir Path tmp;

  /**
   * Postings of several shapes, sorted as a segment holds them: runs of one hash longer than a
   * block, hashes close together and far apart (the whole signed range, up to a gap of 2^32 - 1
   * within a block), and a last block of a single posting. The files under
   * {@code src/test/resources/segment-v*} were written from {@code postings(7)} by the versions
   * before format 5, so this must not change.
   */
  static int[][] postings(long seed) {
    Random r = new Random(seed);
    List<int[]> list = new ArrayList<>();
    for (int i = 0; i < 300; i++) { // one hash, many tracks: a run over three blocks
      list.add(new int[] {5_000, 1 + r.nextInt(40), r.nextInt(30_000)});
    }
    for (int i = 0; i < 3_000; i++) { // dense: many repeats, small gaps
      list.add(new int[] {6_000 + r.nextInt(2_000), 1 + r.nextInt(40), r.nextInt(30_000)});
    }
    for (int i = 0; i < 1_500; i++) { // sparse, over the 23-bit hashes of layout 1
      list.add(new int[] {r.nextInt(1 << 23), 1 + r.nextInt(40), r.nextInt(300_000)});
    }
    for (int i = 0; i < 200; i++) { // anywhere in the signed range
      list.add(new int[] {r.nextInt(), 1 + r.nextInt(1 << 20), r.nextInt(1 << 24)});
    }
    list.add(new int[] {Integer.MIN_VALUE, 1, 0});
    list.add(new int[] {Integer.MAX_VALUE - 1, 3, 5});
    list.add(new int[] {Integer.MAX_VALUE - 1, 3, 5});
    list.sort(Comparator.<int[]>comparingInt(p -> p[0]).thenComparingInt(p -> p[1])
        .thenComparingInt(p -> p[2]));
    // postings of the largest hash, so that the last block holds a single posting
    while (list.size() % SegmentWriter.BLOCK_SIZE != 1) {
      list.add(new int[] {Integer.MAX_VALUE, 7, list.size()});
    }
    return list.toArray(new int[0][]);
  }

  static void write(Path file, int[][] postings, boolean withHashCounts) throws IOException {
    try (SegmentWriter w = new SegmentWriter(file, withHashCounts)) {
      for (int[] p : postings) {
        w.addPosting(p[0], p[1], p[2]);
      }
      for (int id = 1; id <= 3; id++) {
        w.addTrack(new Track(id, new TrackMetadata("t" + id, "", "", "", 1000, ""), 0, 0));
      }
      w.finish();
    }
  }

  @Test
  void theFormatWrittenNowFindsEveryRunExactly() throws IOException {
    for (long seed : new long[] {7, 8, 9}) {
      int[][] postings = postings(seed);
      Path file = tmp.resolve("s" + seed + ".tts");
      write(file, postings, false);
      assertEquals(SegmentWriter.FORMAT_VERSION, versionOf(file));
      Segment segment = Segment.open(file);
      int joint = 0;
      for (int b = 0; b < segment.blockCount(); b++) {
        joint += segment.isJoint(b) ? 1 : 0;
      }
      // the long run of one hash is held in joint blocks, the sparse hashes are not
      assertTrue(joint >= 2 && joint < segment.blockCount() - 10, "joint blocks " + joint);
      assertReadsBack(segment, postings);
    }
  }

  @Test
  void theFormatWrittenNowWithAHashCountTableFindsEveryRunExactly() throws IOException {
    int[][] postings = postings(11);
    Path file = tmp.resolve("counts.tts");
    write(file, postings, true);
    Segment segment = Segment.open(file);
    assertTrue(segment.hasHashCounts());
    int bound = segment.hashCountLowerBound(5_000); // 300 postings, as a code 4.4 % wide
    assertTrue(bound > 280 && bound <= 300, "bound " + bound);
    assertReadsBack(segment, postings);
  }

  @Test
  void aHashRunOnlyAtTheStartOfABlockIsCountedWithTheRestOfItsRun() throws IOException {
    // 128 postings of hash 1 fill a block; hash 2's run starts the next one and goes on in it.
    List<int[]> list = new ArrayList<>();
    for (int i = 0; i < 128; i++) {
      list.add(new int[] {1, 1, i});
    }
    for (int i = 0; i < 5; i++) {
      list.add(new int[] {2, 1, i});
    }
    list.add(new int[] {9, 2, 0});
    int[][] postings = list.toArray(new int[0][]);
    Path file = tmp.resolve("edge.tts");
    write(file, postings, false);
    assertReadsBack(Segment.open(file), postings);
  }

  @Test
  void blocksOfAFewCommonHashesAreJointAndFoundExactly() throws IOException {
    // as in a large index: each block holds the runs of a few common hashes over many tracks,
    // so its runs start and end inside joint blocks
    Random r = new Random(5);
    List<int[]> list = new ArrayList<>();
    for (int h = 0; h < 40; h++) {
      int hash = -1_000 + 3 * h + (h % 7 == 0 ? 50 : 0);
      int postings = 1 + r.nextInt(h % 5 == 0 ? 400 : 60);
      for (int i = 0; i < postings; i++) {
        list.add(new int[] {hash, 1 + r.nextInt(5_000), r.nextInt(40_000)});
      }
    }
    list.sort(Comparator.<int[]>comparingInt(p -> p[0]).thenComparingInt(p -> p[1])
        .thenComparingInt(p -> p[2]));
    int[][] postings = list.toArray(new int[0][]);
    Path file = tmp.resolve("common.tts");
    write(file, postings, false);
    Segment segment = Segment.open(file);
    int joint = 0;
    for (int b = 0; b < segment.blockCount(); b++) {
      joint += segment.isJoint(b) ? 1 : 0;
    }
    assertEquals(segment.blockCount(), joint, "every block joint");
    assertReadsBack(segment, postings);
  }

  @Test
  void segmentsWrittenByTheVersionsBeforeAreStillRead() throws IOException {
    int[][] postings = postings(7);
    String[] names = {"segment-v2.tts.gz", "segment-v3.tts.gz", "segment-v4.tts.gz"};
    for (String name : names) {
      Path file = tmp.resolve(name.replace(".gz", ""));
      try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/" + name))) {
        Files.copy(in, file);
      }
      Segment segment = Segment.open(file);
      assertEquals(!name.contains("v2"), segment.hasHashCounts(), name);
      assertEquals(name.charAt(name.indexOf('v') + 1) - '0', versionOf(file), name);
      assertReadsBack(segment, postings);
    }
  }

  private static int versionOf(Path file) throws IOException {
    byte[] head = Arrays.copyOf(Files.readAllBytes(file), 12);
    return (head[8] & 0xff) | (head[9] & 0xff) << 8 | (head[10] & 0xff) << 16 | head[11] << 24;
  }

  private static void assertReadsBack(Segment segment, int[][] postings) {
    assertEquals(postings.length, segment.postingCount());
    TreeMap<Integer, List<int[]>> runs = new TreeMap<>();
    for (int[] p : postings) {
      runs.computeIfAbsent(p[0], h -> new ArrayList<>()).add(new int[] {p[1], p[2]});
    }
    int[] out = new int[2];
    long[] noneDeleted = new long[0];
    for (var e : runs.entrySet()) {
      int hash = e.getKey();
      List<int[]> want = e.getValue();
      int count = segment.locate(hash, Integer.MAX_VALUE, out);
      assertEquals(want.size(), count, "count of hash " + hash);
      List<int[]> got = new ArrayList<>();
      segment.visit(out[0], out[1], count, 0, noneDeleted,
          (q, track, frame) -> got.add(new int[] {track, frame}));
      assertEquals(want.size(), got.size());
      for (int i = 0; i < want.size(); i++) {
        assertTrue(Arrays.equals(want.get(i), got.get(i)), "posting " + i + " of hash " + hash);
      }
      assertEquals(want.size(), segment.countLive(out[0], out[1], count, noneDeleted));
      // a limit lets counting stop early, but never below the limit
      int limited = segment.locate(hash, 0, out);
      assertTrue(limited >= Math.min(1, want.size()) && limited <= want.size(), "limited " + hash);
      for (int absent : new int[] {hash - 1, hash + 1}) {
        if (!runs.containsKey(absent) && absent != hash) {
          assertEquals(0, segment.locate(absent, Integer.MAX_VALUE, out), "absent " + absent);
        }
      }
    }
    Random r = new Random(3);
    for (int i = 0; i < 20_000; i++) {
      int probe = i % 2 == 0 ? r.nextInt() : r.nextInt(1 << 14);
      int want = runs.containsKey(probe) ? runs.get(probe).size() : 0;
      assertEquals(want, segment.locate(probe, Integer.MAX_VALUE, out), "probe " + probe);
    }
    Segment.Cursor c = segment.cursor();
    for (int[] p : postings) {
      assertTrue(c.next());
      assertEquals(p[0], c.hash());
      assertEquals(p[1], c.trackId());
      assertEquals(p[2], c.frame());
    }
    assertFalse(c.next());
  }
}
