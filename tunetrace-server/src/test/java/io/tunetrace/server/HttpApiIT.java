package io.tunetrace.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunetrace.server.support.ApiClient;
import io.tunetrace.server.support.ItServices;
import io.tunetrace.server.support.RawHttp;
import io.tunetrace.server.support.ServerFixture;
import io.tunetrace.server.support.TestAudio;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The HTTP layer as a stranger meets it: bad input, unknown routes, what is open without a token,
 * duplicate uploads, slow clients — against a real server over PostgreSQL, Redis and S3Proxy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiIT {
  private ServerFixture fx;
  private TuneTraceServer server;
  private ApiClient api;
  private Path dataDir;

  @BeforeAll
  void start() throws Exception {
    fx = new ServerFixture();
    Map<String, String> env = fx.env();
    env.put("MAX_UPLOAD_BYTES", Integer.toString(8 * 1024 * 1024));
    dataDir = Path.of(env.get("DATA_DIR"));
    server = fx.start(env);
    api = new ApiClient(server.port(), ServerFixture.token());
  }

  @AfterAll
  void stop() throws Exception {
    fx.close();
    for (String suffix : new String[] {"-ops", "-ops2", "-slow"}) {
      ItServices.deleteRedisPrefix(fx.prefix + suffix);
    }
  }

  private long trackCount() {
    return server.tracks().count(Optional.empty());
  }

  private static Map<String, String> meta(String title, String artist) {
    return Map.of("title", title, "artist", artist);
  }

  /** A short WAV that no other upload of this class has (identical bytes are deduplicated). */
  private static byte[] uniqueWav(long seed) {
    return TestAudio.wav(TestAudio.song(seed, 1));
  }

  @Test
  void controlCharactersInFieldsAre400AndNoInternalsLeak() throws Exception {
    long before = trackCount();
    ApiClient.Reply nul = api.upload("/tracks", meta("Bad\u0000Title", "Synth"), "a.wav",
        uniqueWav(101), "audio/wav");
    assertEquals(400, nul.status(), nul.body().toString());
    assertEquals("invalid_request", nul.errorCode());
    assertEquals("title must not contain control characters (U+0000)", nul.errorMessage());
    ApiClient.Reply esc = api.upload("/tracks", meta("Fine", "A\u001b[31m"), "a.wav",
        uniqueWav(102), "audio/wav");
    assertEquals(400, esc.status());
    assertEquals("artist must not contain control characters (U+001B)", esc.errorMessage());
    for (ApiClient.Reply r : new ApiClient.Reply[] {nul, esc}) {
      String text = r.body().toString();
      for (String internal : new String[] {"INSERT", "SQL", "127.0.0.1", "Exception", "tracks ("}) {
        assertFalse(text.contains(internal), internal + " in " + text);
      }
    }
    assertEquals(before, trackCount());
  }

  @Test
  void titlesAreBoundedInCharactersNotUtf16Units() throws Exception {
    String notes150 = "\uD83C\uDFB5".repeat(150); // 150 characters, 300 UTF-16 units
    ApiClient.Reply ok = api.upload("/tracks", meta(notes150, "Emoji"), "e.wav", uniqueWav(201),
        "audio/wav");
    assertEquals(201, ok.status(), ok.body().toString());
    JsonNode stored = api.get("/tracks/" + ok.body().path("id").asText()).body();
    assertEquals(notes150, stored.path("title").asText());
    ApiClient.Reply tooLong = api.upload("/tracks", meta("\uD83C\uDFB5".repeat(201), "Emoji"),
        "e.wav", uniqueWav(202), "audio/wav");
    assertEquals(400, tooLong.status());
    assertEquals("title must be at most 200 characters", tooLong.errorMessage());
  }

  @Test
  void malformedMultipartBodiesAre400() throws Exception {
    String auth = "Authorization: Bearer " + ServerFixture.token() + "\r\n";
    RawHttp.Reply noBoundary = RawHttp.send(server.port(), "POST /tracks HTTP/1.1\r\nHost: t\r\n" + auth
        + "Content-Type: multipart/form-data\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
    assertEquals(400, noBoundary.status(), noBoundary.body());
    JsonNode a = ApiClient.JSON.readTree(noBoundary.body());
    assertEquals("invalid_request", a.path("error").path("code").asText());
    assertEquals("malformed multipart body: send multipart/form-data with a boundary and complete"
        + " parts", a.path("error").path("message").asText());

    String truncated = "--xyz\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nT\r\n"
        + "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
        + "Content-Type: audio/wav\r\n\r\nRIFF\u0000\u0000\u0000\u0000WAVEfmt ";
    RawHttp.Reply cut = RawHttp.send(server.port(), "POST /tracks HTTP/1.1\r\nHost: t\r\n" + auth
        + "Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: "
        + truncated.getBytes(StandardCharsets.ISO_8859_1).length + "\r\nConnection: close\r\n\r\n"
        + truncated);
    assertEquals(400, cut.status(), cut.body());
    assertEquals("invalid_request", ApiClient.JSON.readTree(cut.body()).path("error").path("code").asText());
  }

  @Test
  void unknownRoutesAre404AndWrongMethods405InTheErrorShape() throws Exception {
    ApiClient.Reply none = api.get("/nothing-here");
    assertEquals(404, none.status());
    assertFalse(none.body().path("ok").asBoolean(true), none.body().toString());
    assertEquals("not_found", none.errorCode());
    ApiClient.Reply put = api.send("PUT", "/tracks");
    assertEquals(405, put.status());
    assertEquals("method_not_allowed", put.errorCode(), put.body().toString());
    ApiClient.Reply deleteHealth = api.send("DELETE", "/health");
    assertEquals(405, deleteHealth.status());
    assertEquals("method_not_allowed", deleteHealth.errorCode());
  }

  @Test
  void anMp3HeaderBeforeRandomBytesIs415BeforeAnythingIsStored() throws Exception {
    byte[] fake = new byte[3 * 1024 * 1024];
    new Random(8).nextBytes(fake);
    // MPEG-1 layer III, 128 kbit/s, 44.1 kHz: one valid frame header, then noise.
    fake[0] = (byte) 0xFF;
    fake[1] = (byte) 0xFB;
    fake[2] = (byte) 0x90;
    fake[3] = (byte) 0x64;
    long before = trackCount();
    ApiClient.Reply up = api.upload("/tracks", meta("Noise", "Nobody"), "n.mp3", fake, "audio/mpeg");
    assertEquals(415, up.status(), up.body().toString());
    assertEquals("unsupported_media_type", up.errorCode());
    assertEquals("file is not audio (WAV, MP3, OGG, FLAC, M4A, WebM or AIFF)", up.errorMessage());
    assertEquals(before, trackCount());
    ApiClient.Reply clip = api.postBytes("/recognize", java.util.Arrays.copyOf(fake, 512 * 1024),
        "audio/mpeg");
    assertEquals(415, clip.status(), clip.body().toString());
    assertEquals("clip is not audio (WAV, MP3, OGG, FLAC, M4A, WebM or AIFF)", clip.errorMessage());
    try (var spooled = Files.list(dataDir.resolve("tmp"))) {
      assertEquals(0, spooled.filter(p -> p.getFileName().toString().startsWith("upload-")).count());
    }
  }

  @Test
  void anIdenticalUploadReturnsTheExistingTrack() throws Exception {
    byte[] wav = uniqueWav(301);
    long before = trackCount();
    ApiClient.Reply first = api.upload("/tracks", meta("Original", "Synth"), "a.wav", wav, "audio/wav");
    assertEquals(201, first.status(), first.body().toString());
    assertFalse(first.body().has("duplicate_of"), first.body().toString());
    String id = first.body().path("id").asText();
    ApiClient.Reply again = api.upload("/tracks", meta("Copy", "Someone"), "b.wav", wav, "audio/wav");
    assertEquals(200, again.status(), again.body().toString());
    assertEquals(id, again.body().path("duplicate_of").asText());
    assertEquals(id, again.body().path("id").asText());
    assertEquals(first.body().path("s3_key").asText(), again.body().path("s3_key").asText());
    assertEquals(id, again.body().path("track").path("id").asText());
    assertEquals("Original", again.body().path("track").path("title").asText());
    assertEquals(before + 1, trackCount());
  }

  @Test
  void anM4aClipWithItsIndexAtTheEndIsRecognizedOverHttpAndWebSocket() throws Exception {
    float[] song = TestAudio.song(601, 20);
    ApiClient.Reply up = api.upload("/tracks", meta("Phone", "Synth"), "p.wav", TestAudio.wav(song),
        "audio/wav");
    assertEquals(201, up.status(), up.body().toString());
    String id = up.body().path("id").asText();
    assertEquals("READY", api.awaitStatus(id, 60_000, "READY", "FAILED").path("status").asText());
    byte[] clip = TestAudio.m4a(TestAudio.slice(song, 5, 4), Files.createTempDirectory("m4a"));
    String text = new String(clip, StandardCharsets.ISO_8859_1);
    assertTrue(text.indexOf("moov") > text.indexOf("mdat"), "the clip must keep its index at the end");

    ApiClient.Reply http = api.postBytes("/recognize", clip, "audio/mp4");
    assertEquals(200, http.status(), http.body().toString());
    assertEquals(id, http.body().path("match").path("song_id").asText(), http.body().toString());
    try (ApiClient.Socket ws = api.socket()) {
      ws.sendBinary(clip);
      JsonNode m = ws.next(30_000);
      assertEquals(id, m.path("match").path("song_id").asText(), m.toString());
    }
  }

  @Test
  void theCatalogueNeedsATokenAndTheUrlCarriesOneOnlyForTheWebSocket() throws Exception {
    ApiClient anonymous = api.withToken(null);
    ApiClient.Reply list = anonymous.get("/tracks");
    assertEquals(401, list.status());
    assertEquals("missing credentials: send Authorization: Bearer <token>", list.errorMessage());
    assertEquals(401, anonymous.get("/tracks/" + UUID.randomUUID()).status());
    ApiClient.Reply inUrl = anonymous.get("/tracks?token=" + ServerFixture.token());
    assertEquals(401, inUrl.status());
    assertEquals("credentials in the URL are accepted only for the WebSocket upgrade (/ws/stream):"
        + " send Authorization: Bearer <token>", inUrl.errorMessage());
    assertEquals(200, api.get("/tracks").status());

    assertEquals(200, anonymous.get("/health").status());
    ApiClient.Reply metrics = anonymous.get("/metrics");
    assertEquals(401, metrics.status());
    assertEquals("unauthorized", metrics.errorCode());
    assertTrue(api.get("/metrics").body().asText().contains("tunetrace_queue_depth"));
    ApiClient.Reply ready = anonymous.get("/ready");
    assertEquals(200, ready.status());
    assertEquals("{\"ok\":true}", ready.body().toString());
    assertEquals("up", api.get("/ready").body().path("checks").path("database").asText());

    try (ApiClient.Socket ws = api.socket()) { // ?token=... on the upgrade
      ws.sendText("{\"type\": \"stop\"}");
      assertEquals("stop without start", ws.next(10_000).path("error").path("message").asText());
    }
  }

  @Test
  void opsAccessLoopbackServesMetricsAndReadinessDetailsToLocalClients() throws Exception {
    Map<String, String> env = fx.env();
    env.put("QUEUE_PREFIX", fx.prefix + "-ops");
    env.put("SERVER_ROLE", "api");
    env.put("OPS_ACCESS", "loopback");
    TuneTraceServer s = fx.start(env);
    ApiClient anonymous = new ApiClient(s.port(), null);
    ApiClient.Reply metrics = anonymous.get("/metrics");
    assertEquals(200, metrics.status());
    assertTrue(metrics.body().asText().contains("tunetrace_queue_depth"));
    assertEquals("up", anonymous.get("/ready").body().path("checks").path("redis").asText());
    assertEquals(401, anonymous.get("/tracks").status());
  }

  @Test
  void opsAccessLoopbackRefusesACallerFromAnotherAddressOfThisMachine() throws Exception {
    String address = nonLoopbackAddress();
    Map<String, String> env = fx.env();
    env.put("HOST", "0.0.0.0");
    env.put("QUEUE_PREFIX", fx.prefix + "-ops2");
    env.put("SERVER_ROLE", "api");
    env.put("OPS_ACCESS", "loopback");
    TuneTraceServer s = fx.start(env);
    // Connecting to this machine's own non-loopback address: the server sees that address as
    // the caller's, as it would a client on another machine.
    ApiClient remote = new ApiClient(address, s.port(), ServerFixture.token());
    String refused = "{\"ok\":false,\"error\":{\"code\":\"forbidden\",\"message\":"
        + "\"served to loopback clients only (OPS_ACCESS=loopback)\"}}";
    ApiClient.Reply metrics = remote.get("/metrics");
    assertEquals(403, metrics.status(), metrics.body().toString());
    assertEquals(refused, metrics.body().toString());
    assertEquals(refused, remote.withToken(null).get("/metrics").body().toString());
    ApiClient.Reply reindex = remote.send("POST", "/admin/reindex");
    assertEquals(403, reindex.status(), reindex.body().toString());
    assertEquals(refused, reindex.body().toString());
    ApiClient.Reply ready = remote.get("/ready");
    assertEquals(200, ready.status(), ready.body().toString());
    assertEquals("{\"ok\":true}", ready.body().toString()); // the status, not the details
    assertEquals(200, remote.get("/tracks").status()); // the client API is not an ops route

    ApiClient local = new ApiClient(s.port(), null);
    ApiClient.Reply localMetrics = local.get("/metrics");
    assertEquals(200, localMetrics.status(), localMetrics.body().toString());
    assertTrue(localMetrics.body().asText().contains("tunetrace_queue_depth"));
    assertEquals("up", local.get("/ready").body().path("checks").path("database").asText());
    assertEquals(200, local.send("POST", "/admin/reindex").status());
  }

  /** An IPv4 address of this machine that is not loopback (fails the test when there is none). */
  private static String nonLoopbackAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return a.getHostAddress();
        }
      }
    }
    throw new AssertionError("this machine has no non-loopback IPv4 address to call from");
  }

  @Test
  void aNullWebSocketMessageIsInvalidAndARefusedUpgradeAnswersInTheErrorShape() throws Exception {
    try (ApiClient.Socket ws = api.socket()) {
      ws.sendText("null");
      JsonNode reply = ws.next(10_000);
      assertEquals("invalid_message", reply.path("error").path("code").asText(), reply.toString());
      assertEquals("expected {\"type\": \"start\", \"sample_rate\", \"encoding\", \"channels\"} or"
          + " {\"type\": \"stop\"}", reply.path("error").path("message").asText());
      ws.sendText("{\"type\": \"stop\"}");
      assertEquals("stop without start", ws.next(10_000).path("error").path("message").asText(),
          "the connection stays open");
    }
    RawHttp.Reply refused = RawHttp.send(server.port(), "GET /ws/stream HTTP/1.1\r\nHost: t\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    assertEquals(401, refused.status(), refused.body());
    JsonNode body = ApiClient.JSON.readTree(refused.body());
    assertFalse(body.path("ok").asBoolean(true));
    assertEquals("unauthorized", body.path("error").path("code").asText());
    assertEquals("missing credentials: send Authorization: Bearer <token>",
        body.path("error").path("message").asText());
  }

  @Test
  void aClientTricklingHeadersOrBodyIsCutOff() throws Exception {
    Map<String, String> env = fx.env();
    env.put("QUEUE_PREFIX", fx.prefix + "-slow");
    env.put("SERVER_ROLE", "api");
    env.put("HTTP_IDLE_TIMEOUT_SECONDS", "2");
    env.put("HTTP_HEADER_TIMEOUT_SECONDS", "2");
    env.put("HTTP_REQUEST_TIMEOUT_SECONDS", "4");
    TuneTraceServer s = fx.start(env);
    assertEquals(200, new ApiClient(s.port(), null).get("/health").status());

    // One header line every 500 ms: never idle, but the headers never end.
    long headersCut = trickle(s.port(), "GET /health HTTP/1.1\r\nHost: t\r\n", "X-Slow: 1\r\n");
    assertTrue(headersCut >= 1_500 && headersCut < 6_000, "headers cut after " + headersCut + " ms");
    // Complete headers, then one body byte every 500 ms.
    long bodyCut = trickle(s.port(), "POST /recognize HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
        + ServerFixture.token() + "\r\nContent-Type: audio/wav\r\nContent-Length: 100000\r\n\r\n", "R");
    assertTrue(bodyCut >= 3_500 && bodyCut < 9_000, "body cut after " + bodyCut + " ms");
    assertEquals(200, new ApiClient(s.port(), null).get("/health").status());
    // An upgraded WebSocket is no longer an HTTP request: the deadlines do not cut it.
    try (ApiClient.Socket ws = new ApiClient(s.port(), ServerFixture.token()).socket()) {
      Thread.sleep(3_000);
      ws.sendText("{\"type\": \"stop\"}");
      assertEquals("stop without start", ws.next(10_000).path("error").path("message").asText());
      Thread.sleep(1_500);
      ws.sendText("{\"type\": \"stop\"}");
      assertEquals("stop without start", ws.next(10_000).path("error").path("message").asText());
    }
  }

  /**
   * Sends {@code start}, then {@code piece} every 500 ms until the server closes the connection;
   * returns how long that took (fails after 20 s).
   */
  private static long trickle(int port, String start, String piece) throws IOException {
    long t0 = System.nanoTime();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(start.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      while ((System.nanoTime() - t0) / 1_000_000 < 20_000) {
        try {
          if (in.read() < 0) {
            return (System.nanoTime() - t0) / 1_000_000;
          }
          // a response byte: read on until the close
          continue;
        } catch (SocketTimeoutException stillOpen) {
          // nothing yet
        } catch (IOException reset) {
          return (System.nanoTime() - t0) / 1_000_000;
        }
        try {
          out.write(piece.getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        } catch (IOException closed) {
          return (System.nanoTime() - t0) / 1_000_000;
        }
      }
    }
    throw new AssertionError("the server kept a trickling request open for 20 s");
  }
}
