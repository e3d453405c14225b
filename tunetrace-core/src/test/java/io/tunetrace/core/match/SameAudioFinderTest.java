package io.tunetrace.core.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.Fingerprinter;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.InMemoryFingerprintIndex;
import io.tunetrace.core.index.IndexStats;
import io.tunetrace.core.index.NewTrack;
import io.tunetrace.core.index.PostingVisitor;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.core.index.TrackPeaks;
import io.tunetrace.core.testing.TestMusic;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SameAudioFinderTest {
  static final int RATE = 16000;
  static final Fingerprinter FINGERPRINTER = new Fingerprinter(FingerprintParams.DEFAULT);
  static InMemoryFingerprintIndex index;
  static SameAudioFinder finder;
  static float[] a;
  static Track trackA;
  static Track trackB;

  @BeforeAll
  static void indexTwoPieces() {
    index = new InMemoryFingerprintIndex(FingerprintParams.DEFAULT);
    a = TestMusic.piece(60, 30, RATE);
    trackA = index.add(meta("a", 30_000), FINGERPRINTER.fingerprint(a, RATE));
    trackB = index.add(meta("b", 30_000),
        FINGERPRINTER.fingerprint(TestMusic.piece(61, 30, RATE), RATE));
    finder = new SameAudioFinder(index, MatchPolicy.DEFAULT);
  }

  @AfterAll
  static void close() {
    index.close();
  }

  @Test
  void findsWhereACopyStartsInBothRecordings() {
    // 5 s of other music, then a's audio from 4 s in.
    float[] query = concat(TestMusic.piece(62, 5, RATE), TestMusic.clip(a, 4 * RATE, 20 * RATE));
    List<SameAudio> found = finder.find(FINGERPRINTER.fingerprint(query, RATE), 25_000, id -> true);
    assertEquals(1, found.size(), found.toString());
    SameAudio s = found.get(0);
    assertEquals(trackA, s.track());
    assertEquals(5000, s.queryStartMillis(), 500);
    assertEquals(25_000, s.queryStopMillis(), 500);
    assertEquals(4000, s.trackStartMillis(), 500);
    assertEquals(24_000, s.trackStopMillis(), 500);
    assertEquals(-1000, s.offsetMillis(), 50);
    assertEquals(3, s.windows());
    assertEquals(List.of(), finder.find(FINGERPRINTER.fingerprint(query, RATE), 25_000,
        id -> id != trackA.id()));
  }

  @Test
  void oneWindowIsEnoughOnlyForAFileOfOneWindow() {
    float[] tenSeconds = TestMusic.clip(a, 3 * RATE, 10 * RATE);
    Fingerprints alone = FINGERPRINTER.fingerprint(tenSeconds, RATE);
    assertEquals(List.of(trackA),
        finder.find(alone, 10_000, id -> true).stream().map(SameAudio::track).toList());
    // The same ten seconds followed by 30 s of other music: one window of four agrees.
    float[] longer = concat(tenSeconds, TestMusic.piece(63, 30, RATE));
    assertEquals(List.of(),
        finder.find(FINGERPRINTER.fingerprint(longer, RATE), 40_000, id -> true));
  }

  @Test
  void unrelatedMusicFindsNothing() {
    for (long seed = 70; seed < 75; seed++) {
      float[] other = TestMusic.piece(seed, 30, RATE);
      assertEquals(List.of(), finder.find(FINGERPRINTER.fingerprint(other, RATE), 30_000,
          id -> true), "seed " + seed);
    }
  }

  @Test
  void copiesAreSearchedWithTheRareHashesOnly() {
    // Records the posting cap of every lookup; everything else is the index's own.
    List<Integer> caps = new ArrayList<>();
    FingerprintIndex recording = new FingerprintIndex() {
      @Override
      public FingerprintParams params() {
        return index.params();
      }

      @Override
      public List<Track> add(List<NewTrack> batch) {
        return index.add(batch);
      }

      @Override
      public void lookup(int[] hashes, int maxPostingsPerHash, PostingVisitor visitor) {
        caps.add(maxPostingsPerHash);
        index.lookup(hashes, maxPostingsPerHash, visitor);
      }

      @Override
      public boolean remove(int trackId) {
        return index.remove(trackId);
      }

      @Override
      public Optional<Track> track(int trackId) {
        return index.track(trackId);
      }

      @Override
      public List<Track> tracks() {
        return index.tracks();
      }

      @Override
      public Map<Integer, TrackPeaks> peaks(int[] trackIds) {
        return index.peaks(trackIds);
      }

      @Override
      public Optional<Track> findBySha256(String sha256) {
        return index.findBySha256(sha256);
      }

      @Override
      public IndexStats stats() {
        return index.stats();
      }

      @Override
      public void close() {}
    };
    // 10 s of other music (a window whose votes are far from sure, which a clip's search would
    // take on to its common hashes), then a's audio.
    float[] query = concat(TestMusic.piece(64, 10, RATE), TestMusic.clip(a, 4 * RATE, 20 * RATE));
    List<SameAudio> found = new SameAudioFinder(recording, MatchPolicy.DEFAULT)
        .find(FINGERPRINTER.fingerprint(query, RATE), 30_000, id -> true);
    assertEquals(List.of(trackA), found.stream().map(SameAudio::track).toList());
    int rare = OffsetVoter.rareCap(MatchPolicy.DEFAULT.maxPostingsPerHash(index.postingCount()));
    assertEquals(3, caps.size(), caps.toString()); // one lookup per window
    assertEquals(Set.of(rare), Set.copyOf(caps));
  }

  @Test
  void groupMergesBothSidesAndJoinsTracksThroughOneAnother() {
    Track t1 = track(1);
    Track t2 = track(2);
    Track t3 = track(3);
    Track t4 = track(4);
    Track t5 = track(5);
    Map<Track, List<SameAudio>> found = new LinkedHashMap<>();
    // 1 and 2 found each other, with slightly different spans; 3 holds 2 from 60 s; 4 and 5 pair.
    found.put(t1, List.of(new SameAudio(t2, 0, 29_500, 40, 29_540, 3)));
    found.put(t2, List.of(new SameAudio(t1, 40, 30_040, 0, 30_000, 3),
        new SameAudio(t3, 0, 30_000, 60_000, 90_000, 3)));
    found.put(t5, List.of(new SameAudio(t4, 10_000, 20_000, 0, 10_000, 2)));
    List<SameAudioGroup> groups = SameAudioFinder.group(found);
    assertEquals(List.of(
        new SameAudioGroup(List.of(t1, t2, t3), List.of(
            new AudioOverlap(t1, 0, 30_000, t2, 40, 30_040),
            new AudioOverlap(t2, 0, 30_000, t3, 60_000, 90_000))),
        new SameAudioGroup(List.of(t4, t5), List.of(
            new AudioOverlap(t4, 0, 10_000, t5, 10_000, 20_000)))), groups);
  }

  @Test
  void valuesRefuseBadArguments() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new AudioOverlap(track(2), 0, 1, track(1), 0, 1));
    assertEquals("first.id() >= second.id(): 2 >= 1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new SameAudio(track(1), 10, 5, 0, 1, 1));
    assertEquals("span stops before it starts: [10, 5] [0, 1]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new SameAudioGroup(List.of(track(1)), List.of()));
    assertEquals("a group needs two tracks, got 1", e.getMessage());
  }

  private static Track track(int id) {
    return new Track(id, meta("t" + id, 90_000), 10, 0);
  }

  private static TrackMetadata meta(String title, long durationMillis) {
    return new TrackMetadata(title, "", "", "/music/" + title + ".wav", durationMillis, "");
  }

  private static float[] concat(float[] first, float[] second) {
    float[] out = new float[first.length + second.length];
    System.arraycopy(first, 0, out, 0, first.length);
    System.arraycopy(second, 0, out, first.length, second.length);
    return out;
  }
}
