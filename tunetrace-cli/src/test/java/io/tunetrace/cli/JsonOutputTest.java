package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunetrace.core.Match;
import io.tunetrace.core.SameRecording;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class JsonOutputTest {
  @Test
  void escapesQuotesAndBackslashes() {
    assertEquals("\"say \\\"hi\\\" C:\\\\dir\\\\\"", JsonOutput.quote("say \"hi\" C:\\dir\\"));
  }

  @Test
  void escapesControlCharacters() {
    assertEquals("\"a\\nb\\rc\\td\\be\\ff\\u0000g\\u001fh\\u007f\"",
        JsonOutput.quote("a\nb\rc\td\be\ff\u0000g\u001fh\u007f"));
  }

  @Test
  void keepsUnicodeButEscapesLineSeparatorsAndLoneSurrogates() {
    assertEquals("\"Björk – 東京 🎵\"", JsonOutput.quote("Björk – 東京 🎵"));
    assertEquals("\"\\u2028\\u2029\"", JsonOutput.quote("\u2028\u2029"));
    assertEquals("\"x\\ud800y\\udc00\"", JsonOutput.quote("x\ud800y\udc00"));
  }

  @Test
  void nullIsNull() {
    assertEquals("null", JsonOutput.quote(null));
  }

  @Test
  void numbersAreValidJson() {
    assertEquals("3", JsonOutput.write(DoubleNode.valueOf(3.0)));
    assertEquals("0.97", JsonOutput.write(DoubleNode.valueOf(0.97)));
    assertEquals("-12.5", JsonOutput.write(DoubleNode.valueOf(-12.5)));
    assertEquals("1.0E15", JsonOutput.write(DoubleNode.valueOf(1e15)));
    assertEquals("null", JsonOutput.write(DoubleNode.valueOf(Double.NaN)));
    assertEquals("null", JsonOutput.write(DoubleNode.valueOf(Double.POSITIVE_INFINITY)));
    assertEquals("-9007199254740993", JsonOutput.write(LongNode.valueOf(-9007199254740993L)));
    assertEquals(3.142, JsonOutput.round(Math.PI, 3));
  }

  @Test
  void buildsObjectsInOrder() {
    ObjectNode line = JsonOutput.object().put("query", "a\"b.wav").put("n", 3);
    line.putNull("match");
    line.put("elapsed_ms", 3.25).put("ok", true).putArray("list").add(1).add("two").addNull();
    assertEquals("{\"query\": \"a\\\"b.wav\", \"n\": 3, \"match\": null, \"elapsed_ms\": 3.25, "
        + "\"ok\": true, \"list\": [1, \"two\", null]}", JsonOutput.write(line));
  }

  @Test
  void listedTopLevelArraysPutOneElementPerLine() {
    ObjectNode report = JsonOutput.object().put("n", 2);
    report.putArray("rows").add(JsonOutput.object().put("a", 1)).addObject().putArray("inner").add(1).add(2);
    report.putArray("empty");
    report.putArray("other").add(1).add(2);
    assertEquals("{\"n\": 2, \"rows\": [\n  {\"a\": 1},\n  {\"inner\": [1, 2]}\n], \"empty\": [\n], "
        + "\"other\": [1, 2]}", JsonOutput.write(report, Set.of("rows", "empty")));
  }

  @Test
  void loneSurrogatesAreEscapedWhereverTheyFallInTheOutput() {
    ObjectNode o = JsonOutput.object().put("k\udc01", "\ud83c\udfb5\ud800").put("x", "\ud800\ud800\udc00");
    assertEquals("{\"k\\udc01\": \"\ud83c\udfb5\\ud800\", \"x\": \"\\ud800\ud800\udc00\"}",
        JsonOutput.write(o));
  }

  @Test
  void errorLineHasQueryErrorAndTime() {
    assertEquals("{\"query\": \"x.mp3\", \"error\": \"not audio: x.mp3\", \"elapsed_ms\": 1.5}",
        MatchCommand.errorJson("x.mp3", "not audio: x.mp3", 1.5));
    assertEquals("{\"query\": \"x.mp3\", \"match\": null, \"elapsed_ms\": 0.123, \"matches\": []}",
        MatchCommand.resultJson("x.mp3", List.of(), 0.12345));
  }

  private static Track track(int id, String title, String path) {
    return new Track(id, new TrackMetadata(title, "Band", "", path, 180_000, ""), 1000, 0);
  }

  private static final Track BLUE = track(3, "Blue", "/m/blue.mp3");
  private static final Track BLUE_COPY = track(7, "Blue (remaster)", "/m/blue.flac");
  private static final Track BLUE_LIVE = track(9, "Blue \"live\"", "/m/mix.mp3");
  private static final Track RED = track(4, "Red", "/m/red.mp3");

  private static Match match(Track track, double score, List<SameRecording> copies) {
    return new Match(track, 40, score, 12_340, 40, 4960, 12_380, 17_300, 1, 1, copies);
  }

  @Test
  void aMatchListsTheOtherCopiesOfItsRecording() {
    Match m = match(BLUE, 0.97, List.of(new SameRecording(BLUE_COPY, 12_345, 0.9),
        new SameRecording(BLUE_LIVE, 95_000, 0.61234)));
    assertEquals("{\"track_id\": 3, \"title\": \"Blue\", \"artist\": \"Band\", \"path\": \"/m/blue.mp3\", "
        + "\"confidence\": 40, \"score\": 0.97, \"delta_ms\": 12340, \"query_start_ms\": 40, "
        + "\"query_stop_ms\": 4960, \"ref_start_ms\": 12380, \"ref_stop_ms\": 17300, "
        + "\"matched_share\": 1, \"speed\": 1, \"same_recording\": ["
        + "{\"track_id\": 7, \"title\": \"Blue (remaster)\", \"artist\": \"Band\", "
        + "\"path\": \"/m/blue.flac\", \"delta_ms\": 12345, \"score\": 0.9}, "
        + "{\"track_id\": 9, \"title\": \"Blue \\\"live\\\"\", \"artist\": \"Band\", "
        + "\"path\": \"/m/mix.mp3\", \"delta_ms\": 95000, \"score\": 0.6123}]}",
        MatchCommand.matchJson(m));
  }

  @Test
  void aMatchWithoutCopiesHasAnEmptySameRecordingArray() {
    assertTrue(MatchCommand.matchJson(match(RED, 0.5, List.of()))
        .endsWith(", \"speed\": 1, \"same_recording\": []}"));
  }

  @Test
  void resultLineKeepsTheBestAsMatchAndListsEveryShownMatch() {
    Match best = match(BLUE, 0.97, List.of(new SameRecording(BLUE_COPY, 12_345, 0.9)));
    Match second = match(RED, 0.4, List.of());
    String line = MatchCommand.resultJson("clip.wav", List.of(best, second), 2.5);
    assertEquals("{\"query\": \"clip.wav\", \"match\": " + MatchCommand.matchJson(best)
        + ", \"elapsed_ms\": 2.5, \"matches\": [" + MatchCommand.matchJson(best) + ", "
        + MatchCommand.matchJson(second) + "]}", line);
  }

  @Test
  void shownMatchesAreTheFirstTopThatReachTheMinimumScore() {
    Match a = match(BLUE, 0.9, List.of());
    Match b = match(RED, 0.3, List.of());
    Match c = match(BLUE_LIVE, 0.6, List.of());
    List<Match> ranked = List.of(a, b, c);
    assertEquals(List.of(a), MatchCommand.shown(ranked, 1, 0));
    assertEquals(List.of(a, b), MatchCommand.shown(ranked, 2, 0));
    assertEquals(List.of(a, c), MatchCommand.shown(ranked, 2, 0.5));
    assertEquals(List.of(a, b, c), MatchCommand.shown(ranked, 5, 0.3));
    assertEquals(List.of(), MatchCommand.shown(ranked, 3, 0.95));
  }

  @Test
  void tableHasOneRowPerMatchAndMentionsCopies() {
    Match best = match(BLUE, 0.97, List.of(new SameRecording(BLUE_COPY, 12_345, 0.9),
        new SameRecording(BLUE_LIVE, 95_000, 0.6)));
    Match second = match(RED, 0.4, List.of(new SameRecording(BLUE_COPY, 1, 0.3)));
    List<String> rows = MatchCommand.tableRows(8, "clip.wav", List.of(best, second), true, 3.24);
    assertEquals(List.of(
        "clip.wav  1. #3 Band - Blue (+2 copies)               0:12.340   0.97     40      3.2",
        "clip.wav  2. #4 Band - Red (+1 copy)                  0:12.340   0.40     40      3.2"),
        rows);
    assertEquals(List.of(
        "clip.wav  #3 Band - Blue (+2 copies)                  0:12.340   0.97     40      3.2"),
        MatchCommand.tableRows(8, "clip.wav", List.of(best), false, 3.24));
    assertEquals(List.of("clip.wav  no match                                                                3.2"),
        MatchCommand.tableRows(8, "clip.wav", List.of(), true, 3.24));
  }

  @Test
  void copiesAreCountedInWords() {
    assertEquals("", MatchCommand.copies(0));
    assertEquals(" (+1 copy)", MatchCommand.copies(1));
    assertEquals(" (+12 copies)", MatchCommand.copies(12));
  }
}
