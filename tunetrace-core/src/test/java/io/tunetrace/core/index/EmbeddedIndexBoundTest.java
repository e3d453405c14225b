package io.tunetrace.core.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.embedded.Segment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded index under a tiny maximum segment size: segments stay within it through adds,
 * merges and compactions, and every posting, peak and track is still found.
 */
class EmbeddedIndexBoundTest {
  private static final long BOUND = 64 * 1024;

  @TempDir Path tmp;

  /** What the index should hold: live tracks and their fingerprints. */
  private final Map<Integer, Fingerprints> model = new TreeMap<>();
  private final Map<Integer, String> titles = new HashMap<>();

  @Test
  void manyBatchesStayWithinTheBoundAndEverythingIsFound() throws IOException {
    Path dir = tmp.resolve("bounded");
    Random r = new Random(31);
    Set<Integer> removed = new HashSet<>();
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir, null, BOUND)) {
      for (int round = 0; round < 90; round++) {
        addBatch(index, r, round, 1 + r.nextInt(3));
        if (round % 5 == 4) {
          int victim = new ArrayList<>(model.keySet()).get(r.nextInt(model.size()));
          assertTrue(index.remove(victim));
          model.remove(victim);
          removed.add(victim);
        }
        assertSegmentsWithinBound(dir);
        if (round % 10 == 9) {
          assertMatchesModel(index, r);
        }
      }
      long live = segmentBytes(dir);
      assertTrue(live > 8 * BOUND, "the index outgrew the bound many times: " + live);
      assertTrue(index.segmentCount() > 8, "segments: " + index.segmentCount());
      // No step rewrites the whole index: one merge writes at most about twice the bound.
      long largestStep = index.largestStepBytes();
      assertTrue(largestStep <= 2 * BOUND, "largest step wrote " + largestStep + " of " + live);
      double amplification = index.bytesWritten() / (double) live;
      System.out.printf("bounded index: %d segments, %d bytes live, write amplification %.2f,"
          + " largest step %d bytes%n", index.segmentCount(), live, amplification, largestStep);
      assertTrue(amplification < 6, "write amplification " + amplification);

      int before = index.segmentCount();
      long writtenBefore = index.bytesWritten();
      index.compact();
      System.out.printf("compact() wrote %d bytes, largest step %d%n",
          index.bytesWritten() - writtenBefore, index.largestStepBytes());
      assertTrue(index.largestStepBytes() <= 4 * BOUND, "step " + index.largestStepBytes());
      assertSegmentsWithinBound(dir);
      assertTrue(index.segmentCount() < before, index.segmentCount() + " vs " + before);
      long afterBytes = segmentBytes(dir);
      System.out.printf("after compact(): %d segments, %d bytes%n", index.segmentCount(),
          afterBytes);
      long atMost = (afterBytes + BOUND - 1) / BOUND + 2;
      assertTrue(index.segmentCount() <= atMost, index.segmentCount() + " segments for "
          + afterBytes + " bytes");
      for (int id : segmentTrackIds(dir)) {
        assertFalse(removed.contains(id), "removed track " + id + " still on disk");
      }
      assertMatchesModel(index, r);
    }
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir)) {
      assertMatchesModel(index, r);
    }
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir, null, BOUND)) {
      for (int round = 100; round < 110; round++) {
        addBatch(index, r, round, 2);
      }
      assertSegmentsWithinBound(dir);
      assertMatchesModel(index, r);
    }
  }

  @Test
  void oneBatchLargerThanTheBoundIsWrittenAsSeveralSegments() throws IOException {
    Path dir = tmp.resolve("big-batch");
    Random r = new Random(32);
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir, null, BOUND)) {
      addBatch(index, r, 0, 40);
      assertTrue(index.segmentCount() >= 3, "segments: " + index.segmentCount());
      assertSegmentsWithinBound(dir);
      assertMatchesModel(index, r);
    }
  }

  @Test
  void anIndexCompactedWithoutABoundIsSplitAndKeepsTakingAdds() throws IOException {
    Path dir = tmp.resolve("oversized");
    Random r = new Random(33);
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir)) {
      for (int round = 0; round < 24; round++) {
        addBatch(index, r, round, 3);
      }
      index.compact();
      assertEquals(1, index.segmentCount());
      assertTrue(segmentBytes(dir) > 3 * BOUND, "one segment of " + segmentBytes(dir));
    }
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir, null, BOUND)) {
      for (int round = 24; round < 44; round++) {
        addBatch(index, r, round, 2);
      }
      assertMatchesModel(index, r);
      int victim = model.keySet().iterator().next();
      index.remove(victim);
      model.remove(victim);
      index.compact();
      assertSegmentsWithinBound(dir);
      assertFalse(segmentTrackIds(dir).contains(victim));
      assertMatchesModel(index, r);
    }
  }

  @Test
  void aStepEstimatedTooLowIsRewrittenWithinTheBound() throws IOException {
    Path dir = tmp.resolve("dear");
    Random r = new Random(34);
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir, null, BOUND)) {
      // New postings guessed at 1 byte: batches are planned as one segment and come out above
      // the bound, so they are rewritten in smaller ones.
      index.guessBytesPerPosting(1.0);
      for (int round = 1; round <= 12; round++) {
        List<NewTrack> batch = new ArrayList<>();
        List<Fingerprints> fps = new ArrayList<>();
        for (int i = 0; i < round; i++) {
          // Random 32-bit hashes and far-apart frames.
          int n = 1000;
          int[] hashes = new int[n];
          int[] frames = new int[n];
          for (int j = 0; j < n; j++) {
            hashes[j] = r.nextInt();
            frames[j] = r.nextInt(1 << 22);
          }
          java.util.Arrays.sort(frames);
          Fingerprints fp = Fingerprints.of(hashes, frames, n, frames[n - 1] + 1);
          fps.add(fp);
          batch.add(new NewTrack(FingerprintIndexContract.meta("d" + round + "-" + i, 1, -1), fp));
        }
        List<Track> added = index.add(batch);
        for (int i = 0; i < added.size(); i++) {
          model.put(added.get(i).id(), fps.get(i));
          titles.put(added.get(i).id(), "d" + round + "-" + i);
        }
        assertSegmentsWithinBound(dir);
      }
      assertTrue(index.rewrites() > 0, "the estimate was never low: the test proves nothing");
      index.compact();
      assertSegmentsWithinBound(dir);
      assertMatchesModel(index, r);
    }
  }

  @Test
  void planCutsRunsOfAboutEqualSizeWithinTheCap() {
    int[] starts = EmbeddedFingerprintIndex.plan(new long[] {10, 10, 10, 10, 10, 10}, 35);
    assertEquals(List.of(0, 3, 6), toList(starts));
    starts = EmbeddedFingerprintIndex.plan(new long[] {50, 10, 10}, 35);
    assertEquals(List.of(0, 1, 3), toList(starts), "a track above the cap stands alone");
    starts = EmbeddedFingerprintIndex.plan(new long[] {5, 5}, 100);
    assertEquals(List.of(0, 2), toList(starts));
  }

  private static List<Integer> toList(int[] a) {
    List<Integer> out = new ArrayList<>();
    for (int v : a) {
      out.add(v);
    }
    return out;
  }

  // ---- helpers ----

  private void addBatch(EmbeddedFingerprintIndex index, Random r, int round, int tracks) {
    List<NewTrack> batch = new ArrayList<>();
    List<Fingerprints> fps = new ArrayList<>();
    for (int i = 0; i < tracks; i++) {
      Fingerprints fp = r.nextBoolean()
          ? SyntheticPostings.track(r, 5 + r.nextInt(30), 40)
          : FingerprintIndexContract.randomFingerprints(r, 100 + r.nextInt(1500), 1 << 16);
      fps.add(fp);
      batch.add(new NewTrack(FingerprintIndexContract.meta("b" + round + "-" + i, 1000, -1), fp));
    }
    List<Track> added = index.add(batch);
    for (int i = 0; i < added.size(); i++) {
      model.put(added.get(i).id(), fps.get(i));
      titles.put(added.get(i).id(), "b" + round + "-" + i);
    }
  }

  /** Tracks, stats, peaks and lookups (at several limits) against the model. */
  private void assertMatchesModel(EmbeddedFingerprintIndex index, Random r) {
    List<Integer> ids = new ArrayList<>();
    for (Track t : index.tracks()) {
      ids.add(t.id());
      assertEquals(titles.get(t.id()), t.metadata().title());
      assertEquals(model.get(t.id()).size(), t.postingCount());
    }
    assertEquals(new ArrayList<>(model.keySet()), ids);
    long postings = 0;
    for (Fingerprints fp : model.values()) {
      postings += fp.size();
    }
    assertEquals(postings, index.stats().postings());
    int[] all = ids.stream().mapToInt(Integer::intValue).toArray();
    Map<Integer, TrackPeaks> peaks = index.peaks(all);
    assertEquals(model.keySet(), peaks.keySet());
    for (Map.Entry<Integer, Fingerprints> e : model.entrySet()) {
      assertEquals(TrackPeaks.of(e.getValue()), peaks.get(e.getKey()), "peaks of " + e.getKey());
    }
    Map<Integer, List<String>> byHash = new HashMap<>();
    for (Map.Entry<Integer, Fingerprints> e : model.entrySet()) {
      Fingerprints fp = e.getValue();
      for (int j = 0; j < fp.size(); j++) {
        byHash.computeIfAbsent(fp.hash(j), h -> new ArrayList<>())
            .add(e.getKey() + ":" + fp.frame(j));
      }
    }
    List<Integer> keys = new ArrayList<>(byHash.keySet());
    int[] query = new int[3000];
    for (int q = 0; q < query.length; q++) {
      query[q] = q % 4 == 3 ? r.nextInt() : keys.get(r.nextInt(keys.size()));
    }
    for (int limit : new int[] {1, 3, Integer.MAX_VALUE}) {
      List<String> expected = new ArrayList<>();
      for (int q = 0; q < query.length; q++) {
        List<String> hits = byHash.getOrDefault(query[q], List.of());
        if (hits.size() <= limit) {
          for (String h : hits) {
            expected.add(q + ":" + h);
          }
        }
      }
      List<String> actual = FingerprintIndexContract.lookupAll(index, query, limit);
      expected.sort(null);
      actual.sort(null);
      assertEquals(expected, actual, "limit " + limit);
    }
  }

  private static void assertSegmentsWithinBound(Path dir) throws IOException {
    for (Path f : segmentFiles(dir)) {
      long size = Files.size(f);
      assertTrue(size <= BOUND, f.getFileName() + " has " + size + " bytes, bound " + BOUND);
    }
  }

  private static List<Path> segmentFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tts")).sorted().toList();
    }
  }

  private static long segmentBytes(Path dir) throws IOException {
    long sum = 0;
    for (Path f : segmentFiles(dir)) {
      sum += Files.size(f);
    }
    return sum;
  }

  private static Set<Integer> segmentTrackIds(Path dir) throws IOException {
    Set<Integer> ids = new HashSet<>();
    for (Path f : segmentFiles(dir)) {
      for (Track t : Segment.open(f).tracks()) {
        ids.add(t.id());
      }
    }
    return ids;
  }

}
