package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void escapesQuotesAndBackslashes() {
    assertEquals("\"say \\\"hi\\\" C:\\\\dir\\\\\"", Json.quote("say \"hi\" C:\\dir\\"));
  }

  @Test
  void escapesControlCharacters() {
    assertEquals("\"a\\nb\\rc\\td\\be\\ff\\u0000g\\u001fh\\u007f\"",
        Json.quote("a\nb\rc\td\be\ff\u0000g\u001fh\u007f"));
  }

  @Test
  void keepsUnicodeButEscapesLineSeparatorsAndLoneSurrogates() {
    assertEquals("\"Björk – 東京 🎵\"", Json.quote("Björk – 東京 🎵"));
    assertEquals("\"\\u2028\\u2029\"", Json.quote("\u2028\u2029"));
    assertEquals("\"x\\ud800y\\udc00\"", Json.quote("x\ud800y\udc00"));
  }

  @Test
  void nullIsNull() {
    assertEquals("null", Json.quote(null));
  }

  @Test
  void numbersAreValidJson() {
    assertEquals("3", Json.number(3.0));
    assertEquals("0.97", Json.number(0.97));
    assertEquals("-12.5", Json.number(-12.5));
    assertEquals("null", Json.number(Double.NaN));
    assertEquals("null", Json.number(Double.POSITIVE_INFINITY));
    assertEquals(3.142, Json.round(Math.PI, 3));
  }

  @Test
  void buildsObjectsInOrder() {
    String line = new Json().put("query", "a\"b.wav").putRaw("match", "null").put("n", 3)
        .put("elapsed_ms", 3.25).toString();
    assertEquals("{\"query\": \"a\\\"b.wav\", \"match\": null, \"n\": 3, \"elapsed_ms\": 3.25}", line);
  }

  @Test
  void errorLineHasQueryErrorAndTime() {
    assertEquals("{\"query\": \"x.mp3\", \"error\": \"not audio: x.mp3\", \"elapsed_ms\": 1.5}",
        MatchCommand.errorJson("x.mp3", "not audio: x.mp3", 1.5));
    assertEquals("{\"query\": \"x.mp3\", \"match\": null, \"elapsed_ms\": 0.123}",
        MatchCommand.resultJson("x.mp3", null, 0.12345));
  }
}
