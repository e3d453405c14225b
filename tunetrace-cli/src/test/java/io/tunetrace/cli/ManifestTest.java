package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestTest {
  @Test
  void parsesRowsAndHeldOutQueries() {
    List<Manifest.Row> rows = Manifest.parse("query,expected,offset_s,length_s,condition\r\n"
        + "track000_3s_clean.wav,track000.mp3,136.751,3.0,clean\r\n"
        + "unknown000_5s_phone.mp3,,12.5,5.0,phone\r\n", "manifest.csv");
    assertEquals(2, rows.size());
    assertEquals(new Manifest.Row("track000_3s_clean.wav", "track000.mp3", 136.751, 3.0, "clean"),
        rows.get(0));
    assertFalse(rows.get(0).heldOut());
    assertTrue(rows.get(1).heldOut());
    assertEquals("phone", rows.get(1).condition());
  }

  @Test
  void readsTheParamColumn() {
    List<Manifest.Row> rows = Manifest.parse("query,expected,offset_s,length_s,condition,param\n"
        + "track002_5s_speed.wav,track002.ogg,40.125,5.0,speed,1.0312\n"
        + "track002_5s_clean.wav,track002.ogg,40.125,5.0,clean,\n"
        + "unknown001_3s_mix.wav,,7.5,3.0,mix,\"other, piece.ogg\"\n", "manifest.csv");
    assertEquals(List.of(
        new Manifest.Row("track002_5s_speed.wav", "track002.ogg", 40.125, 5, "speed", "1.0312"),
        new Manifest.Row("track002_5s_clean.wav", "track002.ogg", 40.125, 5, "clean", ""),
        new Manifest.Row("unknown001_3s_mix.wav", "", 7.5, 3, "mix", "other, piece.ogg")), rows);
    assertEquals("manifest.csv line 2: expected 6 fields, got 5", assertThrows(
        CliException.class, () -> Manifest.parse(
            "query,expected,offset_s,length_s,condition,param\na.wav,b.wav,1,3,clean\n",
            "manifest.csv")).getMessage());
  }

  @Test
  void readsQuotedFieldsAndSkipsBlankLines() {
    List<Manifest.Row> rows = Manifest.parse("query,expected,offset_s,length_s,condition\n"
        + "\"a, \"\"b\"\".wav\",\"x.ogg\",1,3,clean\n\n", "m.csv");
    assertEquals(List.of(new Manifest.Row("a, \"b\".wav", "x.ogg", 1, 3, "clean")), rows);
  }

  @Test
  void rejectsAWrongHeader() {
    CliException e = assertThrows(CliException.class,
        () -> Manifest.parse("q,e,o,l,c\n", "manifest.csv"));
    assertEquals("manifest.csv: header must be query,expected,offset_s,length_s,condition"
        + " or query,expected,offset_s,length_s,condition,param", e.getMessage());
  }

  @Test
  void rejectsShortRowsAndBadNumbers() {
    String header = "query,expected,offset_s,length_s,condition\n";
    assertEquals("manifest.csv line 2: expected 5 fields, got 4", assertThrows(CliException.class,
        () -> Manifest.parse(header + "a.wav,b.wav,1,3\n", "manifest.csv")).getMessage());
    assertEquals("manifest.csv line 3: offset_s is not a number >= 0: x",
        assertThrows(CliException.class, () -> Manifest.parse(
            header + "a.wav,b.wav,1,3,clean\nc.wav,,x,3,clean\n", "manifest.csv")).getMessage());
  }

  @Test
  void deltaToleranceScalesForSpeedTwo() {
    Manifest.Row clean = new Manifest.Row("q.wav", "r.wav", 10, 5, "clean");
    Manifest.Row fast = new Manifest.Row("q.wav", "r.wav", 10, 5, "speed2");
    assertTrue(result(clean, 10_099L).deltaWithinTolerance());
    assertFalse(result(clean, 10_101L).deltaWithinTolerance());
    assertFalse(result(clean, null).deltaWithinTolerance());
    // 2% of 5 s = 100 ms of drift, plus 100 ms tolerance.
    assertTrue(result(fast, 10_200L).deltaWithinTolerance());
    assertFalse(result(fast, 10_201L).deltaWithinTolerance());
    assertFalse(result(fast, 9_899L).deltaWithinTolerance());
  }

  @Test
  void deltaToleranceFollowsTheDrawnSpeedOrTempo() {
    // 3% slow over 10 s: delta drifts down by up to 300 ms.
    Manifest.Row slow = new Manifest.Row("q.wav", "r.wav", 10, 10, "speed", "0.9700");
    assertTrue(result(slow, 9_600L).deltaWithinTolerance());
    assertFalse(result(slow, 9_599L).deltaWithinTolerance());
    assertTrue(result(slow, 10_100L).deltaWithinTolerance());
    assertFalse(result(slow, 10_101L).deltaWithinTolerance());
    Manifest.Row faster = new Manifest.Row("q.wav", "r.wav", 10, 5, "tempo", "1.0400");
    assertTrue(result(faster, 10_300L).deltaWithinTolerance());
    assertFalse(result(faster, 10_301L).deltaWithinTolerance());
    // Pitch keeps time; an unreadable param means no drift.
    Manifest.Row pitch = new Manifest.Row("q.wav", "r.wav", 10, 5, "pitch", "-120");
    assertFalse(result(pitch, 10_101L).deltaWithinTolerance());
    Manifest.Row odd = new Manifest.Row("q.wav", "r.wav", 10, 5, "speed", "fast");
    assertFalse(result(odd, 10_101L).deltaWithinTolerance());
  }

  @Test
  void percentilesAreNearestRank() {
    double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertEquals(5, Evaluation.percentile(sorted, 50));
    assertEquals(10, Evaluation.percentile(sorted, 95));
    assertTrue(Double.isNaN(Evaluation.percentile(new double[0], 50)));
  }

  private static Evaluation.QueryResult result(Manifest.Row row, Long delta) {
    return new Evaluation.QueryResult(row, "r.wav", delta, 0.9, 10, 1.0, null);
  }
}
