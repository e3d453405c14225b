package io.tunetrace.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunetrace.core.explain.ExplanationPicture;
import io.tunetrace.core.testing.TestMusic;
import io.tunetrace.server.TuneTraceServer;
import io.tunetrace.server.auth.Tokens;
import io.tunetrace.server.config.ServerConfig;
import io.tunetrace.server.support.ApiClient;
import io.tunetrace.server.support.Samples;
import io.tunetrace.server.support.ServerFixture;
import io.tunetrace.server.support.TestAudio;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
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
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Recognitions kept by id — {@code GET /recognitions/{id}} and {@code GET
 * /recognitions/{id}/explain} — after {@code POST /recognize}, a WebSocket clip and a stream,
 * against an embedded-mode server that keeps at most {@value #KEPT} recognitions.
 */
@Timeout(240)
class RecognitionsIT {
  private static final String SECRET = "recognitions-it-secret-0123456789abcdef";
  private static final int KEPT = 4;

  private static Path dir;
  private static TuneTraceServer server;
  private static ApiClient alice;
  private static byte[] clip;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startServerWithASample() throws Exception {
    dir = Files.createTempDirectory("tt-recognitions");
    server = TuneTraceServer.start(ServerConfig.fromEnv(Map.of("HOST", "127.0.0.1", "PORT", "0",
        "DATA_DIR", dir.resolve("data").toString(), "JOB_POLL_MILLIS", "100",
        "JWT_SECRET", SECRET, "RECOGNITION_CACHE_ENTRIES", Integer.toString(KEPT))));
    alice = new ApiClient(server.port(), token("alice"));
    ApiClient.Reply up = alice.upload("/tracks", Map.of("title", "Blue Lantern",
            "artist", "TuneTrace samples"), "blue-lantern.mp3",
        Files.readAllBytes(Samples.file("blue-lantern.mp3")), "audio/mpeg");
    assertEquals(201, up.status(), up.body().toString());
    assertEquals("READY", alice.awaitStatus(up.body().path("id").asText(), 60_000, "READY", "FAILED")
        .path("status").asText());
    clip = Files.readAllBytes(Samples.noisyClip("blue-lantern.mp3", 6, 6, 10, 7, dir));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    ServerFixture.deleteTree(dir);
  }

  private static String token(String subject) {
    return Tokens.issue(SECRET, "tunetrace", subject, 3600);
  }

  private HttpResponse<byte[]> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(60)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  private static String idOf(JsonNode answer) {
    String id = answer.path("recognition_id").asText();
    assertTrue(id.matches("[0-9a-f]{32}"), answer.toString());
    return id;
  }

  /** GET /recognitions/{id} answers exactly what was sent. */
  private void assertKeptAs(JsonNode answer, String token) throws Exception {
    HttpResponse<byte[]> kept = get("/recognitions/" + idOf(answer), token);
    assertEquals(200, kept.statusCode(), text(kept));
    assertEquals(answer, ApiClient.JSON.readTree(kept.body()));
  }

  /** The SVG of a kept recognition, with every part; {@code accepted} as the header says. */
  private String assertExplainedAsSvg(String id, boolean accepted) throws Exception {
    HttpResponse<byte[]> svg = get("/recognitions/" + id + "/explain", token("alice"));
    assertEquals(200, svg.statusCode(), text(svg));
    assertEquals("image/svg+xml; charset=utf-8", svg.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(Boolean.toString(accepted),
        svg.headers().firstValue("X-TuneTrace-Accepted").orElseThrow());
    String text = text(svg);
    assertTrue(text.startsWith("<svg") || text.startsWith("<?xml"), text.substring(0, 80));
    for (String part : new String[] {"explain-numbers", "explain-query", "explain-reference",
        "explain-pairs", "explain-histogram", "explain-legend"}) {
      assertTrue(text.contains("id=\"" + part + "\""), part);
    }
    return text;
  }

  private static void assertMatchPicture(String svg) {
    assertTrue(svg.contains("Match: Blue Lantern by TuneTrace samples"), svg.substring(0, 600));
    // The clip's spectrogram and the track's over the aligned stretch, the pairs that voted.
    assertEquals(2, svg.split("class=\"spectrogram\"", -1).length - 1);
    assertTrue(svg.split("class=\"voted-pair\"", -1).length - 1 > 10);
    assertTrue(svg.contains("class=\"bar winning\""));
  }

  @Test
  void explainsARecognitionOverHttpByItsIdAsSvgOrPng() throws Exception {
    ApiClient.Reply answer = alice.postBytes("/recognize", clip, "audio/wav");
    assertEquals(200, answer.status(), answer.body().toString());
    assertEquals("Blue Lantern", answer.body().path("match").path("title").asText());
    List<String> fields = new ArrayList<>();
    answer.body().fieldNames().forEachRemaining(fields::add);
    assertEquals(List.of("ok", "match", "recognition_id"), fields);
    String id = idOf(answer.body());
    assertKeptAs(answer.body(), token("alice"));

    assertMatchPicture(assertExplainedAsSvg(id, true));

    HttpResponse<byte[]> png = get("/recognitions/" + id + "/explain?format=png", token("alice"));
    assertEquals(200, png.statusCode(), text(png));
    assertEquals("image/png", png.headers().firstValue("Content-Type").orElseThrow());
    assertEquals("true", png.headers().firstValue("X-TuneTrace-Accepted").orElseThrow());
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png.body()));
    assertEquals(ExplanationPicture.WIDTH, img.getWidth());
    assertEquals(ExplanationPicture.HEIGHT, img.getHeight());

    HttpResponse<byte[]> jpeg = get("/recognitions/" + id + "/explain?format=jpeg", token("alice"));
    assertEquals(400, jpeg.statusCode());
    assertEquals("{\"ok\":false,\"error\":{\"code\":\"invalid_request\",\"message\":\"format must be"
        + " svg or png: jpeg\"}}", text(jpeg));
  }

  @Test
  void explainsWhyMusicThatIsNotInTheLibraryWasRefused() throws Exception {
    byte[] unknown = Samples.wav(Samples.withNoise(TestMusic.piece(4242, 6, 44100), 10, 2), 44100);
    ApiClient.Reply answer = alice.postBytes("/recognize", unknown, "audio/wav");
    assertEquals(200, answer.status(), answer.body().toString());
    assertTrue(answer.body().path("match").isNull(), answer.body().toString());
    assertKeptAs(answer.body(), token("alice"));
    String svg = assertExplainedAsSvg(idOf(answer.body()), false);
    assertTrue(svg.contains("No match"), svg.substring(0, 600));
    assertTrue(svg.contains("Refused: "), svg.substring(0, 600));
  }

  @Test
  void explainsWebSocketClipsAndEveryAnswerOfAStream() throws Exception {
    try (ApiClient.Socket ws = alice.socket()) {
      ws.sendBinary(clip);
      JsonNode oneShot = ws.next(30_000);
      assertEquals("Blue Lantern", oneShot.path("match").path("title").asText(), oneShot.toString());
      assertKeptAs(oneShot, token("alice"));
      assertMatchPicture(assertExplainedAsSvg(idOf(oneShot), true));

      ws.sendText("{\"type\": \"start\", \"sample_rate\": 44100, \"encoding\": \"pcm_s16le\", \"channels\": 1}");
      assertEquals("started", ws.next(10_000).path("type").asText());
      Samples.Audio song = Samples.decode("blue-lantern.mp3");
      assertEquals(TestAudio.RATE, song.sampleRateHz());
      byte[] pcm = TestAudio.pcm16(TestAudio.slice(song.samples(), 4, 7.5));
      for (int off = 0; off < pcm.length; off += 7777) {
        ws.sendBinary(java.util.Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + 7777)));
      }
      ws.sendText("{\"type\": \"stop\"}");
      List<JsonNode> answers = new ArrayList<>();
      JsonNode m;
      do {
        m = ws.next(60_000);
        assertTrue(m.path("ok").asBoolean(), m.toString());
        answers.add(m);
      } while (!m.path("type").asText().equals("final"));
      assertEquals("match", answers.get(0).path("type").asText(), answers.toString());
      assertTrue(answers.size() <= KEPT - 1, answers.toString());
      List<String> ids = new ArrayList<>();
      for (JsonNode a : answers) {
        assertEquals("Blue Lantern", a.path("match").path("title").asText(), a.toString());
        assertFalse(ids.contains(idOf(a)), answers.toString());
        ids.add(idOf(a));
        assertKeptAs(a, token("alice"));
      }
      assertMatchPicture(assertExplainedAsSvg(ids.get(0), true));
      assertMatchPicture(assertExplainedAsSvg(ids.get(ids.size() - 1), true));
    }
  }

  @Test
  void unknownMalformedAndOtherCallersIdsAreRefused() throws Exception {
    ApiClient.Reply answer = alice.postBytes("/recognize", clip, "audio/wav");
    assertEquals(200, answer.status(), answer.body().toString());
    String id = idOf(answer.body());
    String unknown = id.startsWith("0") ? "1" + id.substring(1) : "0" + id.substring(1);
    for (String path : new String[] {"/recognitions/" + unknown, "/recognitions/" + unknown + "/explain"}) {
      HttpResponse<byte[]> r = get(path, token("alice"));
      assertEquals(404, r.statusCode(), path);
      assertEquals("{\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"no recognition "
          + unknown + " (unknown, or no longer kept: recognitions are kept for a while only)\"}}", text(r));
    }
    // Bob cannot read Alice's recognition: answered as an unknown id.
    for (String path : new String[] {"/recognitions/" + id, "/recognitions/" + id + "/explain"}) {
      HttpResponse<byte[]> r = get(path, token("bob"));
      assertEquals(404, r.statusCode(), path);
      assertEquals("{\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"no recognition "
          + id + " (unknown, or no longer kept: recognitions are kept for a while only)\"}}", text(r));
      assertEquals(401, get(path, null).statusCode());
      assertEquals(200, get(path, token("alice")).statusCode());
    }
    HttpResponse<byte[]> malformed = get("/recognitions/" + id.toUpperCase() + "/explain", token("alice"));
    assertEquals(400, malformed.statusCode());
    assertEquals("{\"ok\":false,\"error\":{\"code\":\"invalid_request\",\"message\":\"id is not a"
        + " recognition id (32 hex digits): " + id.toUpperCase() + "\"}}", text(malformed));
  }

  @Test
  void keepsTheLastRecognitionsAndDropsTheOldest() throws Exception {
    byte[] shortClip = Files.readAllBytes(Samples.noisyClip("blue-lantern.mp3", 2, 3, 10, 9, dir));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < KEPT + 2; i++) {
      ApiClient.Reply answer = alice.postBytes("/recognize", shortClip, "audio/wav");
      assertEquals(200, answer.status(), answer.body().toString());
      ids.add(idOf(answer.body()));
    }
    assertEquals(KEPT + 2, ids.stream().distinct().count());
    for (int i = 0; i < ids.size(); i++) {
      int status = get("/recognitions/" + ids.get(i), token("alice")).statusCode();
      assertEquals(i < 2 ? 404 : 200, status, "recognition " + i + " of " + ids.size());
    }
    assertEquals(404, get("/recognitions/" + ids.get(1) + "/explain", token("alice")).statusCode());
    assertEquals(200, get("/recognitions/" + ids.get(2) + "/explain", token("alice")).statusCode());
  }
}
