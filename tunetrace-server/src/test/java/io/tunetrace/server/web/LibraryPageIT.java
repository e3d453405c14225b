package io.tunetrace.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunetrace.server.TuneTraceServer;
import io.tunetrace.server.support.ApiClient;
import io.tunetrace.server.support.Browser;
import io.tunetrace.server.support.Samples;
import io.tunetrace.server.support.ServerFixture;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The Library page in a real Chromium against a full-mode server (PostgreSQL, Redis, S3): signed
 * in with {@code ?token=}, two files uploaded through the page's file input with their titles
 * taken from their tags, a third dropped on the page, all fingerprinted, one deleted.
 */
@Timeout(240)
class LibraryPageIT {
  /** The status shown for a title, or null when no row shows it (read in one step: rows re-render). */
  private static String statusOf(WebDriver d, String title) {
    return (String) ((JavascriptExecutor) d).executeScript(
        "for (const r of document.querySelectorAll('#track-rows tr')) {"
            + "  if (r.querySelector('td.title').textContent === arguments[0]) {"
            + "    return r.querySelector('.status').textContent; } }"
            + "return null;", title);
  }

  @Test
  void uploadsTwoFilesShowsBothReadyAndDeletesOne() throws Exception {
    try (ServerFixture fx = new ServerFixture()) {
      TuneTraceServer server = fx.start(fx.env());
      String token = ServerFixture.token();
      String base = "http://127.0.0.1:" + server.port();
      try (Browser browser = Browser.start(null)) {
        WebDriver d = browser.driver;
        d.get(base + "/library?token=" + token);
        // Signed in: the token left the address bar and the form is not shown.
        assertFalse(d.getCurrentUrl().contains("token="), d.getCurrentUrl());
        assertFalse(d.findElement(By.id("signin")).isDisplayed());
        browser.waiting(Duration.ofSeconds(10)).until(
            ExpectedConditions.textToBe(By.id("tracks-caption"), "No tracks yet: add some above."));

        d.findElement(By.id("upload-files")).sendKeys(
            Samples.file("copper-kite.mp3") + "\n" + Samples.file("amber-steps.wav"));
        // Titles come from the files' tags (ID3v2, RIFF INFO): the form was left empty.
        browser.waiting(Duration.ofSeconds(90)).until(x ->
            "READY".equals(statusOf(x, "Copper Kite")) && "READY".equals(statusOf(x, "Amber Steps")));
        List<String> uploads = new ArrayList<>();
        d.findElements(By.cssSelector("#uploads li")).forEach(li -> uploads.add(li.getText()));
        assertEquals(2, uploads.size(), uploads.toString());
        assertTrue(uploads.stream().allMatch(u -> u.contains("uploaded — READY")), uploads.toString());
        WebElement row = d.findElement(By.xpath("//tr[td[@class='title' and text()='Amber Steps']]"));
        assertEquals("TuneTrace samples", row.findElement(By.cssSelector("td.artist")).getText());
        assertEquals("0:22", row.findElements(By.cssSelector("td.num")).get(0).getText());
        assertTrue(row.findElements(By.cssSelector("td.num")).get(1).getText().matches("[1-9][0-9,]*"));

        // A file dropped on the upload box, with a title typed: the typed title wins, the artist
        // comes from the tags.
        d.findElement(By.id("upload-title")).sendKeys("Dropped Title");
        ((JavascriptExecutor) d).executeScript(
            "const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));"
                + "const dt = new DataTransfer();"
                + "dt.items.add(new File([bytes], 'dune-signal.mp3', {type: 'audio/mpeg'}));"
                + "document.getElementById('uploader').dispatchEvent("
                + "  new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));",
            Base64.getEncoder().encodeToString(Files.readAllBytes(Samples.file("dune-signal.mp3"))));
        browser.waiting(Duration.ofSeconds(90)).until(x -> "READY".equals(statusOf(x, "Dropped Title")));
        WebElement dropped = d.findElement(By.xpath("//tr[td[@class='title' and text()='Dropped Title']]"));
        assertEquals("TuneTrace samples", dropped.findElement(By.cssSelector("td.artist")).getText());

        // Search narrows the table to matching titles or artists.
        d.findElement(By.id("search")).sendKeys("kite");
        browser.waiting(Duration.ofSeconds(5)).until(x ->
            x.findElements(By.cssSelector("#track-rows tr")).size() == 1);
        assertEquals("1 of 3 tracks matching “kite”", d.findElement(By.id("tracks-caption")).getText());
        d.findElement(By.id("search")).clear();
        d.findElement(By.id("search")).sendKeys(" ");
        browser.waiting(Duration.ofSeconds(5)).until(x ->
            x.findElements(By.cssSelector("#track-rows tr")).size() == 3);
        browser.screenshot("library");

        // Delete asks first; "Keep it" keeps it, "Delete" deletes it.
        WebElement delete = d.findElement(By.cssSelector("button[aria-label='Delete Copper Kite by TuneTrace samples']"));
        delete.click();
        WebElement dialog = d.findElement(By.id("confirm-delete"));
        assertTrue(dialog.isDisplayed());
        assertTrue(d.findElement(By.id("confirm-delete-text")).getText().contains("Copper Kite"));
        d.findElement(By.id("confirm-delete-no")).click();
        assertFalse(dialog.isDisplayed());
        assertEquals("READY", statusOf(d, "Copper Kite"));
        d.findElement(By.cssSelector("button[aria-label='Delete Copper Kite by TuneTrace samples']")).click();
        d.findElement(By.id("confirm-delete-yes")).click();
        browser.waiting(Duration.ofSeconds(10)).until(x -> statusOf(x, "Copper Kite") == null);
        assertEquals("READY", statusOf(d, "Amber Steps"));

        JsonNode left = new ApiClient(server.port(), token).get("/tracks").body();
        assertEquals(2, left.path("total").asInt(), left.toString());
        List<String> titles = new ArrayList<>();
        left.path("tracks").forEach(t -> titles.add(t.path("title").asText()));
        assertEquals(List.of("Amber Steps", "Dropped Title"), titles.stream().sorted().toList());
      }
    }
  }

  @Test
  void asksForATokenAndSaysWhenTheServerRefusesIt() throws Exception {
    try (ServerFixture fx = new ServerFixture()) {
      TuneTraceServer server = fx.start(fx.env());
      try (Browser browser = Browser.start(null)) {
        WebDriver d = browser.driver;
        d.get("http://127.0.0.1:" + server.port() + "/library");
        // Full mode offers no token: the page asks for one.
        assertTrue(d.findElement(By.id("signin")).isDisplayed());
        d.findElement(By.id("token-input")).sendKeys("not-a-valid-token");
        d.findElement(By.cssSelector("#signin button[type=submit]")).click();
        d.findElement(By.id("upload-files")).sendKeys(Samples.file("amber-steps.wav").toString());
        browser.waiting(Duration.ofSeconds(10)).until(x ->
            x.findElement(By.id("signin-problem")).isDisplayed());
        assertTrue(d.findElement(By.id("signin-problem")).getText().contains("refused the token"),
            d.findElement(By.id("signin-problem")).getText());
        assertTrue(d.findElement(By.id("signin")).isDisplayed());
        assertEquals(0, new ApiClient(server.port(), ServerFixture.token()).get("/tracks").body()
            .path("total").asInt());
      }
    }
  }
}
