package io.tunetrace.core.match;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.Fingerprinter;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.index.InMemoryFingerprintIndex;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.core.internal.SincResampler;
import io.tunetrace.core.testing.TestMusic;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The variants' hashes are made only when the search needs them: the votes are those of a query
 * whose every hash was made at once, for clips answered by their own hashes and for the rest.
 */
class QueryHashesVariantsTest {
  private static final int RATE = 8000;
  private static final double FPS = (double) RATE / FingerprintParams.DEFAULT.hopSamples();

  private static InMemoryFingerprintIndex index;
  private static Recognizer recognizer;
  private static final List<float[]> tracks = new ArrayList<>();

  @BeforeAll
  static void indexSixPieces() {
    index = new InMemoryFingerprintIndex(FingerprintParams.DEFAULT);
    Fingerprinter fingerprinter = new Fingerprinter(FingerprintParams.DEFAULT);
    for (int i = 0; i < 6; i++) {
      float[] pcm = TestMusic.piece(300 + i, 30, RATE);
      tracks.add(pcm);
      index.add(new TrackMetadata("piece " + i, "tests", "", "piece" + i + ".wav",
          pcm.length * 1000L / RATE, ""), fingerprinter.fingerprint(pcm, RATE));
    }
    recognizer = new Recognizer(index);
  }

  @AfterAll
  static void close() {
    index.close();
  }

  /** Clips of every kind: as indexed, noisy, played fast, and music that is not indexed. */
  private static List<float[]> clips() {
    List<float[]> clips = new ArrayList<>();
    clips.add(TestMusic.clip(tracks.get(1), 6 * RATE + 321, 5 * RATE));
    clips.add(TestMusic.withWhiteNoise(TestMusic.clip(tracks.get(2), 9 * RATE, 5 * RATE), 0, 7));
    clips.add(SincResampler.resample(TestMusic.clip(tracks.get(3), 4 * RATE, 8 * RATE), 1.03));
    clips.add(TestMusic.clip(TestMusic.piece(999, 12, RATE), 2 * RATE, 5 * RATE));
    clips.add(TestMusic.withWhiteNoise(TestMusic.clip(TestMusic.piece(998, 12, RATE), RATE,
        3 * RATE), 5, 3));
    return clips;
  }

  @Test
  void theVariantsAreMadeWhenFirstAskedForAndAreThoseOfOneGo() {
    for (float[] clip : clips()) {
      QueryHashes lazy = recognizer.analyze(clip, RATE);
      assertFalse(lazy.variantsMade(), "analysing a clip makes only its own hashes");
      assertTrue(lazy.hasVariants());
      QueryHashes all = lazy.withVariants();
      assertSame(all, lazy.withVariants(), "made once");
      assertSame(all, all.withVariants());
      assertEquals(lazy.identitySize(), all.identitySize());
      assertTrue(all.size() > 4 * all.identitySize(), "the variants' entries: " + all.size());
      // the clip's own entries keep their places
      for (int j = 0; j < lazy.identitySize(); j++) {
        assertEquals(lazy.hashes[j], all.hashes[j]);
        assertEquals(lazy.refFrames[j], all.refFrames[j]);
        assertEquals(lazy.pairs[j], all.pairs[j]);
        assertEquals(0, all.variants[j]);
      }
      // every public view answers for the whole list
      assertEquals(all.size(), lazy.size());
      assertArrayEquals(all.hashes(), lazy.hashes());
      int last = all.size() - 1;
      assertEquals(all.hash(last), lazy.hash(last));
      assertEquals(all.refFrame(last), lazy.refFrame(last));
      assertEquals(all.variant(last), lazy.variant(last));
      assertEquals(lazy.identitySize(), lazy.identityOnly().size());
      assertEquals(List.of(Variant.IDENTITY), lazy.identityOnly().variants());
    }
  }

  @Test
  void votesAreTheSameAsWithEveryHashMadeAtOnce() {
    List<Predicate<OffsetVoter.Votes>> steps = List.of(
        v -> false, // the variants are always searched
        v -> !v.candidates().isEmpty() && v.candidates().get(0).anchorFrames() >= 20,
        v -> true);
    int sufficed = 0;
    int searchedVariants = 0;
    for (float[] clip : clips()) {
      QueryHashes eager = recognizer.analyze(clip, RATE).withVariants();
      assertEquals(render(vote(eager, null)), render(vote(recognizer.analyze(clip, RATE), null)));
      for (Predicate<OffsetVoter.Votes> ownSuffices : steps) {
        QueryHashes lazy = recognizer.analyze(clip, RATE);
        boolean[] asked = new boolean[1];
        String expected = render(vote(eager, ownSuffices));
        String actual = render(vote(lazy, v -> {
          asked[0] = true;
          return ownSuffices.test(v);
        }));
        assertEquals(expected, actual);
        boolean answeredByOwn = asked[0] && !lazy.variantsMade();
        if (answeredByOwn) {
          sufficed++;
        } else {
          searchedVariants++;
        }
      }
    }
    assertTrue(sufficed >= 5, "clips answered by their own hashes: " + sufficed);
    assertTrue(searchedVariants >= 5, "clips whose variants were searched: " + searchedVariants);
  }

  @Test
  void theRecognizerNamesClipsThatNeedTheVariants() {
    float[] faster = SincResampler.resample(TestMusic.clip(tracks.get(4), 10 * RATE, 8 * RATE), 1.03);
    Recognizer.Search search = recognizer.search(recognizer.analyze(faster, RATE));
    assertFalse(search.ownSufficed());
    assertEquals(1.03, search.votes().candidates().get(0).variant().timeScale(), 1e-9);
    assertTrue(search.searched().size() > search.searched().identitySize());

    float[] clean = TestMusic.clip(tracks.get(5), 3 * RATE, 5 * RATE);
    QueryHashes query = recognizer.analyze(clean, RATE);
    Recognizer.Search own = recognizer.search(query);
    assertTrue(own.ownSufficed());
    assertFalse(query.variantsMade(), "a clip named by its own hashes never makes the variants'");
  }

  private static OffsetVoter.Votes vote(QueryHashes query, Predicate<OffsetVoter.Votes> ownSuffices) {
    MatchPolicy p = MatchPolicy.DEFAULT;
    return OffsetVoter.vote(index, query, p.maxPostingsPerHash(index.postingCount()),
        p.variantMaxPostingsPerHash(), p.toleranceFrames(), 10, FPS, ownSuffices);
  }

  private static String render(OffsetVoter.Votes votes) {
    StringBuilder sb = new StringBuilder()
        .append(votes.lookedUp()).append(' ').append(votes.postings()).append('\n');
    for (Candidate c : votes.candidates()) {
      sb.append(c.trackId()).append(' ').append(c.variant()).append(' ').append(c.deltaFrames())
          .append(' ').append(c.confidence()).append(' ').append(c.anchorFrames()).append(' ')
          .append(c.distinctHashes()).append(' ').append(c.queryFirstFrame()).append(' ')
          .append(c.queryLastFrame()).append(' ').append(c.matchedShare()).append(' ')
          .append(Arrays.toString(c.pairs())).append('\n');
    }
    return sb.toString();
  }
}
