package io.tunetrace.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.testing.TestMusic;
import io.tunetrace.server.TuneTraceServer;
import io.tunetrace.server.support.Firefox;
import io.tunetrace.server.support.Samples;
import io.tunetrace.server.support.ServerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Listen page in a real Firefox (Debian's firefox-esr over Marionette) against an
 * embedded-mode server, as {@link ListenPageIT} runs it in Chromium. Firefox's fake microphone
 * plays a tone, not a file: music is recognized from the page's file picker (decoded by Firefox,
 * streamed over the same WebSocket), and the microphone is checked to stream. Every test fails on
 * a JavaScript error of the page.
 */
@Timeout(240)
class FirefoxListenPageIT {
  private static Path dir;
  private static TuneTraceServer server;
  private static String base;

  @BeforeAll
  static void startServerWithTwoSamples() throws Exception {
    dir = Files.createTempDirectory("tt-listen-firefox");
    server = ServerFixture.embeddedWithTwoSamples(dir);
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    ServerFixture.deleteTree(dir);
  }

  @Test
  void namesAnIndexedSampleFromAFileDecodedInFirefox() throws Exception {
    Path clip = Samples.noisyClip("blue-lantern.mp3", 6, 8, 10, 7, dir);
    try (Firefox firefox = Firefox.start(false)) {
      firefox.navigate(base + "/");
      assertEquals("Listen", firefox.text("#listen"));
      // Signed in by the server's offer: no token form to fill.
      assertFalse(firefox.isDisplayed("#signin"));
      firefox.sendKeys("#clip-file", clip.toString());
      // As long as ListenPageIT allows Chromium for a file.
      firefox.waitUntil(Duration.ofSeconds(20), "Blue Lantern in #result",
          () -> firefox.text("#result").contains("Blue Lantern"));
      assertEquals("TuneTrace samples", firefox.text("#artist"));
      String score = firefox.text("#score");
      assertTrue(score.matches("(0\\.\\d\\d|1\\.00) \\(.+\\)"), score);
      firefox.waitUntil(Duration.ofSeconds(10), "the track's duration in #position",
          () -> firefox.text("#position").endsWith(" / 0:26"));
      String position = firefox.text("#position");
      assertTrue(position.matches("clip starts at 0:0[5-7] / 0:26"), position);
      // The stream ends with the server's final answer; the file picker is free again.
      firefox.waitUntil(Duration.ofSeconds(30), "Done. in #state",
          () -> firefox.text("#state").equals("Done."));
      assertTrue(firefox.text("#result").contains("Blue Lantern"));
      assertEquals(null, firefox.attribute("#clip-file", "disabled"));
      firefox.screenshot("firefox-listen-file");

      // Why? The picture of the match, drawn by Firefox from the server's explanation.
      assertEquals("Why?", firefox.text("#explain"));
      firefox.click("#explain");
      firefox.waitUntil(Duration.ofSeconds(60), "the explanation's histogram", () ->
          !firefox.elements("#explanation-picture #explain-histogram .bar.winning").isEmpty());
      for (String part : new String[] {"explain-numbers", "explain-query", "explain-reference",
          "explain-pairs", "explain-histogram", "explain-legend"}) {
        assertEquals(1, firefox.elements("#explanation-picture #" + part).size(), part);
      }
      assertEquals("2:true", firefox.script(
          "const images = [...document.querySelectorAll('#explanation-picture image.spectrogram')];"
              + "return Promise.all(images.map(i => { const img = new Image(); img.src = i.getAttribute('href');"
              + "  return img.decode().then(() => img.naturalWidth > 0 && img.naturalHeight > 0, () => false); }))"
              + ".then(ok => ok.length + ':' + ok.every(Boolean));").asText());
      assertTrue(firefox.text("#explain-numbers").contains("Match: Blue Lantern by TuneTrace samples"),
          firefox.text("#explain-numbers"));
      assertTrue(firefox.elements("#explain-pairs .voted-pair").size() > 10);
      firefox.screenshot("firefox-explain");
      assertEquals(List.of(), firefox.pageErrors());
    }
  }

