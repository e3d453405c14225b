package io.tunetrace.core.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link FingerprintIndex} implementation must have. Extend it, implement
 * {@link #newIndex}, and the whole contract runs against your implementation. Depends on JUnit and
 * the core only (it is shipped in the core's test jar).
 */
public abstract class FingerprintIndexContract {
  /** Parameters differing from {@link FingerprintParams#DEFAULT} (fan-out 4 instead of 5). */
  protected static final FingerprintParams OTHER_PARAMS =
      new FingerprintParams(16000, 1024, 128, 4, 512, 12, 12, 36, 4, 2, 63, 63,
          FingerprintParams.HASH_VERSION);

  private final List<FingerprintIndex> opened = new ArrayList<>();

  /** A new, empty index built with {@code params}. */
  protected abstract FingerprintIndex newIndex(FingerprintParams params);

  /**
   * The same index seen after a restart (closed and opened again), for implementations that
   * persist; the default returns {@code index} itself.
   */
  protected FingerprintIndex reopen(FingerprintIndex index) {
    return index;
  }

  /** Creates an index that is closed after the test. */
  protected final FingerprintIndex create() {
    FingerprintIndex index = newIndex(FingerprintParams.DEFAULT);
    opened.add(index);
    return index;
  }

  /** Registers an index to close after the test. */
  protected final FingerprintIndex closeLater(FingerprintIndex index) {
    opened.add(index);
    return index;
  }

  @AfterEach
  void closeIndexes() {
    for (FingerprintIndex index : opened) {
      index.close();
    }
  }

  // ---- helpers for subclasses ----

  /** Metadata with a given title and, when {@code shaSeed >= 0}, a SHA-256 made from it. */
  protected static TrackMetadata meta(String title, long durationMillis, int shaSeed) {
    String sha = shaSeed < 0 ? "" : String.format("%064x", shaSeed);
    return new TrackMetadata(title, "artist " + title, "album", "/music/" + title + ".wav",
        durationMillis, sha);
  }

  /** {@code n} random fingerprints with hashes below {@code hashRange}, frames ascending. */
  protected static Fingerprints randomFingerprints(Random random, int n, int hashRange) {
    int[] hashes = new int[n];
    int[] frames = new int[n];
    int frame = 0;
    for (int i = 0; i < n; i++) {
      hashes[i] = random.nextInt(hashRange);
      frame += random.nextInt(3);
      frames[i] = frame;
    }
    return Fingerprints.of(hashes, frames, n, frame + 1);
  }

  /** Every posting a lookup visits, as "queryIndex:track:frame" strings. */
  protected static List<String> lookupAll(FingerprintIndex index, int[] hashes, int maxPostings) {
    List<String> out = new ArrayList<>();
    index.lookup(hashes, maxPostings, (q, t, f) -> out.add(q + ":" + t + ":" + f));
    return out;
  }

  /** Checks that every posting of {@code fp} is found for track {@code trackId}. */
  public static void assertAllPostingsFound(FingerprintIndex index, int trackId, Fingerprints fp) {
    int[] hashes = fp.hashes();
    Set<String> found = new HashSet<>();
    index.lookup(hashes, Integer.MAX_VALUE, (q, t, f) -> {
      if (t == trackId) {
        found.add(hashes[q] + "@" + f);
      }
    });
    for (int i = 0; i < fp.size(); i++) {
      assertTrue(found.contains(fp.hash(i) + "@" + fp.frame(i)),
          "track " + trackId + " posting " + i + " not found");
    }
  }

  // ---- the contract ----

  @Test
  void addBatchReturnsTracksInOrderWithIncreasingIds() {
    FingerprintIndex index = create();
    Random r = new Random(1);
    List<NewTrack> batch = List.of(
        new NewTrack(meta("a", 1000, 1), randomFingerprints(r, 10, 1 << 20)),
        new NewTrack(meta("b", 2000, 2), randomFingerprints(r, 20, 1 << 20)),
        new NewTrack(meta("c", 3000, 3), randomFingerprints(r, 30, 1 << 20)));
    List<Track> tracks = index.add(batch);
    assertEquals(3, tracks.size());
    assertEquals(List.of("a", "b", "c"), tracks.stream().map(t -> t.metadata().title()).toList());
    assertEquals(List.of(10L, 20L, 30L), tracks.stream().map(Track::postingCount).toList());
    assertTrue(tracks.get(0).id() > 0);
    assertTrue(tracks.get(0).id() < tracks.get(1).id() && tracks.get(1).id() < tracks.get(2).id());
    Track next = index.add(meta("d", 1000, 4), randomFingerprints(r, 5, 1 << 20));
    assertTrue(next.id() > tracks.get(2).id());
    assertEquals(batch.get(1).metadata(), index.track(tracks.get(1).id()).orElseThrow().metadata());
  }

  @Test
  void addAsStoresTheTrackUnderTheGivenIdAndLaterAddsGoAboveIt() {
    FingerprintIndex index = create();
    Random r = new Random(11);
    Track first = index.add(meta("first", 1000, 1), randomFingerprints(r, 40, 1 << 20));
    Fingerprints fp = randomFingerprints(r, 50, 1 << 20);
    int chosen = first.id() + 1000;
    Track chosenTrack = index.addAs(chosen, meta("chosen", 2000, 2), fp);
    assertEquals(chosen, chosenTrack.id());
    assertEquals(50, chosenTrack.postingCount());
    assertEquals("chosen", index.track(chosen).orElseThrow().metadata().title());
    assertEquals(chosen, index.findBySha256(String.format("%064x", 2)).orElseThrow().id());
    assertAllPostingsFound(index, chosen, fp);
    Track later = index.add(meta("later", 1000, 3), randomFingerprints(r, 10, 1 << 20));
    assertTrue(later.id() > chosen, later.id() + " <= " + chosen);
    assertEquals(List.of(first.id(), chosen, later.id()),
        index.tracks().stream().map(Track::id).toList());
  }

  @Test
  void addAsTakesAnIdBelowLaterOnesAndTheTrackSurvivesMerges() {
    FingerprintIndex index = create();
    Random r = new Random(12);
    List<Track> added = new ArrayList<>();
    List<Fingerprints> fps = new ArrayList<>();
    // Ids 1000, 999, 998, ...: every add goes below the ones before (shared hashes, so that the
    // postings of one hash come from many tracks).
    for (int i = 0; i < 12; i++) {
      Fingerprints fp = randomFingerprints(r, 60, 500);
      fps.add(fp);
      added.add(index.addAs(1000 - i, meta("t" + i, 1000, 100 + i), fp));
    }
    FingerprintIndex reopened = reopen(index);
    if (reopened != index) {
      closeLater(reopened);
    }
    for (int i = 0; i < 12; i++) {
      assertEquals("t" + i, reopened.track(1000 - i).orElseThrow().metadata().title());
      assertAllPostingsFound(reopened, 1000 - i, fps.get(i));
    }
    assertEquals(12, reopened.stats().tracks());
  }

  @Test
  void addAsRefusesAnIdInUse() {
    FingerprintIndex index = create();
    Random r = new Random(13);
    Track t = index.add(meta("a", 1000, 1), randomFingerprints(r, 20, 1 << 20));
    TrackIdInUseException e = assertThrows(TrackIdInUseException.class,
        () -> index.addAs(t.id(), meta("b", 1000, 2), randomFingerprints(r, 20, 1 << 20)));
    assertTrue(e.getMessage().startsWith("track id " + t.id() + " is in use"), e.getMessage());
    assertEquals(List.of(t.id()), index.tracks().stream().map(Track::id).toList());
    assertEquals(20, index.stats().postings());
    assertThrows(IllegalArgumentException.class,
        () -> index.addAs(0, meta("c", 1000, 3), randomFingerprints(r, 20, 1 << 20)));
  }

  @Test
  void lookupFindsExactPostings() {
    FingerprintIndex index = create();
    Fingerprints a = Fingerprints.of(new int[] {7, 9, 7, -5}, new int[] {0, 3, 10, 12}, 4, 20);
    Fingerprints b = Fingerprints.of(new int[] {9, 11}, new int[] {100, 200}, 2, 300);
    List<Track> t = index.add(List.of(new NewTrack(meta("a", 1, -1), a),
        new NewTrack(meta("b", 1, -1), b)));
    int ta = t.get(0).id();
    int tb = t.get(1).id();
    List<String> found = lookupAll(index, new int[] {9, 7, 12345, -5, 11}, 100);
    Set<String> expected = Set.of(
        "0:" + ta + ":3", "0:" + tb + ":100",
        "1:" + ta + ":0", "1:" + ta + ":10",
        "3:" + ta + ":12",
        "4:" + tb + ":200");
    assertEquals(expected, new HashSet<>(found));
    assertEquals(expected.size(), found.size());
  }

  @Test
  void maxPostingsPerHashSkipsHotHashes() {
    FingerprintIndex index = create();
    int[] hashes = new int[50];
    int[] frames = new int[50];
    for (int i = 0; i < 50; i++) {
      hashes[i] = i < 40 ? 1000 : 2000 + i;
      frames[i] = i;
    }
    Track t = index.add(meta("hot", 1, -1), Fingerprints.of(hashes, frames, 50, 60));
    index.add(meta("hot2", 1, -1), Fingerprints.of(new int[] {1000}, new int[] {5}, 1, 10));
    assertEquals(0, lookupAll(index, new int[] {1000}, 40).size());
    assertEquals(41, lookupAll(index, new int[] {1000}, 41).size());
    assertEquals(List.of("1:" + t.id() + ":45"), lookupAll(index, new int[] {1000, 2045}, 10));
  }

  @Test
  void removeHidesTrackAndItsPostings() {
    FingerprintIndex index = create();
    Random r = new Random(2);
    Fingerprints fa = randomFingerprints(r, 100, 1000);
    Fingerprints fb = randomFingerprints(r, 100, 1000);
    List<Track> t = index.add(List.of(new NewTrack(meta("a", 1000, 1), fa),
        new NewTrack(meta("b", 2000, 2), fb)));
    int ta = t.get(0).id();
    int tb = t.get(1).id();
    assertTrue(index.remove(ta));
    assertFalse(index.remove(ta));
    assertFalse(index.remove(987654));
    assertTrue(index.track(ta).isEmpty());
    assertTrue(index.findBySha256(String.format("%064x", 1)).isEmpty());
    assertEquals(List.of(tb), index.tracks().stream().map(Track::id).toList());
    index.lookup(fa.hashes(), Integer.MAX_VALUE, (q, track, f) -> assertEquals(tb, track));
    assertAllPostingsFound(index, tb, fb);
    IndexStats stats = index.stats();
    assertEquals(1, stats.tracks());
    assertEquals(100, stats.postings());
    assertEquals(100, index.postingCount());
    assertEquals(2000, stats.durationMillis());
  }

  @Test
  void removedPostingsDoNotCountTowardsTheHotHashLimit() {
    FingerprintIndex index = create();
    Fingerprints many = Fingerprints.of(new int[] {5, 5, 5}, new int[] {1, 2, 3}, 3, 5);
    Track a = index.add(meta("a", 1, -1), many);
    Track b = index.add(meta("b", 1, -1), Fingerprints.of(new int[] {5}, new int[] {9}, 1, 10));
    assertEquals(0, lookupAll(index, new int[] {5}, 2).size());
    index.remove(a.id());
    assertEquals(List.of("0:" + b.id() + ":9"), lookupAll(index, new int[] {5}, 2));
  }

  @Test
  void tracksAreOrderedById() {
    FingerprintIndex index = create();
    Random r = new Random(3);
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      List<NewTrack> batch = new ArrayList<>();
      for (int j = 0; j < 3; j++) {
        batch.add(new NewTrack(meta("t" + i + "-" + j, 10, -1), randomFingerprints(r, 5, 1 << 16)));
      }
      index.add(batch).forEach(t -> ids.add(t.id()));
    }
    index.remove(ids.get(4));
    ids.remove(4);
    List<Integer> listed = index.tracks().stream().map(Track::id).toList();
    assertEquals(ids, listed);
    List<Integer> sorted = new ArrayList<>(listed);
    sorted.sort(null);
    assertEquals(sorted, listed);
  }

  @Test
  void findsTrackBySha256() {
    FingerprintIndex index = create();
    Random r = new Random(4);
    Track a = index.add(meta("a", 10, 0xabc), randomFingerprints(r, 5, 100));
    index.add(meta("b", 10, -1), randomFingerprints(r, 5, 100));
    String sha = String.format("%064x", 0xabc);
    assertEquals(a.id(), index.findBySha256(sha).orElseThrow().id());
    assertEquals(a.id(), index.findBySha256(sha.toUpperCase()).orElseThrow().id());
    assertTrue(index.findBySha256(String.format("%064x", 0xabd)).isEmpty());
    assertTrue(index.findBySha256("").isEmpty());
  }

  @Test
  void findsTheNewestTrackByExactPath() {
    FingerprintIndex index = create();
    Random r = new Random(11);
    Track a = index.add(meta("a", 10, -1), randomFingerprints(r, 5, 100));
    Track b = index.add(meta("b", 10, -1), randomFingerprints(r, 5, 100));
    assertEquals(a, index.findByPath("/music/a.wav").orElseThrow());
    assertEquals(b, index.findByPath("/music/b.wav").orElseThrow());
    assertTrue(index.findByPath("/music/A.wav").isEmpty());
    assertTrue(index.findByPath("/music/a.wav ").isEmpty());
    assertTrue(index.findByPath("").isEmpty());
    // Another version of a.wav (edited tags): the newest is found, then the older once it goes.
    Track a2 = index.add(meta("a", 10, 0x2), randomFingerprints(r, 5, 100));
    assertEquals(a2, index.findByPath("/music/a.wav").orElseThrow());
    index.remove(a2.id());
    assertEquals(a, index.findByPath("/music/a.wav").orElseThrow());
    index.remove(a.id());
    assertTrue(index.findByPath("/music/a.wav").isEmpty());
    assertEquals(b, index.findByPath("/music/b.wav").orElseThrow());
    FingerprintIndex again = reopen(index);
    if (again != index) {
      closeLater(again);
    }
    assertEquals(b, again.findByPath("/music/b.wav").orElseThrow());
    assertTrue(again.findByPath("/music/a.wav").isEmpty());
  }

  @Test
  void statsCountTracksDurationPostingsAndBytes() {
    FingerprintIndex index = create();
    assertEquals(0, index.stats().tracks());
    assertEquals(0, index.stats().postings());
    assertEquals(0, index.postingCount());
    Random r = new Random(5);
    index.add(List.of(new NewTrack(meta("a", 60_000, -1), randomFingerprints(r, 300, 1 << 20)),
        new NewTrack(meta("b", 30_000, -1), randomFingerprints(r, 200, 1 << 20))));
    IndexStats stats = index.stats();
    assertEquals(2, stats.tracks());
    assertEquals(90_000, stats.durationMillis());
    assertEquals(500, stats.postings());
    // The cheap count the recognizer reads on every query agrees with the stats.
    assertEquals(500, index.postingCount());
    assertTrue(stats.bytes() > 0, "bytes: " + stats.bytes());
  }

  @Test
  void paramsAreKeptAndOtherParamsRefused() {
    FingerprintIndex index = create();
    assertEquals(FingerprintParams.DEFAULT, index.params());
    index.checkParams(FingerprintParams.DEFAULT);
    IncompatibleParamsException e =
        assertThrows(IncompatibleParamsException.class, () -> index.checkParams(OTHER_PARAMS));
    assertTrue(e.getMessage().contains(FingerprintParams.DEFAULT.toConfigString()), e.getMessage());
    assertTrue(e.getMessage().contains(OTHER_PARAMS.toConfigString()), e.getMessage());
    FingerprintIndex other = closeLater(newIndex(OTHER_PARAMS));
    assertEquals(OTHER_PARAMS, other.params());
    assertNotEquals(FingerprintParams.DEFAULT, other.params());
  }

  @Test
  void emptyBatchAddsNothing() {
    FingerprintIndex index = create();
    assertEquals(List.of(), index.add(List.of()));
    assertEquals(0, index.stats().tracks());
    assertEquals(List.of(), index.tracks());
  }

  @Test
  void trackWithoutFingerprintsIsStored() {
    FingerprintIndex index = create();
    Track t = index.add(meta("silence", 5000, 7), Fingerprints.empty(100));
    assertEquals(0, t.postingCount());
    assertEquals(t, index.track(t.id()).orElseThrow());
    assertEquals(List.of(t), index.tracks());
    assertEquals(5000, index.stats().durationMillis());
    assertEquals(0, lookupAll(index, new int[] {0, 1, 2}, 10).size());
  }

  @Test
  void eachTracksPeaksAreThoseOfItsFingerprintsUntilItIsRemoved() {
    FingerprintIndex index = create();
    Random r = new Random(8);
    Fingerprints a = randomFingerprints(r, 400, 1 << 23);
    Fingerprints b = randomFingerprints(r, 300, 1 << 23);
    List<Track> tracks = index.add(List.of(new NewTrack(meta("a", 1000, 11), a),
        new NewTrack(meta("b", 1000, 12), b)));
    int idA = tracks.get(0).id();
    int idB = tracks.get(1).id();
    FingerprintIndex again = reopen(index);
    if (again != index) {
      closeLater(again);
    }
    Map<Integer, TrackPeaks> peaks = again.peaks(new int[] {idB, idA, idB + 1000});
    assertEquals(Set.of(idA, idB), peaks.keySet());
    assertEquals(TrackPeaks.of(a), peaks.get(idA));
    assertEquals(TrackPeaks.of(b), peaks.get(idB));
    assertTrue(peaks.get(idA).size() > 400, "anchors and targets: " + peaks.get(idA).size());
    assertTrue(again.remove(idA));
    assertEquals(Set.of(idB), again.peaks(new int[] {idA, idB}).keySet());
  }

  @Test
  void storedTrackIsReturnedUnchangedAfterReopen() {
    FingerprintIndex index = create();
    Random r = new Random(6);
    Track t = index.add(meta("é ü 日本", 1234, 9), randomFingerprints(r, 50, 1 << 24));
    FingerprintIndex again = reopen(index);
    if (again != index) {
      closeLater(again);
    }
    assertEquals(t, again.track(t.id()).orElseThrow());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void concurrentLookupsDuringAddsSeeConsistentResults() throws Exception {
    FingerprintIndex index = create();
    Random r = new Random(7);
    Fingerprints stable = randomFingerprints(r, 500, 1 << 18);
    Track base = index.add(meta("stable", 1000, -1), stable);
    int[] hashes = stable.hashes();
    long expected = countFor(index, hashes, base.id());
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Integer>> readers = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        readers.add(pool.submit(() -> {
          int rounds = 0;
          while (!stop.get() || rounds < 5) {
            assertEquals(expected, countFor(index, hashes, base.id()));
            index.tracks();
            index.stats();
            rounds++;
          }
          return rounds;
        }));
      }
      Future<?> writer = pool.submit(() -> {
        Random wr = new Random(8);
        for (int i = 0; i < 20; i++) {
          Track t = index.add(meta("w" + i, 10, -1), randomFingerprints(wr, 2000, 1 << 18));
          if (i % 3 == 0) {
            index.remove(t.id());
          }
        }
        return null;
      });
      writer.get(50, TimeUnit.SECONDS);
      stop.set(true);
      for (Future<Integer> f : readers) {
        assertTrue(f.get(50, TimeUnit.SECONDS) >= 5);
      }
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
    assertEquals(1 + 20 - 7, index.tracks().size());
    assertEquals(500 + 13 * 2000, index.stats().postings());
  }

  private static long countFor(FingerprintIndex index, int[] hashes, int trackId) {
    long[] count = {0};
    index.lookup(hashes, Integer.MAX_VALUE, (q, t, f) -> {
      if (t == trackId) {
        count[0]++;
      }
    });
    return count[0];
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void largeBatchIsStoredAndFound() {
    FingerprintIndex index = create();
    Random r = new Random(9);
    List<NewTrack> batch = new ArrayList<>();
    List<Fingerprints> fps = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Fingerprints fp = randomFingerprints(r, 10_000, 1 << 23);
      fps.add(fp);
      batch.add(new NewTrack(meta("big" + i, 180_000, i), fp));
    }
    List<Track> tracks = index.add(batch);
    assertEquals(200_000, index.stats().postings());
    assertAllPostingsFound(index, tracks.get(0).id(), fps.get(0));
    assertAllPostingsFound(index, tracks.get(19).id(), fps.get(19));
    int[] query = Arrays.copyOfRange(fps.get(7).hashes(), 1000, 1300);
    long[] hits = new long[21];
    index.lookup(query, 1000, (q, t, f) -> hits[t - tracks.get(0).id()]++);
    assertTrue(hits[7] >= 300, "hits " + hits[7]);
  }
}
