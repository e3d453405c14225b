package io.tunetrace.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunetrace.core.testing.TestMusic;
import io.tunetrace.server.TuneTraceServer;
import io.tunetrace.server.support.ApiClient;
import io.tunetrace.server.support.Browser;
import io.tunetrace.server.support.Samples;
import io.tunetrace.server.support.ServerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The Listen page in a real Chromium whose microphone plays a noisy WAV clip, against an
 * embedded-mode server (no credentials configured: the page signs itself in with the development
 * token the server offers to local pages).
 */
@Timeout(180)
class ListenPageIT {
  private static Path dir;
  private static TuneTraceServer server;
  private static String base;

  @BeforeAll
  static void startServerWithTwoSamples() throws Exception {
    dir = Files.createTempDirectory("tt-listen");
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
  void namesAnIndexedSampleHeardThroughTheMicrophoneWithinFifteenSeconds() throws Exception {
    Path clip = Samples.noisyClip("blue-lantern.mp3", 6, 12, 10, 1, dir);
    try (Browser browser = Browser.start(clip)) {
      browser.driver.get(base + "/");
      WebElement listen = browser.driver.findElement(By.id("listen"));
      assertEquals("Listen", listen.getText());
      // Signed in by the server's offer: no token form to fill.
      assertFalse(browser.driver.findElement(By.id("signin")).isDisplayed());
      long start = System.nanoTime();
      listen.click();
      browser.waiting(Duration.ofSeconds(15)).until(
          ExpectedConditions.textToBePresentInElementLocated(By.id("result"), "Blue Lantern"));
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(tookMillis <= 15_000, "named after " + tookMillis + " ms");
      System.out.printf("named after %d ms%n", tookMillis);
      assertEquals("TuneTrace samples", browser.driver.findElement(By.id("artist")).getText());
      String score = browser.driver.findElement(By.id("score")).getText();
      assertTrue(score.matches("(0\\.\\d\\d|1\\.00) \\(.+\\)"), score);
      assertTrue(browser.driver.findElement(By.id("position")).getText().matches("\\d+:\\d\\d / 0:26"),
          browser.driver.findElement(By.id("position")).getText());
      double level = Double.parseDouble(browser.driver.findElement(By.id("level")).getAttribute("value"));
      assertTrue(level > 0, "level meter at " + level);
      // The position moves while the music goes on.
      String before = browser.driver.findElement(By.id("position")).getText();
      browser.waiting(Duration.ofSeconds(5)).until(d ->
          !d.findElement(By.id("position")).getText().equals(before));
      browser.screenshot("listen");
      listen.click();
      browser.waiting(Duration.ofSeconds(10)).until(
          ExpectedConditions.attributeToBe(By.id("listen"), "aria-pressed", "false"));
      assertTrue(browser.driver.findElement(By.id("result")).getText().contains("Blue Lantern"));

      // Why? The picture of the match, drawn by the server from the recognition it kept.
      long keptExplainedBefore = explainedByIdCount();
      WebElement why = browser.driver.findElement(By.id("explain"));
      assertEquals("Why?", why.getText());
      why.click();
      browser.waiting(Duration.ofSeconds(60)).until(ExpectedConditions.presenceOfElementLocated(
          By.cssSelector("#explanation-picture #explain-histogram .bar.winning")));
      assertPictureHasItsParts(browser);
      JsonNode kept = keptAnswerShown(browser);
      assertEquals("Blue Lantern", kept.path("match").path("title").asText(), kept.toString());
      assertEquals(keptExplainedBefore + 1, explainedByIdCount());
      assertTrue(browser.driver.findElement(By.id("explain-numbers")).getText()
          .contains("Match: Blue Lantern by TuneTrace samples"));
      assertTrue(browser.driver.findElements(By.cssSelector("#explain-pairs .voted-pair")).size() > 10);
      browser.driver.executeScript("document.getElementById('explanation').scrollIntoView()");
      browser.screenshot("explain");
    }
  }

  /**
   * The answer whose recognition the page explained ({@code data-recognition-id} of the
   * explanation), read back with {@code GET /recognitions/{id}}.
   */
  private static JsonNode keptAnswerShown(Browser browser) throws Exception {
    String id = browser.driver.findElement(By.id("explanation")).getAttribute("data-recognition-id");
    assertTrue(id != null && id.matches("[0-9a-f]{32}"), "explained recognition: " + id);
    ApiClient.Reply kept = new ApiClient(server.port(), server.devToken()).get("/recognitions/" + id);
    assertEquals(200, kept.status(), kept.body().toString());
    assertEquals(id, kept.body().path("recognition_id").asText());
    return kept.body();
  }

  /** Pictures served by {@code GET /recognitions/{id}/explain} so far (the server's own count). */
  private static long explainedByIdCount() {
    return server.metrics().registry.find("tunetrace_http_request_seconds")
        .tag("route", "/recognitions/{id}/explain").tag("status", "200").timers().stream()
        .mapToLong(t -> t.count()).sum();
  }

  /** Both spectrograms decode as images; the numbers, the histogram and the legend are there. */
  private static void assertPictureHasItsParts(Browser browser) {
    for (String part : new String[] {"explain-numbers", "explain-query", "explain-reference",
        "explain-pairs", "explain-histogram", "explain-legend"}) {
      assertEquals(1, browser.driver.findElements(By.cssSelector("#explanation-picture #" + part)).size(), part);
    }
    Object decoded = browser.driver.executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "const images = [...document.querySelectorAll('#explanation-picture image.spectrogram')];"
            + "Promise.all(images.map(i => { const img = new Image(); img.src = i.getAttribute('href');"
            + "  return img.decode().then(() => img.naturalWidth > 0 && img.naturalHeight > 0, () => false); }))"
            + ".then(ok => done(ok.length + ':' + ok.every(Boolean)));");
    assertEquals("2:true", decoded);
  }

