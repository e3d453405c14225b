package io.tunetrace.core.match;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.InMemoryFingerprintIndex;
import io.tunetrace.core.index.TrackMetadata;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OffsetVoterTest {
  private static final double FRAMES_PER_SECOND = 31.25;

  /** Query entries: hash {@code firstHash + i} at frame {@code 10 * i}, for i in [0, count). */
  private static Fingerprints clip(int firstHash, int count) {
    int[] hashes = new int[count];
    int[] frames = new int[count];
    for (int i = 0; i < count; i++) {
      hashes[i] = firstHash + i;
      frames[i] = 10 * i;
    }
    return Fingerprints.of(hashes, frames, count, 10 * count + 1);
  }

  /** Adds a track holding the given (hash, frame) pairs. */
  private static int addTrack(InMemoryFingerprintIndex index, String title, List<int[]> postings) {
    List<int[]> sorted = new ArrayList<>(postings);
    sorted.sort((a, b) -> Integer.compare(a[1], b[1]));
    int[] hashes = sorted.stream().mapToInt(p -> p[0]).toArray();
    int[] frames = sorted.stream().mapToInt(p -> p[1]).toArray();
    return index.add(new TrackMetadata(title, "tests", "", title + ".wav", 60_000, ""),
        Fingerprints.of(hashes, frames, hashes.length, frames[frames.length - 1] + 1)).id();
  }

  /** The postings hash {@code firstHash + i} would have if the clip played at {@code delta}. */
  private static List<int[]> aligned(int firstHash, int from, int to, int delta) {
    List<int[]> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(new int[] {firstHash + i, 10 * i + delta});
    }
    return out;
  }

  @Test
  void poolsVotesWithinTheToleranceAndBreaksTiesTowardTheLowerOffset() {
    InMemoryFingerprintIndex index = new InMemoryFingerprintIndex(FingerprintParams.DEFAULT);
    // Track one: 5 votes at 200 and 5 at 400 (a tie); track two: 3 at 600 and 3 at 601, pooled 6.
    List<int[]> one = new ArrayList<>(aligned(1000, 0, 5, 400));
    one.addAll(aligned(1000, 5, 10, 200));
    int first = addTrack(index, "one", one);
    List<int[]> two = new ArrayList<>(aligned(1000, 10, 13, 600));
    two.addAll(aligned(1000, 13, 16, 601));
    int second = addTrack(index, "two", two);

    OffsetVoter.Votes votes = OffsetVoter.vote(index, QueryHashes.of(clip(1000, 16)), 100, 100, 1,
        10, FRAMES_PER_SECOND);

    List<Candidate> c = votes.candidates();
    assertEquals(2, c.size(), c.toString());
    assertEquals(second, c.get(0).trackId());
    assertEquals(600, c.get(0).deltaFrames());
    assertEquals(6, c.get(0).confidence());
    assertEquals(first, c.get(1).trackId());
    assertEquals(200, c.get(1).deltaFrames());
    assertEquals(5, c.get(1).confidence());
    assertEquals(16, votes.postings());
  }

  @Test
  void asksFirstOnTheRareHashesAndAddsTheCommonOnesOnlyWhenTheyAreNotEnough() {
    InMemoryFingerprintIndex index = new InMemoryFingerprintIndex(FingerprintParams.DEFAULT);
    // The clip's first 10 hashes are the track's alone; its last 5 are also in 3 other tracks.
    int track = addTrack(index, "match", aligned(2000, 0, 15, 300));
    for (int t = 0; t < 3; t++) {
      addTrack(index, "other " + t, aligned(2000, 10, 15, 5_000 + 1_000 * t));
    }
    int cap = 16;
    assertEquals(2, OffsetVoter.rareCap(cap));
    QueryHashes query = QueryHashes.of(clip(2000, 15));

    List<Long> seen = new ArrayList<>();
    OffsetVoter.Votes enough = OffsetVoter.vote(index, query, cap, cap, 1, 10, FRAMES_PER_SECOND,
        v -> seen.add(v.postings()));
    assertEquals(List.of(10L), seen);
    assertEquals(10, enough.postings());
    assertEquals(track, enough.candidates().get(0).trackId());
    assertEquals(10, enough.candidates().get(0).confidence());

    seen.clear();
    OffsetVoter.Votes all = OffsetVoter.vote(index, query, cap, cap, 1, 10, FRAMES_PER_SECOND,
        v -> !seen.add(v.postings()));
    assertEquals(List.of(10L), seen);
    assertEquals(10 + 5 * 4, all.postings());
    assertEquals(track, all.candidates().get(0).trackId());
    assertEquals(300, all.candidates().get(0).deltaFrames());
    assertEquals(15, all.candidates().get(0).confidence());
  }
}
