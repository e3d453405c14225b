package io.tunetrace.server.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.server.support.Marionette.MarionetteException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Firefox test harness itself: what the page tests rely on to fail when they should. */
@Timeout(120)
class FirefoxIT {
  @Test
  void reportsErrorsThrownWhileAPageLoadsAndUnhandledRejections() throws Exception {
    String page = "<!doctype html><title>t</title><p id=p>text</p>"
        + "<script>missingFunction();</script>"
        + "<script type=module>Promise.reject(new Error('rejected in a module'));</script>";
    try (Firefox firefox = Firefox.start(false)) {
      firefox.navigate("data:text/html," + URLEncoder.encode(page, StandardCharsets.UTF_8).replace("+", "%20"));
      assertEquals("text", firefox.text("#p"));
      firefox.waitUntil(java.time.Duration.ofSeconds(10), "two page errors",
          () -> firefox.pageErrors().size() == 2);
      List<String> errors = firefox.pageErrors();
      assertTrue(errors.get(0).startsWith("ReferenceError: missingFunction is not defined ("), errors.toString());
      assertTrue(errors.get(1).startsWith("Error: rejected in a module ("), errors.toString());
      MarionetteException missing = assertThrows(MarionetteException.class, () -> firefox.element("#none"));
      assertEquals("no such element", missing.error);
      assertEquals(7, firefox.script("return arguments[0] + arguments[1]", 3, 4).asInt());
    }
  }
}
