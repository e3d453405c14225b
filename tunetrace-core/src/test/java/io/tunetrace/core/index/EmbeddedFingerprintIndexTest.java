package io.tunetrace.core.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedFingerprintIndexTest extends FingerprintIndexContract {
  @TempDir Path tmp;
  private int counter;

  @Override
  protected FingerprintIndex newIndex(FingerprintParams params) {
    return EmbeddedFingerprintIndex.open(tmp.resolve("index" + (counter++)), params);
  }

  @Override
  protected FingerprintIndex reopen(FingerprintIndex index) {
    Path dir = ((EmbeddedFingerprintIndex) index).directory();
    index.close();
    return EmbeddedFingerprintIndex.open(dir);
  }

  /** The segment files in {@code dir}, by name. */
  private static List<String> segmentNames(Path dir) throws IOException {
    return fileNames(dir).stream().filter(n -> n.endsWith(".tts")).sorted().toList();
  }

  private static Set<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return new HashSet<>(s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void closeAndReopenKeepsEverything() {
    Path dir = tmp.resolve("persist");
    Random r = new Random(11);
    Fingerprints fa = randomFingerprints(r, 1000, 1 << 20);
    Fingerprints fb = randomFingerprints(r, 1000, 1 << 20);
    List<Track> added;
    IndexStats stats;
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir, FingerprintParams.DEFAULT)) {
      added = index.add(List.of(new NewTrack(meta("a", 1000, 1), fa),
          new NewTrack(meta("b", 2000, 2), fb)));
      index.add(meta("c", 3000, 3), Fingerprints.empty(5));
      index.remove(added.get(0).id());
      stats = index.stats();
    }
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir)) {
      assertEquals(FingerprintParams.DEFAULT, index.params());
      assertEquals(stats, index.stats());
      assertEquals(2, index.tracks().size());
      assertEquals(added.get(1), index.track(added.get(1).id()).orElseThrow());
      assertTrue(index.track(added.get(0).id()).isEmpty());
      assertAllPostingsFound(index, added.get(1).id(), fb);
      index.lookup(fa.hashes(), Integer.MAX_VALUE,
          (q, t, f) -> assertEquals(added.get(1).id(), t));
      Track d = index.add(meta("d", 10, 4), randomFingerprints(r, 10, 100));
      assertEquals(added.get(1).id() + 2, d.id(), "ids are never reused");
    }
  }

  @Test
  void peaksSurviveMergesAndCompaction() {
    Path dir = tmp.resolve("peaks-merge");
    Random r = new Random(21);
    List<Fingerprints> prints = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir)) {
      for (int i = 0; i < 2 * EmbeddedFingerprintIndex.MAX_SEGMENTS; i++) {
        Fingerprints fp = randomFingerprints(r, 200, 1 << 23);
        prints.add(fp);
        ids.add(index.add(meta("t" + i, 1000, 100 + i), fp).id());
      }
      index.remove(ids.get(3));
      index.compact();
      assertEquals(1, index.segmentCount());
      int[] all = ids.stream().mapToInt(Integer::intValue).toArray();
      Map<Integer, TrackPeaks> peaks = index.peaks(all);
      assertEquals(ids.size() - 1, peaks.size());
      for (int i = 0; i < ids.size(); i++) {
        if (i != 3) {
          assertEquals(TrackPeaks.of(prints.get(i)), peaks.get(ids.get(i)), "track " + i);
        }
      }
    }
  }

  /**
   * An index written by the previous version (segment format 1, no peaks; made with `tunetrace add
   * samples/copper-kite.mp3`) still opens and is searched; its tracks have no peaks, and tracks
   * added since have theirs, through merges.
   */
  @Test
  void aVersionOneIndexOpensWithoutPeaksAndTakesNewTracksWithThem() throws IOException {
    Path dir = tmp.resolve("v1");
    Files.createDirectories(dir);
    for (String f : new String[] {"MANIFEST", "seg-0000000001.tts"}) {
      try (var in = getClass().getResourceAsStream("/index-v1/" + f)) {
        Files.copy(in, dir.resolve(f));
      }
    }
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir)) {
      Track old = index.tracks().get(0);
      assertEquals("Copper Kite", old.metadata().title());
      assertEquals(1591, old.postingCount());
      assertTrue(index.peaks(new int[] {old.id()}).isEmpty());
      Fingerprints fp = randomFingerprints(new Random(22), 100, 1 << 23);
      Track added = index.add(meta("new", 1000, 7), fp);
      index.compact();
      assertEquals(Set.of(added.id()), index.peaks(new int[] {old.id(), added.id()}).keySet());
      assertEquals(1591 + 100, index.stats().postings());
    }
  }

  @Test
  void addAsRefusesARemovedIdWhosePostingsAreStillOnDiskAndKeepsTheChosenIdAcrossReopen() {
    Path dir = tmp.resolve("chosen");
    Random r = new Random(21);
    Fingerprints fp = randomFingerprints(r, 100, 1 << 20);
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir, FingerprintParams.DEFAULT)) {
      Track removed = index.addAs(70, meta("removed", 1000, 1), randomFingerprints(r, 50, 1 << 20));
      assertTrue(index.remove(removed.id()));
      TrackIdInUseException e = assertThrows(TrackIdInUseException.class,
          () -> index.addAs(70, meta("again", 1000, 2), fp));
      assertEquals("track id 70 is in use in index at " + index.directory(), e.getMessage());
      index.addAs(30, meta("lower", 1000, 3), fp);
    }
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir)) {
      assertEquals("lower", index.track(30).orElseThrow().metadata().title());
      assertAllPostingsFound(index, 30, fp);
      assertEquals(71, index.add(meta("next", 10, 4), randomFingerprints(r, 10, 100)).id());
    }
  }

  @Test
  void reopenWithOtherParamsIsRefused() {
    Path dir = tmp.resolve("params");
    EmbeddedFingerprintIndex.open(dir, FingerprintParams.DEFAULT).close();
    IncompatibleParamsException e = assertThrows(IncompatibleParamsException.class,
        () -> EmbeddedFingerprintIndex.open(dir, OTHER_PARAMS));
    assertEquals("index at " + dir.toAbsolutePath()
        + " was built with other fingerprint parameters:\n  index: "
        + FingerprintParams.DEFAULT.toConfigString() + "\n  given: " + OTHER_PARAMS.toConfigString(),
        e.getMessage());
    // The refused open released the writer lock.
    EmbeddedFingerprintIndex.open(dir).close();
  }

  @Test
  void openWithoutParamsCreatesDefaultIndex() {
    Path dir = tmp.resolve("a/b/new");
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir)) {
      assertEquals(FingerprintParams.DEFAULT, index.params());
    }
    assertTrue(Files.exists(dir.resolve("MANIFEST")));
  }

  @Test
  void readOnlyOpenOfMissingIndexFails() {
    Path dir = tmp.resolve("missing");
    IndexException e = assertThrows(IndexException.class,
        () -> EmbeddedFingerprintIndex.openReadOnly(dir));
    assertEquals("no index at " + dir.toAbsolutePath() + ": add tracks first", e.getMessage());
  }

  @Test
  void directoryWithOtherFilesIsNotTakenOver() throws IOException {
    Path dir = tmp.resolve("notes");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("readme.txt"), "hi");
    IndexException e = assertThrows(IndexException.class, () -> EmbeddedFingerprintIndex.open(dir));
    assertEquals("not an index (no MANIFEST, not empty): " + dir.toAbsolutePath(), e.getMessage());
  }

  @Test
  void secondWriterIsRefused() {
    Path dir = tmp.resolve("locked");
    try (EmbeddedFingerprintIndex first = EmbeddedFingerprintIndex.open(dir)) {
      IndexException e = assertThrows(IndexException.class, () -> EmbeddedFingerprintIndex.open(dir));
      assertEquals("index at " + dir.toAbsolutePath()
          + " is in use by another process (writer lock held)", e.getMessage());
      // The refused attempt must not have released the first writer's lock.
      first.add(meta("x", 1, -1), Fingerprints.of(new int[] {1}, new int[] {0}, 1, 1));
      assertThrows(IndexException.class, () -> EmbeddedFingerprintIndex.open(dir));
    }
    EmbeddedFingerprintIndex.open(dir).close();
  }

  @Test
  void readOnlyInstanceSeesSnapshotUntilRefresh() {
    Path dir = tmp.resolve("ro");
    Random r = new Random(12);
    try (EmbeddedFingerprintIndex writer = EmbeddedFingerprintIndex.open(dir)) {
      Track a = writer.add(meta("a", 1, -1), randomFingerprints(r, 100, 1000));
      try (EmbeddedFingerprintIndex reader = EmbeddedFingerprintIndex.openReadOnly(dir)) {
        assertTrue(reader.isReadOnly());
        assertEquals(1, reader.tracks().size());
        Fingerprints fb = randomFingerprints(r, 100, 1000);
        Track b = writer.add(meta("b", 1, -1), fb);
        writer.remove(a.id());
        assertEquals(List.of(a), reader.tracks());
        reader.refresh();
        assertEquals(List.of(b), reader.tracks());
        assertAllPostingsFound(reader, b.id(), fb);
        IndexException e = assertThrows(IndexException.class,
            () -> reader.add(meta("c", 1, -1), fb));
        assertEquals("index at " + dir.toAbsolutePath() + " is open read-only", e.getMessage());
        writer.compact();
        reader.refresh();
        assertAllPostingsFound(reader, b.id(), fb);
      }
    }
  }

  @Test
  void boundedCompactionLeavesLargerSegmentsAlone() throws IOException {
    Path dir = tmp.resolve("compact-bounded");
    Random r = new Random(17);
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir)) {
      // Four equal adds merge into one large segment; then two small adds, one of them removed.
      for (int i = 0; i < 4; i++) {
        index.add(meta("big" + i, 1000, i), randomFingerprints(r, 20_000, 1 << 14));
      }
      Track small = index.add(meta("small0", 1000, 4), randomFingerprints(r, 500, 1 << 14));
      index.add(meta("small1", 1000, 5), randomFingerprints(r, 500, 1 << 14));
      index.remove(small.id());
      assertEquals(3, index.segmentCount());
      List<String> segments = segmentNames(dir);
      long large = Files.size(dir.resolve(segments.get(0)));
      int[] query = new int[2000];
      for (int i = 0; i < query.length; i++) {
        query[i] = r.nextInt(1 << 14);
      }
      List<String> before = lookupAll(index, query, Integer.MAX_VALUE);
      // A step may rewrite less than the large segment: only the two small ones are merged.
      index.compact(large / 4);
      assertEquals(2, index.segmentCount());
      List<String> after = segmentNames(dir);
      assertEquals(segments.get(0), after.get(0), "the large segment is not rewritten");
      assertEquals(new HashSet<>(before), new HashSet<>(lookupAll(index, query, Integer.MAX_VALUE)));
      index.compact(0); // nothing at all
      assertEquals(after, segmentNames(dir));
      index.compact(); // unbounded: one segment
      assertEquals(1, index.segmentCount());
      assertEquals(new HashSet<>(before), new HashSet<>(lookupAll(index, query, Integer.MAX_VALUE)));
    }
  }

  @Test
  void compactionKeepsLookupResultsIdentical() throws IOException {
    Path dir = tmp.resolve("compact");
    Random r = new Random(13);
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir)) {
      List<Track> tracks = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        tracks.add(index.add(meta("t" + i, 1000, i), randomFingerprints(r, 3000, 1 << 14)));
      }
      index.remove(tracks.get(2).id());
      index.remove(tracks.get(5).id());
      int[] query = new int[2000];
      for (int i = 0; i < query.length; i++) {
        query[i] = r.nextInt(1 << 14);
      }
      List<String> before = lookupAll(index, query, 3);
      List<String> beforeAll = lookupAll(index, query, Integer.MAX_VALUE);
      IndexStats statsBefore = index.stats();
      assertEquals(3, index.segmentCount(), "four equal adds were merged, two were not");
      index.compact();
      assertEquals(1, index.segmentCount());
      assertEquals(new HashSet<>(before), new HashSet<>(lookupAll(index, query, 3)));
      assertEquals(before.size(), lookupAll(index, query, 3).size());
      assertEquals(new HashSet<>(beforeAll), new HashSet<>(lookupAll(index, query, Integer.MAX_VALUE)));
      IndexStats after = index.stats();
      assertEquals(statsBefore.postings(), after.postings());
      assertEquals(statsBefore.tracks(), after.tracks());
      assertTrue(after.bytes() < statsBefore.bytes(), after.bytes() + " vs " + statsBefore.bytes());
      long segments = segmentNames(dir).size();
      assertEquals(1, segments);
      assertEquals(Files.size(dir.resolve("MANIFEST")) + sizeOfSegments(dir), after.bytes());
    }
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir)) {
      assertEquals(4, index.tracks().size());
    }
  }

  private static long sizeOfSegments(Path dir) throws IOException {
    long sum = 0;
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.toString().endsWith(".tts")).toList()) {
        sum += Files.size(p);
      }
    }
    return sum;
  }

  @Test
  void manyAddsAreMergedAutomatically() {
    Path dir = tmp.resolve("merge");
    Random r = new Random(14);
    List<Fingerprints> fps = new ArrayList<>();
    List<Track> tracks = new ArrayList<>();
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir)) {
      for (int i = 0; i < 30; i++) {
        Fingerprints fp = randomFingerprints(r, 500, 1 << 16);
        fps.add(fp);
        tracks.add(index.add(meta("t" + i, 1000, -1), fp));
        assertTrue(index.segmentCount() <= EmbeddedFingerprintIndex.MAX_SEGMENTS);
      }
      for (int i = 0; i < 30; i++) {
        assertAllPostingsFound(index, tracks.get(i).id(), fps.get(i));
      }
      assertEquals(30 * 500, index.stats().postings());
    }
  }

  @Test
  void orphanTempAndSegmentFilesAreCleanedOnOpen() throws IOException {
    Path dir = tmp.resolve("orphans");
    Random r = new Random(15);
    Fingerprints fp = randomFingerprints(r, 100, 1000);
    Track t;
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir)) {
      t = index.add(meta("a", 1, -1), fp);
    }
    Set<String> good = fileNames(dir);
    Files.write(dir.resolve("seg-0000000099.tts"), new byte[100]);
    Files.write(dir.resolve("seg-0000000100.tts.tmp"), new byte[10]);
    Files.write(dir.resolve("MANIFEST.tmp"), new byte[10]);
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir)) {
      assertEquals(good, fileNames(dir));
      assertAllPostingsFound(index, t.id(), fp);
    }
  }

  @Test
  void lookupRejectsNonPositiveLimitAndClosedIndex() {
    EmbeddedFingerprintIndex index = (EmbeddedFingerprintIndex) create();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> index.lookup(new int[] {1}, 0, (q, t, f) -> { }));
    assertEquals("maxPostingsPerHash < 1: 0", e.getMessage());
    index.close();
    IndexException closed = assertThrows(IndexException.class, index::tracks);
    assertEquals("index at " + index.directory() + " is closed", closed.getMessage());
  }

  @Test
  void hotHashSpanningManyBlocksAndSegmentsIsCountedExactly() {
    EmbeddedFingerprintIndex index = (EmbeddedFingerprintIndex) create();
    int n = 1000;
    int[] hashes = new int[n];
    int[] frames = new int[n];
    for (int i = 0; i < n; i++) {
      hashes[i] = i % 2 == 0 ? 77 : (i < 77 ? i : 100_000 + i);
      frames[i] = i;
    }
    Fingerprints fp = Fingerprints.of(hashes, frames, n, n);
    index.add(meta("a", 1, -1), fp);
    index.add(meta("b", 1, -1), fp);
    assertEquals(1000, lookupAll(index, new int[] {77}, 1000).size());
    assertEquals(0, lookupAll(index, new int[] {77}, 999).size());
    index.compact();
    assertEquals(1000, lookupAll(index, new int[] {77}, 1000).size());
    assertEquals(0, lookupAll(index, new int[] {77}, 999).size());
    assertEquals(2, lookupAll(index, new int[] {77, 1}, 999).size());
  }

  @Test
  void extremeHashesFramesAndIdsRoundTrip() {
    EmbeddedFingerprintIndex index = (EmbeddedFingerprintIndex) create();
    int[] hashes = {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, Integer.MAX_VALUE};
    int[] frames = {0, 1, 2, 3, 4, Integer.MAX_VALUE};
    Fingerprints fp = Fingerprints.of(hashes, frames, hashes.length, Integer.MAX_VALUE);
    Track t = index.add(meta("edge", 1, -1), fp);
    assertAllPostingsFound(index, t.id(), fp);
    assertEquals(List.of("0:" + t.id() + ":4", "0:" + t.id() + ":" + Integer.MAX_VALUE),
        lookupAll(index, new int[] {Integer.MAX_VALUE}, 10));
    assertFalse(lookupAll(index, new int[] {2}, 10).iterator().hasNext());
  }

  @Test
  void compactnessIsUnderSixBytesPerPostingForAnHourOfAudio() {
    EmbeddedFingerprintIndex index = (EmbeddedFingerprintIndex) create();
    // One hour at 40 postings per second in 20 three-minute tracks, landmark-like 23-bit hashes.
    Random r = new Random(16);
    List<NewTrack> batch = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      batch.add(new NewTrack(meta("t" + i, 180_000, -1), SyntheticPostings.track(r, 180, 40)));
    }
    index.add(batch);
    IndexStats stats = index.stats();
    assertEquals(20 * 180 * 40, stats.postings(), 20 * 180 * 2);
    assertTrue(stats.bytesPerPosting() < 6, "bytes per posting " + stats.bytesPerPosting());
    assertTrue(stats.bytesPerHour() < 2_000_000, "bytes per hour " + stats.bytesPerHour());
  }

  @Test
  void lookupsMatchABruteForceModel() {
    EmbeddedFingerprintIndex index = (EmbeddedFingerprintIndex) create();
    Random r = new Random(17);
    java.util.Map<Integer, List<int[]>> model = new java.util.HashMap<>();
    List<Track> live = new ArrayList<>();
    int[] ranges = {50, 5000, 1 << 23, Integer.MAX_VALUE};
    for (int round = 0; round < 12; round++) {
      List<NewTrack> batch = new ArrayList<>();
      List<Fingerprints> fps = new ArrayList<>();
      for (int i = 0; i < 1 + r.nextInt(3); i++) {
        int n = r.nextInt(3000);
        int[] hashes = new int[n];
        int[] frames = new int[n];
        int range = ranges[r.nextInt(ranges.length)];
        int frame = r.nextInt(1000);
        for (int j = 0; j < n; j++) {
          hashes[j] = range == Integer.MAX_VALUE ? r.nextInt() : r.nextInt(range) - range / 2;
          frame += r.nextInt(100) == 0 ? r.nextInt(1 << 20) : r.nextInt(3);
          frames[j] = frame;
        }
        Fingerprints fp = Fingerprints.of(hashes, frames, n, frame + 1);
        fps.add(fp);
        batch.add(new NewTrack(meta("m" + round + "-" + i, 1, -1), fp));
      }
      List<Track> added = index.add(batch);
      for (int i = 0; i < added.size(); i++) {
        live.add(added.get(i));
        Fingerprints fp = fps.get(i);
        for (int j = 0; j < fp.size(); j++) {
          model.computeIfAbsent(fp.hash(j), h -> new ArrayList<>())
              .add(new int[] {added.get(i).id(), fp.frame(j)});
        }
      }
      if (round % 3 == 2) {
        Track gone = live.remove(r.nextInt(live.size()));
        index.remove(gone.id());
        model.values().forEach(list -> list.removeIf(p -> p[0] == gone.id()));
      }
      if (round == 7) {
        index.compact();
      }
      List<Integer> keys = new ArrayList<>(model.keySet());
      int[] query = new int[400];
      for (int q = 0; q < query.length; q++) {
        query[q] = q % 2 == 0 && !keys.isEmpty() ? keys.get(r.nextInt(keys.size())) : r.nextInt();
      }
      int limit = 1 + r.nextInt(4);
      List<String> expected = new ArrayList<>();
      for (int q = 0; q < query.length; q++) {
        List<int[]> postings = model.getOrDefault(query[q], List.of());
        if (postings.size() <= limit) {
          for (int[] p : postings) {
            expected.add(q + ":" + p[0] + ":" + p[1]);
          }
        }
      }
      List<String> actual = lookupAll(index, query, limit);
      expected.sort(null);
      actual.sort(null);
      assertEquals(expected, actual, "round " + round);
    }
  }
}