  @Test
  void saysNotInTheLibraryForAFileOfUnknownMusic() throws Exception {
    // Music from another generator than the samples' (which share one synthesizer).
    Path clip = dir.resolve("unknown-firefox.wav");
    Files.write(clip, Samples.wav(Samples.withNoise(TestMusic.piece(4242, 12, 44100), 10, 2), 44100));
    try (Firefox firefox = Firefox.start(false)) {
      firefox.navigate(base + "/");
      firefox.sendKeys("#clip-file", clip.toString());
      // The whole file is streamed, then the server answers the stop once it has caught up with
      // the stream (every window of unknown music is searched at every speed variant).
      firefox.waitUntil(Duration.ofSeconds(60), "not in the library in #result",
          () -> firefox.text("#result").equals("not in the library"));
      assertEquals("Not listening.", firefox.text("#state"));
      assertFalse(firefox.isDisplayed("#details"));
      assertFalse(firefox.isDisplayed("#error"));
      assertEquals(List.of(), firefox.pageErrors());
    }
  }

  @Test
  void streamsFirefoxsFakeMicrophoneUntilStopped() throws Exception {
    try (Firefox firefox = Firefox.start(true)) {
      firefox.navigate(base + "/");
      assertEquals("Not listening.", firefox.text("#state"));
      firefox.click("#listen");
      firefox.waitUntil(Duration.ofSeconds(20), "Listening… in #state",
          () -> firefox.text("#state").equals("Listening…"));
      assertEquals("true", firefox.attribute("#listen", "aria-pressed"));
      assertEquals("Stop", firefox.text("#listen"));
      // The tone reaches the level meter, and three seconds of it went over the WebSocket (the
      // page says "no match yet" once it sent that much).
      firefox.waitUntil(Duration.ofSeconds(20), "the level meter above 0",
          () -> firefox.script("return document.getElementById('level').value").asDouble() > 0);
      firefox.waitUntil(Duration.ofSeconds(20), "no match yet in #result",
          () -> firefox.text("#result").equals("no match yet"));
      assertFalse(firefox.isDisplayed("#error"), firefox.text("#error"));
      firefox.screenshot("firefox-listen-microphone");
      firefox.click("#listen");
      firefox.waitUntil(Duration.ofSeconds(60), "the stream stopped",
          () -> "false".equals(firefox.attribute("#listen", "aria-pressed")));
      // A tone is not music in the library: the server's final answer says so.
      assertEquals("not in the library", firefox.text("#result"));
      assertEquals("Listen", firefox.text("#listen"));
      assertFalse(firefox.isDisplayed("#error"), firefox.text("#error"));
      assertEquals(List.of(), firefox.pageErrors());
    }
  }

  @Test
  void saysSoWhenFirefoxCannotStartItsAudio() throws Exception {
    // Without an audio device Firefox never starts an AudioContext: the page used to wait for it
    // forever at "Asking for the microphone…".
    try (Firefox firefox = Firefox.start(true, false)) {
      firefox.navigate(base + "/");
      firefox.click("#listen");
      firefox.waitUntil(Duration.ofSeconds(40), "the stream given up",
          () -> "false".equals(firefox.attribute("#listen", "aria-pressed")));
      assertTrue(firefox.isDisplayed("#error"));
      assertEquals("The browser's audio did not start (is there an audio output device?). "
          + "Check the sound settings, then press Listen again.", firefox.text("#error"));
      assertEquals("Not listening.", firefox.text("#state"));
      assertEquals("Listen", firefox.text("#listen"));
      assertEquals(null, firefox.attribute("#clip-file", "disabled"));
      assertEquals(List.of(), firefox.pageErrors());
    }
  }
}
