package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CorpusSplitTest {
  private static final String[] EXTENSIONS = {"mp3", "wav", "ogg"};

  /** A make-corpus manifest: 25 refs and 10 never-indexed sources, 3 lengths × 2 conditions. */
  private static List<Manifest.Row> corpus() {
    List<Manifest.Row> rows = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      String stem = String.format("track%03d", i);
      for (int len : new int[] {3, 5, 10}) {
        for (String c : new String[] {"clean", "pink0"}) {
          rows.add(new Manifest.Row(stem + "_" + len + "s_" + c + ".wav",
              stem + "." + EXTENSIONS[i % 3], 12.5, len, c));
        }
      }
    }
    for (int j = 0; j < 10; j++) {
      String stem = String.format("unknown%03d", j);
      for (int len : new int[] {3, 5, 10}) {
        rows.add(new Manifest.Row(stem + "_" + len + "s_phone.mp3", "", 4, len, "phone"));
      }
    }
    return rows;
  }

  @Test
  void sourceStemIsTheNameBeforeTheLengthMark() {
    assertEquals("track003", CorpusSplit.sourceStem("track003_5s_pink0.wav"));
    assertEquals("unknown004", CorpusSplit.sourceStem("unknown004_10s_clean.wav"));
    assertEquals("my_song_3s_take", CorpusSplit.sourceStem("my_song_3s_take_5s_lowbit.opus"));
    assertEquals("clip", CorpusSplit.sourceStem("clip.wav"));
    assertEquals("unknown001", CorpusSplit.sourceStem("sub/unknown001_2.5s_clean.wav"));
  }

  @Test
  void halvesAreDisjointBalancedAndCoverEveryQuery() {
    List<Manifest.Row> rows = corpus();
    CorpusSplit split = CorpusSplit.of(rows);
    Set<String> tuneRefs = split.refs(CorpusSplit.Part.TUNE);
    Set<String> testRefs = split.refs(CorpusSplit.Part.TEST);
    assertEquals(13, tuneRefs.size());
    assertEquals(12, testRefs.size());
    assertTrue(Collections.disjoint(tuneRefs, testRefs));
    Set<String> union = new TreeSet<>(tuneRefs);
    union.addAll(testRefs);
    assertEquals(split.refs(CorpusSplit.Part.ALL), union);
    assertEquals(5, split.sources(CorpusSplit.Part.TUNE).size());
    assertEquals(5, split.sources(CorpusSplit.Part.TEST).size());
    assertTrue(Collections.disjoint(
        split.sources(CorpusSplit.Part.TUNE), split.sources(CorpusSplit.Part.TEST)));

    for (Manifest.Row r : rows) {
      boolean tune = split.includes(r, CorpusSplit.Part.TUNE);
      boolean test = split.includes(r, CorpusSplit.Part.TEST);
      assertTrue(tune != test, r.query());
      assertTrue(split.includes(r, CorpusSplit.Part.ALL), r.query());
      Set<String> half = r.heldOut()
          ? split.sources(tune ? CorpusSplit.Part.TUNE : CorpusSplit.Part.TEST)
          : split.refs(tune ? CorpusSplit.Part.TUNE : CorpusSplit.Part.TEST);
      // Every clip of a piece lies in that piece's half.
      assertTrue(half.contains(CorpusSplit.key(r)), r.query());
    }
  }

  @Test
  void splitIsStableAndIndependentOfRowOrder() {
    List<Manifest.Row> rows = corpus();
    CorpusSplit split = CorpusSplit.of(rows);
    // Pinned: names sorted by SHA-256 of their UTF-8 bytes, the first ceil(n/2) are the tune half.
    assertEquals(new TreeSet<>(List.of("track000.mp3", "track003.mp3", "track005.ogg",
            "track007.wav", "track009.mp3", "track011.ogg", "track013.wav", "track015.mp3",
            "track016.wav", "track019.wav", "track022.wav", "track023.ogg", "track024.mp3")),
        split.refs(CorpusSplit.Part.TUNE));
    assertEquals(new TreeSet<>(List.of("unknown000", "unknown002", "unknown006", "unknown007",
        "unknown008")), split.sources(CorpusSplit.Part.TUNE));

    List<Manifest.Row> shuffled = new ArrayList<>(rows);
    Collections.shuffle(shuffled, new Random(7));
    CorpusSplit again = CorpusSplit.of(shuffled);
    Set<String> tuneQueries = new HashSet<>();
    Set<String> tuneQueriesAgain = new HashSet<>();
    for (Manifest.Row r : rows) {
      if (split.includes(r, CorpusSplit.Part.TUNE)) {
        tuneQueries.add(r.query());
      }
      if (again.includes(r, CorpusSplit.Part.TUNE)) {
        tuneQueriesAgain.add(r.query());
      }
    }
    assertEquals(tuneQueries, tuneQueriesAgain);
    assertEquals(13 * 6 + 5 * 3, tuneQueries.size());
  }

  @Test
  void parsesPartNames() {
    assertEquals(CorpusSplit.Part.TUNE, CorpusSplit.Part.parse("tune"));
    assertEquals(CorpusSplit.Part.TEST, CorpusSplit.Part.parse("TEST"));
    assertEquals(CorpusSplit.Part.ALL, CorpusSplit.Part.parse("all"));
    assertEquals("split must be tune, test or all: half",
        assertThrows(IllegalArgumentException.class, () -> CorpusSplit.Part.parse("half"))
            .getMessage());
  }
}
