package io.tunetrace.core.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.InMemoryFingerprintIndex;
import io.tunetrace.core.index.TrackMetadata;
import org.junit.jupiter.api.Test;

class MatchPolicyTest {

  @Test
  void theCapOnCommonHashesGrowsWithTheLibraryOnlyPastItsFixedValue() {
    MatchPolicy p = MatchPolicy.DEFAULT;
    assertEquals(2000, p.maxPostingsPerHash());
    assertEquals(2000, p.maxPostingsPerHash(0));
    assertEquals(2000, p.maxPostingsPerHash(220_000_000L)); // about 1,000 h
    assertEquals(2000, p.maxPostingsPerHash(720_000_000L)); // where one share reaches 2,000
    assertEquals(2000 + 1, p.maxPostingsPerHash(720_000_000L + 360_000));
    assertEquals(6120, p.maxPostingsPerHash(2_203_221_236L)); // the 10,000 h benchmark index
    assertEquals(Integer.MAX_VALUE, p.maxPostingsPerHash(Long.MAX_VALUE));
    // A fixed cap when the share is 0; other settings keep the share.
    MatchPolicy fixed = p.withMaxPostingsPerHash(500).withCommonHashShare(0);
    assertEquals(500, fixed.maxPostingsPerHash(2_203_221_236L));
    assertEquals(0.0, fixed.withMinScore(0.5).commonHashShare());
    assertEquals(MatchPolicy.DEFAULT_COMMON_HASH_SHARE,
        p.withMaxPostingsPerHash(500).withMaxResults(3).commonHashShare());
    assertEquals(6120, p.withMaxPostingsPerHash(500).maxPostingsPerHash(2_203_221_236L));
    assertThrows(IllegalArgumentException.class, () -> p.withCommonHashShare(-0.1));
    assertThrows(IllegalArgumentException.class, () -> p.withCommonHashShare(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> p.withCommonHashShare(1.5));
  }

  /**
   * The recognizer reads the cap for the library it searches: a hash held by more postings than
   * a fixed cap of 2 is skipped, but counted when the share lets the cap grow with the library.
   */
  @Test
  void theRecognizerAppliesTheCapOfItsLibrary() {
    FingerprintParams params = FingerprintParams.DEFAULT;
    try (InMemoryFingerprintIndex index = new InMemoryFingerprintIndex(params)) {
      // Ten tracks holding the same hashes at the same frames: each hash has ten postings.
      int n = 400;
      int[] hashes = new int[n];
      int[] frames = new int[n];
      for (int i = 0; i < n; i++) {
        hashes[i] = io.tunetrace.core.hash.HashLayout.encode(20 + (i * 7) % 200, 1 + i % 40,
            1 + i % 30);
        frames[i] = i * 3;
      }
      Fingerprints fp = Fingerprints.of(hashes, frames, n, 3 * n + 40);
      for (int t = 0; t < 10; t++) {
        index.add(new TrackMetadata("t" + t, "", "", "/t" + t, 10_000, ""), fp);
      }
      QueryHashes query = QueryHashes.of(fp);
      MatchPolicy fixed = MatchPolicy.DEFAULT.withMaxPostingsPerHash(2).withCommonHashShare(0);
      assertEquals(0, new Recognizer(index, fixed).vote(query).postings());
      // 4,000 postings in all: a share of one in 400 lifts the cap to 10.
      MatchPolicy shared = MatchPolicy.DEFAULT.withMaxPostingsPerHash(2)
          .withCommonHashShare(1.0 / 400);
      assertEquals(10, shared.maxPostingsPerHash(index.postingCount()));
      assertEquals(4000, new Recognizer(index, shared).vote(query).postings());
    }
  }
}