  @Test
  void saysNotInTheLibraryForMusicThatIsNot() throws Exception {
    // Music from another generator than the samples' (which share one synthesizer).
    Path clip = dir.resolve("unknown.wav");
    Files.write(clip, Samples.wav(Samples.withNoise(TestMusic.piece(4242, 12, 44100), 10, 2), 44100));
    try (Browser browser = Browser.start(clip)) {
      browser.driver.get(base + "/");
      long start = System.nanoTime();
      browser.driver.findElement(By.id("listen")).click();
      browser.waiting(Duration.ofSeconds(10)).until(
          ExpectedConditions.textToBe(By.id("result"), "no match yet"));
      // The page gives up after 15 s of audio; the server answers the stop once it has caught up
      // with the stream (every window of unknown music is searched at every speed variant).
      browser.waiting(Duration.ofSeconds(60)).until(
          ExpectedConditions.textToBe(By.id("result"), "not in the library"));
      System.out.printf("not in the library after %d ms%n", (System.nanoTime() - start) / 1_000_000);
      assertEquals("false", browser.driver.findElement(By.id("listen")).getAttribute("aria-pressed"));
      browser.screenshot("listen-unknown");
      browser.driver.findElement(By.id("explain")).click();
      browser.waiting(Duration.ofSeconds(60)).until(ExpectedConditions.presenceOfElementLocated(
          By.cssSelector("#explanation-picture #explain-numbers")));
      String numbers = browser.driver.findElement(By.id("explain-numbers")).getText();
      assertTrue(numbers.contains("No match"), numbers);
      assertTrue(numbers.contains("Refused: "), numbers);
      // The stream's last answer, "final" without a match, is the one explained.
      JsonNode kept = keptAnswerShown(browser);
      assertEquals("final", kept.path("type").asText(), kept.toString());
      assertTrue(kept.path("match").isNull(), kept.toString());
    }
  }

  @Test
  void recognizesAnAudioFileDecodedInTheBrowser() throws Exception {
    Path clip = Samples.noisyClip("amber-steps.wav", 3, 8, 15, 3, dir);
    try (Browser browser = Browser.start(null)) {
      browser.driver.get(base + "/");
      browser.driver.findElement(By.id("clip-file")).sendKeys(clip.toString());
      browser.waiting(Duration.ofSeconds(20)).until(
          ExpectedConditions.textToBePresentInElementLocated(By.id("result"), "Amber Steps"));
      String position = browser.driver.findElement(By.id("position")).getText();
      assertTrue(position.matches("clip starts at 0:0[2-4] / 0:22"), position);
    }
  }
}
