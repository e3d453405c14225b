package io.tunetrace.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunetrace.server.TuneTraceServer;
import io.tunetrace.server.support.ApiClient;
import io.tunetrace.server.support.Firefox;
import io.tunetrace.server.support.Samples;
import io.tunetrace.server.support.ServerFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Library page in a real Firefox (Debian's firefox-esr over Marionette) against a full-mode
 * server (PostgreSQL, Redis, S3), as {@link LibraryPageIT} runs it in Chromium: two files uploaded
 * through the page's file input with their titles read from their tags by the page, both
 * fingerprinted, one deleted. Fails on a JavaScript error of the page.
 */
@Timeout(240)
class FirefoxLibraryPageIT {
  /** The status shown for a title, or null when no row shows it (read in one step: rows re-render). */
  private static String statusOf(Firefox firefox, String title) {
    JsonNode status = firefox.script(
        "for (const r of document.querySelectorAll('#track-rows tr')) {"
            + "  if (r.querySelector('td.title').textContent === arguments[0]) {"
            + "    return r.querySelector('.status').textContent; } }"
            + "return null;", title);
    return status.isNull() ? null : status.asText();
  }

  /** The cells of the row showing {@code title}, or an empty list. */
  private static List<String> cellsOf(Firefox firefox, String title) {
    List<String> cells = new ArrayList<>();
    firefox.script(
        "for (const r of document.querySelectorAll('#track-rows tr')) {"
            + "  if (r.querySelector('td.title').textContent === arguments[0]) {"
            + "    return [...r.querySelectorAll('td')].map(td => td.textContent); } }"
            + "return [];", title).forEach(c -> cells.add(c.asText()));
    return cells;
  }

  @Test
  void uploadsTwoFilesShowsBothReadyAndDeletesOne() throws Exception {
    try (ServerFixture fx = new ServerFixture()) {
      TuneTraceServer server = fx.start(fx.env());
      String token = ServerFixture.token();
      try (Firefox firefox = Firefox.start(false)) {
        firefox.navigate("http://127.0.0.1:" + server.port() + "/library?token=" + token);
        // Signed in: the token left the address bar and the form is not shown.
        assertFalse(firefox.currentUrl().contains("token="), firefox.currentUrl());
        assertFalse(firefox.isDisplayed("#signin"));
        firefox.waitUntil(Duration.ofSeconds(10), "the empty library's caption",
            () -> firefox.text("#tracks-caption").equals("No tracks yet: add some above."));

        firefox.sendKeys("#upload-files",
            Samples.file("copper-kite.mp3") + "\n" + Samples.file("amber-steps.wav"));
        // Titles come from the files' tags (ID3v2, RIFF INFO), read by the page: the form was left empty.
        firefox.waitUntil(Duration.ofSeconds(90), "Copper Kite and Amber Steps READY", () ->
            "READY".equals(statusOf(firefox, "Copper Kite")) && "READY".equals(statusOf(firefox, "Amber Steps")));
        List<String> uploads = new ArrayList<>();
        firefox.script("return [...document.querySelectorAll('#uploads li')].map(li => li.textContent)")
            .forEach(li -> uploads.add(li.asText()));
        assertEquals(2, uploads.size(), uploads.toString());
        assertTrue(uploads.stream().allMatch(u -> u.contains("uploaded — READY")), uploads.toString());
        List<String> amber = cellsOf(firefox, "Amber Steps");
        assertEquals("TuneTrace samples", amber.get(1), amber.toString());
        assertEquals("0:22", amber.get(3), amber.toString());
        assertTrue(amber.get(4).matches("[1-9][0-9,]*"), amber.toString());
        assertEquals("2 of 2 tracks", firefox.text("#tracks-caption"));
        firefox.screenshot("firefox-library");

        // Delete asks first (a <dialog>); "Keep it" keeps it, "Delete" deletes it.
        String delete = "button[aria-label='Delete Copper Kite by TuneTrace samples']";
        firefox.click(delete);
        assertTrue(firefox.isDisplayed("#confirm-delete"));
        assertTrue(firefox.text("#confirm-delete-text").contains("Copper Kite"),
            firefox.text("#confirm-delete-text"));
        firefox.click("#confirm-delete-no");
        assertFalse(firefox.isDisplayed("#confirm-delete"));
        assertEquals("READY", statusOf(firefox, "Copper Kite"));
        firefox.click(delete);
        firefox.click("#confirm-delete-yes");
        firefox.waitUntil(Duration.ofSeconds(10), "Copper Kite gone from the table",
            () -> statusOf(firefox, "Copper Kite") == null);
        assertFalse(firefox.isDisplayed("#confirm-delete"));
        assertEquals("READY", statusOf(firefox, "Amber Steps"));
        assertEquals("1 of 1 tracks", firefox.text("#tracks-caption"));

        JsonNode left = new ApiClient(server.port(), token).get("/tracks").body();
        assertEquals(1, left.path("total").asInt(), left.toString());
        assertEquals("Amber Steps", left.path("tracks").path(0).path("title").asText(), left.toString());
        assertEquals(List.of(), firefox.pageErrors());
      }
    }
  }
}
