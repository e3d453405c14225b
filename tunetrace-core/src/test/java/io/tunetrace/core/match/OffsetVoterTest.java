package io.tunetrace.core.match;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.Fingerprinter;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.audio.Resampler;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.InMemoryFingerprintIndex;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.core.testing.TestMusic;
import java.util.ArrayList;
import java.util.Arrays;
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

  /**
   * Besides each track's best alignment, the votes offer its next best ones for the peak check
   * ({@code alternatives}): by pooled votes, at least two, not within 8 frames of one taken, at
   * most two more per track.
   */
  @Test
  void offersEachLeadingTracksNextBestAlignments() {
    InMemoryFingerprintIndex index = new InMemoryFingerprintIndex(FingerprintParams.DEFAULT);
    // Votes: 6 at 400, 4 at 200, 3 at 406 (the best one's, blurred), 2 at 900, 2 at 1200, 1 at 1500.
    List<int[]> p = new ArrayList<>(aligned(1000, 0, 6, 400));
    p.addAll(aligned(1000, 6, 10, 200));
    p.addAll(aligned(1000, 10, 13, 406));
    p.addAll(aligned(1000, 13, 15, 900));
    p.addAll(aligned(1000, 15, 17, 1200));
    p.addAll(aligned(1000, 17, 18, 1500));
    int track = addTrack(index, "one", p);
    int other = addTrack(index, "two", aligned(1000, 0, 3, 50));

    OffsetVoter.Votes votes = OffsetVoter.vote(index, QueryHashes.of(clip(1000, 18)), 100, 100, 1,
        10, FRAMES_PER_SECOND);

    assertEquals(List.of(track, other),
        votes.candidates().stream().map(Candidate::trackId).toList());
    assertEquals(400, votes.candidates().get(0).deltaFrames());
    List<Candidate> alt = votes.alternatives();
    assertEquals(List.of(track, track), alt.stream().map(Candidate::trackId).toList(),
        alt.toString());
    assertEquals(List.of(200, 900), alt.stream().map(Candidate::deltaFrames).toList());
    assertEquals(List.of(4, 2), alt.stream().map(Candidate::confidence).toList());
  }

  /**
   * When a track's best alignment is the clip as it is and its next two are too (votes drifting
   * along a clip played a few percent fast), its best alignment in a variant is offered as well;
   * not when one of the next two is already in a variant.
   */
  @Test
  void offersTheBestAlignmentInAVariantWhenTheOthersAreTheClipAsItIs() {
    int[] tolerance = {1, 2, 2, 2, 2, 2};
    // The clip as it is: 10 votes at 100, 8 at 120, 7 at 140; variant 5: 5 at 101; variant 2: 2
    // at 300.
    List<Integer> keys = new ArrayList<>();
    addVotes(keys, 0, 100, 10);
    addVotes(keys, 0, 120, 8);
    addVotes(keys, 0, 140, 7);
    addVotes(keys, 5, 101, 5);
    addVotes(keys, 2, 300, 2);
    int[] k = keys.stream().mapToInt(Integer::intValue).toArray();
    assertEquals(List.of(OffsetVoter.pack(0, 120), OffsetVoter.pack(0, 140),
            OffsetVoter.pack(5, 101)),
        Arrays.stream(OffsetVoter.otherAlignments(k.clone(), k.length, OffsetVoter.pack(0, 100),
            tolerance)).boxed().toList());
    // When an alignment in a variant is one of the next two (5 votes at 200): nothing more.
    keys.clear();
    addVotes(keys, 0, 100, 10);
    addVotes(keys, 0, 120, 8);
    addVotes(keys, 0, 140, 3);
    addVotes(keys, 5, 200, 5);
    k = keys.stream().mapToInt(Integer::intValue).toArray();
    assertEquals(List.of(OffsetVoter.pack(0, 120), OffsetVoter.pack(5, 200)),
        Arrays.stream(OffsetVoter.otherAlignments(k.clone(), k.length, OffsetVoter.pack(0, 100),
            tolerance)).boxed().toList());
  }

  private static void addVotes(List<Integer> keys, int variant, int delta, int votes) {
    for (int i = 0; i < votes; i++) {
      keys.add(OffsetVoter.pack(variant, delta));
    }
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

  /**
   * Track ids far apart (numbered through a hash table while counting, in the order met) are
   * counted as ids close together are: each track keeps its own best alignment.
   */
  @Test
  void tracksWithIdsFarApartKeepTheirOwnAlignments() {
    InMemoryFingerprintIndex index = new InMemoryFingerprintIndex(FingerprintParams.DEFAULT);
    // Met first (lowest hashes): the highest id. Votes 4 at 100, 6 at 300, 5 at 500.
    int[] ids = {700_000, 5, 350_000};
    int[][] spans = {{0, 4, 100}, {4, 10, 300}, {10, 15, 500}};
    for (int t = 0; t < 3; t++) {
      List<int[]> p = aligned(3000, spans[t][0], spans[t][1], spans[t][2]);
      int[] hashes = p.stream().mapToInt(x -> x[0]).toArray();
      int[] frames = p.stream().mapToInt(x -> x[1]).toArray();
      index.addAs(ids[t], new TrackMetadata("t" + t, "tests", "", "t" + t + ".wav", 60_000, ""),
          Fingerprints.of(hashes, frames, hashes.length, frames[frames.length - 1] + 1));
    }
    List<Candidate> c = OffsetVoter.vote(index, QueryHashes.of(clip(3000, 15)), 100, 100, 1, 10,
        FRAMES_PER_SECOND).candidates();
    assertEquals(3, c.size(), c.toString());
    assertEquals(List.of(5, 350_000, 700_000), c.stream().map(Candidate::trackId).toList());
    assertEquals(List.of(300, 500, 100), c.stream().map(Candidate::deltaFrames).toList());
    assertEquals(List.of(6, 5, 4), c.stream().map(Candidate::confidence).toList());
  }

  /**
   * A clip time-stretched against the track (its pitch kept) shares its own hashes with the track,
   * but their alignment drifts along the clip: the track's own postings, voted again at the tempo
   * variants' time scales, offer the stretched alignment that gathers them all, without looking up
   * a single variant hash. A track that holds the clip as it is gets no such offer.
   */
  @Test
  void offersTheStretchedAlignmentThatGathersATracksOwnPostings() {
    FingerprintParams params = FingerprintParams.DEFAULT;
    int rate = params.sampleRateHz();
    InMemoryFingerprintIndex index = new InMemoryFingerprintIndex(params);
    QueryHashes query = new Recognizer(index).analyze(TestMusic.piece(5, 8, rate), rate);
    Variant tempo = query.variantList.stream()
        .filter(v -> v.freqScale() == 1.0 && v.timeScale() > 1.03 && v.timeScale() < 1.05)
        .findFirst().orElseThrow();
    List<int[]> stretched = new ArrayList<>();
    List<int[]> asItIs = new ArrayList<>();
    for (int j = 0; j < query.identitySize; j++) {
      int frame = query.queryFrames[j];
      stretched.add(new int[] {query.hashes[j], (int) Math.round(frame * tempo.timeScale()) + 500});
      asItIs.add(new int[] {query.hashes[j], frame + 3000});
    }
    int slower = addTrack(index, "stretched", stretched);
    int same = addTrack(index, "as it is", asItIs);
    OffsetVoter.Votes votes = OffsetVoter.vote(index, query, 100, 12, 1, 10, FRAMES_PER_SECOND,
        v -> true);
    Candidate own = votes.candidates().stream().filter(c -> c.trackId() == slower).findFirst()
        .orElseThrow();
    Candidate offered = votes.alternatives().stream()
        .filter(c -> c.trackId() == slower && !c.variant().isIdentity()).findFirst()
        .orElseThrow(() -> new AssertionError("no stretched alignment offered: " + votes));
    assertEquals(tempo, offered.variant());
    assertEquals(500, offered.deltaFrames(), 1);
    assertEquals(true, offered.confidence() > 3 * own.confidence(),
        offered + " against the clip as it is: " + own);
    assertEquals(true, offered.confidence() >= query.identitySize * 9 / 10, offered.toString());
    assertEquals(List.of(), votes.alternatives().stream()
        .filter(c -> c.trackId() == same && !c.variant().isIdentity()).toList());
  }

  /**
   * Voting in steps (rare hashes, then the common ones, then the variants, each step counting
   * only what it adds to the one before where it can) finds exactly what one count of every
   * posting finds, for a clip of indexed music played 2 % fast under noise (found through a
   * variant), a noisy clip at its own speed, and music that is not indexed.
   */
  @Test
  void theStepsFindWhatOneCountOfEveryPostingFinds() {
    FingerprintParams params = FingerprintParams.DEFAULT;
    int rate = params.sampleRateHz();
    double fps = (double) rate / params.hopSamples();
    InMemoryFingerprintIndex index = new InMemoryFingerprintIndex(params);
    Fingerprinter fingerprinter = new Fingerprinter(params);
    List<float[]> pieces = new ArrayList<>();
    for (long seed = 1; seed <= 12; seed++) {
      float[] piece = TestMusic.piece(seed, 40, rate);
      pieces.add(piece);
      Fingerprints fp = fingerprinter.fingerprint(piece, rate);
      // Pieces 1-6 three times over: their hashes hold three postings or more, above the rare cap.
      for (int copy = 0; copy < (seed <= 6 ? 3 : 1); copy++) {
        index.add(new TrackMetadata("piece " + seed + "." + copy, "tests", "",
            "piece-" + seed + "-" + copy + ".wav", 40_000, ""), fp);
      }
    }
    float[] fast = Resampler.resample(TestMusic.clip(pieces.get(2), 8 * rate, 6 * rate),
        Math.round(rate * 1.02f), rate, Resampler.Quality.ANALYSIS);
    float[][] clips = {
      TestMusic.withWhiteNoise(fast, 5, 3),
      TestMusic.withWhiteNoise(TestMusic.clip(pieces.get(8), 12 * rate, 5 * rate), 0, 4),
      TestMusic.piece(99, 6, rate),
    };
    Recognizer recognizer = new Recognizer(index);
    int cap = 16;
    assertEquals(2, OffsetVoter.rareCap(cap));
    int steppedThroughVariants = 0;
    for (float[] clip : clips) {
      QueryHashes query = recognizer.analyze(clip, rate);
      OffsetVoter.Votes once = OffsetVoter.vote(index, query, cap, 12, 1, 10, fps, null);
      int[] asked = {0};
      OffsetVoter.Votes stepped = OffsetVoter.vote(index, query, cap, 12, 1, 10, fps,
          v -> asked[0]++ < 0);
      steppedThroughVariants += asked[0] == 2 ? 1 : 0;
      assertEquals(once.postings(), stepped.postings());
      assertEquals(once.lookedUp(), stepped.lookedUp());
      assertEquals(once.candidates().size(), stepped.candidates().size());
      for (int i = 0; i < once.candidates().size(); i++) {
        Candidate a = once.candidates().get(i);
        Candidate b = stepped.candidates().get(i);
        String where = "candidate " + i + ": " + a + " vs " + b;
        assertEquals(a.trackId(), b.trackId(), where);
        assertEquals(a.variant(), b.variant(), where);
        assertEquals(a.deltaFrames(), b.deltaFrames(), where);
        assertEquals(a.confidence(), b.confidence(), where);
        assertEquals(a.anchorFrames(), b.anchorFrames(), where);
        assertEquals(a.queryFirstFrame(), b.queryFirstFrame(), where);
        assertEquals(a.queryLastFrame(), b.queryLastFrame(), where);
        assertEquals(a.matchedShare(), b.matchedShare(), where);
        assertEquals(Arrays.toString(a.pairs()), Arrays.toString(b.pairs()), where);
      }
    }
    assertEquals(3, steppedThroughVariants, "every clip went on to the variants");
    // The sped-up clip is found at its speed, among the copies of its piece.
    OffsetVoter.Votes fastVotes = OffsetVoter.vote(index, recognizer.analyze(clips[0], rate),
        cap, 12, 1, 10, fps, null);
    Candidate best = fastVotes.candidates().get(0);
    assertEquals("piece 3", index.track(best.trackId()).orElseThrow().metadata().title()
        .replaceAll("\\..*", ""));
    assertEquals(false, best.variant().isIdentity(), best.toString());
  }

  /**
   * Merging the clip's own per-track bests with the variants': the larger count wins, a tie keeps
   * the clip's own (its alignments sort first), and tracks found by one side only are kept.
   */
  @Test
  void mergedBestsKeepTheLargerCountAndTheClipsOwnOnATie() {
    OffsetVoter.Bests own = new OffsetVoter.Bests(new int[] {2, 5, 9}, new int[] {4, 6, 3},
        new int[] {100, 101, 102});
    OffsetVoter.Bests variants = new OffsetVoter.Bests(new int[] {1, 5, 9, 12},
        new int[] {2, 6, 7, 3}, new int[] {1 << 25, 2 << 25, 3 << 25, 4 << 25});
    OffsetVoter.Bests merged = OffsetVoter.Bests.merge(own, variants);
    assertEquals("[1, 2, 5, 9, 12]", Arrays.toString(merged.trackIds()));
    assertEquals("[2, 4, 6, 7, 3]", Arrays.toString(merged.votes()));
    assertEquals(Arrays.toString(new int[] {1 << 25, 100, 101, 3 << 25, 4 << 25}),
        Arrays.toString(merged.keys()));
    OffsetVoter.Bests alone = OffsetVoter.Bests.merge(own, OffsetVoter.Bests.NONE);
    assertEquals(Arrays.toString(own.trackIds()), Arrays.toString(alone.trackIds()));
    assertEquals(Arrays.toString(own.votes()), Arrays.toString(alone.votes()));
    assertEquals(Arrays.toString(own.keys()), Arrays.toString(alone.keys()));
  }
}
