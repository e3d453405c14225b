package io.tunetrace.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunetrace.server.support.Marionette.MarionetteException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A headless Debian {@code firefox-esr} with a fresh profile, driven over its built-in Marionette
 * protocol ({@link Marionette}; Debian has no geckodriver). Elements are named by CSS selectors.
 * {@link #close} quits it, kills what is left of its process tree and deletes the profile. The
 * network beyond loopback is not used.
 *
 * <p>Not thread-safe.
 */
public final class Firefox implements AutoCloseable {
  public static final Path FIREFOX = Path.of("/usr/bin/firefox-esr");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /** The longest a single command may take (a page load, a script) before the test fails. */
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

  private final Process process;
  private final Path profile;
  private final Marionette marionette;
  private final Set<String> origins = new LinkedHashSet<>();

  private Firefox(Process process, Path profile, Marionette marionette) {
    this.process = process;
    this.profile = profile;
    this.marionette = marionette;
  }

  /**
   * Starts Firefox; with {@code fakeMicrophone} the page's {@code getUserMedia} gets Firefox's
   * fake audio stream (a tone, not a file) without a permission prompt. Its output goes to
   * {@code target/firefox/<profile>.log}.
   */
  public static Firefox start(boolean fakeMicrophone) throws IOException {
    return start(fakeMicrophone, true);
  }

  /**
   * Starts Firefox as {@link #start(boolean)} does; without {@code audioDevice} Firefox has no
   * audio device at all (cubeb's null context), whatever the machine has.
   */
  public static Firefox start(boolean fakeMicrophone, boolean audioDevice) throws IOException {
    if (!Files.isExecutable(FIREFOX)) {
      throw new IllegalStateException("browser tests need Debian's firefox-esr: "
          + "apt-get install -y firefox-esr (.ci/run installs it)");
    }
    Path profile = Files.createTempDirectory("tt-firefox");
    Process process = null;
    Marionette marionette = null;
    try {
      Files.writeString(profile.resolve("user.js"), prefs(fakeMicrophone, audioDevice), StandardCharsets.UTF_8);
      Path logs = Path.of("target", "firefox").toAbsolutePath();
      Files.createDirectories(logs);
      Path log = logs.resolve(profile.getFileName() + ".log");
      ProcessBuilder pb = new ProcessBuilder(List.of(FIREFOX.toString(), "--headless", "--marionette",
          "--remote-allow-system-access", "--no-remote", "--profile", profile.toString()))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      pb.environment().put("MOZ_CRASHREPORTER_DISABLE", "1");
      process = pb.start();
      int port = awaitMarionettePort(process, profile, log);
      marionette = Marionette.connect(port, COMMAND_TIMEOUT);
      marionette.command("WebDriver:NewSession", Map.of("capabilities", Map.of("alwaysMatch", Map.of(
          "pageLoadStrategy", "normal",
          "timeouts", Map.of("implicit", 0, "pageLoad", 60_000, "script", 60_000)))));
      marionette.command("WebDriver:SetWindowRect", Map.of("width", 1100, "height", 900));
      return new Firefox(process, profile, marionette);
    } catch (IOException | RuntimeException e) {
      if (marionette != null) {
        marionette.close();
      }
      if (process != null) {
        kill(processTree(process));
      }
      ServerFixture.deleteTree(profile);
      throw e;
    }
  }

  /**
   * The profile's preferences: Marionette on a port the system picks (written by Firefox to
   * {@code MarionetteActivePort} in the profile), the network beyond loopback left alone, audio
   * allowed to start without a gesture (as the Chromium tests run), Firefox's mock audio device
   * (without an audio output device, as on a CI machine, an AudioContext never leaves
   * "suspended") or none, and, on request, the fake microphone.
   */
  private static String prefs(boolean fakeMicrophone, boolean audioDevice) {
    List<String> prefs = new ArrayList<>(List.of(
        "user_pref(\"marionette.port\", 0);",
        "user_pref(\"media.autoplay.default\", 0);",
        "user_pref(\"media.autoplay.block-webaudio\", false);",
        "user_pref(\"devtools.console.stdout.content\", true);",
        "user_pref(\"browser.shell.checkDefaultBrowser\", false);",
        "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);",
        "user_pref(\"app.update.disabledForTesting\", true);",
        // Loopback only (Marionette's own recommended preferences silence most other traffic):
        // no proxy from the environment in the way of 127.0.0.1, no prefetching, no Safe Browsing.
        "user_pref(\"network.proxy.type\", 0);",
        "user_pref(\"network.dns.disablePrefetch\", true);",
        "user_pref(\"network.http.speculative-parallel-limit\", 0);",
        "user_pref(\"browser.safebrowsing.malware.enabled\", false);",
        "user_pref(\"browser.safebrowsing.phishing.enabled\", false);",
        "user_pref(\"browser.safebrowsing.downloads.enabled\", false);",
        "user_pref(\"captivedetect.canonicalURL\", \"\");"));
    prefs.add(audioDevice
        ? "user_pref(\"media.cubeb.force_mock_context\", true);"
        : "user_pref(\"media.cubeb.force_null_context\", true);");
    if (fakeMicrophone) {
      prefs.add("user_pref(\"media.navigator.streams.fake\", true);");
      prefs.add("user_pref(\"media.navigator.permission.disabled\", true);");
    }
    return String.join("\n", prefs) + "\n";
  }

  private static int awaitMarionettePort(Process process, Path profile, Path log) throws IOException {
    Path file = profile.resolve("MarionetteActivePort");
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("firefox-esr exited with " + process.exitValue()
            + " before Marionette listened; its output: " + tail(log));
      }
      if (Files.isRegularFile(file)) {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (text.matches("[1-9][0-9]{0,4}")) {
          return Integer.parseInt(text);
        }
      }
      sleep(100);
    }
    throw new IllegalStateException("firefox-esr did not start Marionette within " + START_TIMEOUT
        + "; its output: " + tail(log));
  }

  /**
   * Opens {@code url} and waits for its load event; the errors of its origin (of the URL itself
   * when it has no host, as {@code data:}) count as page errors.
   */
  public void navigate(String url) {
    URI uri = URI.create(url);
    origins.add(uri.getRawAuthority() == null ? url : uri.getScheme() + "://" + uri.getRawAuthority() + "/");
    marionette.command("WebDriver:Navigate", Map.of("url", url));
  }

  public String currentUrl() {
    return marionette.command("WebDriver:GetCurrentURL", null).path("value").asText();
  }

  /** The element matching {@code css}; a {@link MarionetteException} ("no such element") if none. */
  public String element(String css) {
    return marionette.command("WebDriver:FindElement", Map.of("using", "css selector", "value", css))
        .path("value").path(Marionette.ELEMENT_KEY).asText();
  }

  public List<String> elements(String css) {
    List<String> ids = new ArrayList<>();
    marionette.command("WebDriver:FindElements", Map.of("using", "css selector", "value", css))
        .forEach(e -> ids.add(e.path(Marionette.ELEMENT_KEY).asText()));
    return ids;
  }

  /** Clicks the element as a user would (scrolled into view, at its centre, if not covered). */
  public void click(String css) {
    marionette.command("WebDriver:ElementClick", Map.of("id", element(css)));
  }

  /**
   * Types {@code text} into the element; for a file input, {@code text} is an absolute path (or
   * several, one a line, for {@code multiple}).
   */
  public void sendKeys(String css, String text) {
    marionette.command("WebDriver:ElementSendKeys", Map.of("id", element(css), "text", text));
  }

  /** The element's rendered text, as a user sees it. */
  public String text(String css) {
    return marionette.command("WebDriver:GetElementText", Map.of("id", element(css)))
        .path("value").asText();
  }

  public boolean isDisplayed(String css) {
    return marionette.command("WebDriver:IsElementDisplayed", Map.of("id", element(css)))
        .path("value").asBoolean();
  }

  /** The element's attribute, or null when it has none. */
  public String attribute(String css, String name) {
    JsonNode value = marionette.command("WebDriver:GetElementAttribute",
        Map.of("id", element(css), "name", name)).path("value");
    return value.isNull() ? null : value.asText();
  }

  /**
   * Runs {@code body} as a function in the page with {@code args} ({@code arguments[i]}) and
   * returns what it returns (awaited when it is a promise).
   */
  public JsonNode script(String body, Object... args) {
    return marionette.command("WebDriver:ExecuteScript", Map.of("script", body, "args", List.of(args)))
        .path("value");
  }

  /**
   * Polls {@code condition} every 100 ms until it is true; fails after {@code timeout}, saying what
   * was awaited and the page errors so far. An element missing or re-rendered meanwhile counts as
   * not yet.
   */
  public void waitUntil(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    MarionetteException last = null;
    while (true) {
      try {
        if (Boolean.TRUE.equals(condition.call())) {
          return;
        }
      } catch (MarionetteException e) {
        if (!e.error.equals("no such element") && !e.error.equals("stale element reference")) {
          throw e;
        }
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what
            + (last == null ? "" : "; last: " + last.getMessage()) + "; page errors: " + pageErrors());
      }
      sleep(100);
    }
  }

  /**
   * JavaScript errors of the pages opened with {@link #navigate} (uncaught exceptions, unhandled
   * promise rejections, failed module loads), read from Firefox's console service so that errors
   * thrown while a page loads count too: "message (source:line)".
   */
  public List<String> pageErrors() {
    marionette.command("Marionette:SetContext", Map.of("value", "chrome"));
    try {
      JsonNode errors = script(
          "const origins = arguments[0];"
              + "return Services.console.getMessageArray()"
              + "  .filter(m => m instanceof Ci.nsIScriptError)"
              + "  .filter(m => !(m.flags & (Ci.nsIScriptError.warningFlag | Ci.nsIScriptError.infoFlag)))"
              + "  .filter(m => origins.some(o => (m.sourceName || '').startsWith(o)))"
              + "  .map(m => m.errorMessage + ' (' + m.sourceName + ':' + m.lineNumber + ')');",
          List.copyOf(origins));
      List<String> out = new ArrayList<>();
      errors.forEach(e -> out.add(e.asText()));
      return out;
    } finally {
      marionette.command("Marionette:SetContext", Map.of("value", "content"));
    }
  }

  /** Saves a screenshot of the whole page to {@code target/screenshots/<name>.png}. */
  public Path screenshot(String name) throws IOException {
    String png = marionette.command("WebDriver:TakeScreenshot", Map.of("full", true, "hash", false))
        .path("value").asText();
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Path out = dir.resolve(name + ".png");
    Files.write(out, Base64.getDecoder().decode(png));
    return out;
  }

  @Override
  public void close() {
    // Taken first: once the parent exits, its children are no longer its descendants.
    List<ProcessHandle> tree = processTree(process);
    try {
      marionette.command("Marionette:Quit", Map.of("flags", List.of("eForceQuit")));
    } catch (RuntimeException e) {
      // Firefox is killed below.
    }
    try {
      marionette.close();
    } catch (IOException e) {
      // closing anyway
    }
    try {
      process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      kill(tree);
      ServerFixture.deleteTree(profile);
    }
  }

  /** The process and every process it started (content processes, GPU, sockets). */
  private static List<ProcessHandle> processTree(Process process) {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    return tree;
  }

  private static void kill(List<ProcessHandle> tree) {
    tree.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : tree) {
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // gone or unkillable: nothing more to do
      }
    }
  }

  private static String tail(Path log) {
    try {
      String text = Files.readString(log, StandardCharsets.UTF_8);
      return text.substring(Math.max(0, text.length() - 2000));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
