package io.tunetrace.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's server section, as a new user runs it on a machine with nothing set up: {@code
 * ./tunetrace serve} (the launcher runs the CLI's jar, which starts the server's own jar in
 * embedded mode), then {@code ./tunetrace upload} and {@code ./tunetrace recognize} with no token
 * given — they sign one from the secret the embedded server keeps under {@code
 * ~/.tunetrace/server}. Runs the jars this build packaged ({@code TUNETRACE_NO_BUILD=1}), with a
 * fresh home directory.
 */
class FirstHourIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path REPO = Path.of(System.getProperty("tunetrace.repo", ".."))
      .toAbsolutePath().normalize();

  @TempDir Path home;
  @TempDir Path work;

  /** One finished CLI run. */
  record Run(int exitCode, String out, String err) {}

  /** The environment of a new user: no service, token or data dir configured; home is {@code home}. */
  private Map<String, String> userEnv(ProcessBuilder pb, Path userHome) {
    Map<String, String> env = pb.environment();
    for (String name : List.of("DATABASE_URL", "REDIS_URL", "S3_ENDPOINT", "JWT_SECRET", "API_KEYS",
        "JWT_PUBLIC_KEY", "JWT_PUBLIC_KEY_FILE", "TUNETRACE_TOKEN", "DATA_DIR", "PORT", "HOST",
        "TUNETRACE_SERVER_JAR", "TUNETRACE_INDEX")) {
      env.remove(name);
    }
    env.put("HOME", userHome.toString());
    env.put("TUNETRACE_JAVA_OPTS", "-Duser.home=" + userHome);
    env.put("TUNETRACE_NO_BUILD", "1");
    return env;
  }

  private Run tunetrace(Path userHome, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(REPO.resolve("tunetrace").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile());
    userEnv(pb, userHome);
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      fail("tunetrace " + String.join(" ", args) + " did not finish: " + Files.readString(err));
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The first {@code seconds} s from {@code fromSeconds} of a PCM WAV file, as a WAV file. */
  private Path excerpt(Path wav, double fromSeconds, double seconds) throws Exception {
    Path clip = work.resolve("clip.wav");
    try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
      long frameBytes = in.getFormat().getFrameSize();
      long skip = (long) (fromSeconds * in.getFormat().getFrameRate()) * frameBytes;
      assertEquals(skip, in.skip(skip));
      long frames = (long) (seconds * in.getFormat().getFrameRate());
      try (AudioInputStream part = new AudioInputStream(in, in.getFormat(), frames)) {
        AudioSystem.write(part, AudioFileFormat.Type.WAVE, clip.toFile());
      }
    }
    return clip;
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void readmeServerCommandsWorkOnAFreshMachine() throws Exception {
    int port = freePort();
    String server = "http://localhost:" + port;
    Path log = work.resolve("serve.log");
    ProcessBuilder pb = new ProcessBuilder(REPO.resolve("tunetrace").toString(), "serve",
        "--port", Integer.toString(port), "--host", "127.0.0.1").directory(REPO.toFile());
    userEnv(pb, home);
    Process serve = pb.redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    try {
      awaitHealthy(serve, server, log);
      String started = Files.readString(log);
      Path dataDir = home.resolve(".tunetrace").resolve("server");
      assertTrue(started.contains("embedded mode: index, blobs and job store under " + dataDir), started);
      assertTrue(started.contains("export TUNETRACE_TOKEN="), started);
      assertTrue(Files.isRegularFile(dataDir.resolve("jwt-secret")), "secret under " + dataDir);

      Path song = REPO.resolve("samples").resolve("amber-steps.wav");
      Run upload = tunetrace(home, "upload", "--server", server, song.toString(),
          "--title", "Amber Steps", "--artist", "TuneTrace samples", "--wait");
      assertEquals(0, upload.exitCode(), upload.out() + upload.err());
      List<String> lines = upload.out().lines().toList();
      JsonNode created = JSON.readTree(lines.get(0));
      JsonNode ready = JSON.readTree(lines.get(lines.size() - 1));
      String id = created.path("id").asText();
      assertEquals(id, ready.path("id").asText(), upload.out());
      assertEquals("READY", ready.path("status").asText(), upload.out());
      try (var blobs = Files.walk(dataDir.resolve("blobs"))) {
        assertEquals(1, blobs.filter(Files::isRegularFile).count(), "the upload is stored under " + dataDir);
      }

      Run recognize = tunetrace(home, "recognize", "--server", server,
          excerpt(song, 6, 5).toString());
      assertEquals(0, recognize.exitCode(), recognize.out() + recognize.err());
      JsonNode answer = JSON.readTree(recognize.out().strip());
      assertEquals(id, answer.path("match").path("song_id").asText(), recognize.out());
      assertEquals("Amber Steps", answer.path("match").path("title").asText(), recognize.out());

      Run overHttp = tunetrace(home, "recognize", "--http", "--server", server,
          excerpt(song, 6, 5).toString());
      assertEquals(0, overHttp.exitCode(), overHttp.out() + overHttp.err());

      // Another user of this machine, without the server's secret, is told where a token comes from.
      Path stranger = Files.createDirectories(work.resolve("stranger"));
      Run refused = tunetrace(stranger, "upload", "--server", server, song.toString(),
          "--title", "Amber Steps", "--artist", "TuneTrace samples");
      assertEquals(2, refused.exitCode(), refused.out() + refused.err());
      assertEquals("unauthorized", JSON.readTree(refused.out().strip()).path("error").path("code").asText(),
          refused.out());
      assertTrue(refused.err().contains("upload: server answered 401\nupload: the server wants a token:"
          + " pass --token or set TUNETRACE_TOKEN"), refused.err());
    } finally {
      stop(serve);
    }
  }

  private static void awaitHealthy(Process serve, String server, Path log) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (!serve.isAlive()) {
        fail("tunetrace serve exited with " + serve.exitValue() + ": " + Files.readString(log));
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server + "/health"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    fail("no /health within 180 s: " + Files.readString(log, StandardCharsets.UTF_8));
  }

  /** SIGTERM to the CLI (the launcher exec'd it), which stops the server it started and waits. */
  private static void stop(Process serve) throws InterruptedException {
    List<ProcessHandle> tree = new ArrayList<>(serve.descendants().toList());
    serve.destroy();
    if (!serve.waitFor(150, TimeUnit.SECONDS)) {
      serve.destroyForcibly();
    }
    for (ProcessHandle p : tree) {
      if (p.isAlive()) {
        p.destroyForcibly();
        fail("left running after tunetrace serve stopped: pid " + p.pid() + " " + p.info().command());
      }
    }
  }
}
