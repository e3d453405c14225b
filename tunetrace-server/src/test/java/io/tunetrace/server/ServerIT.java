package io.tunetrace.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunetrace.server.auth.Tokens;
import io.tunetrace.server.support.ApiClient;
import io.tunetrace.server.support.RawHttp;
import io.tunetrace.server.support.ServerFixture;
import io.tunetrace.server.support.TcpProxy;
import io.tunetrace.server.support.TestAudio;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The server over real PostgreSQL, Redis and S3 (S3Proxy), driven by a real HTTP/WS client. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerIT {
  private ServerFixture fx;
  private TuneTraceServer server;
  private ApiClient api;

  @BeforeAll
  void start() throws Exception {
    fx = new ServerFixture();
    Map<String, String> env = fx.env();
    env.put("MAX_UPLOAD_BYTES", Integer.toString(4 * 1024 * 1024));
    server = fx.start(env);
    api = new ApiClient(server.port(), ServerFixture.token());
  }

  @AfterAll
  void stop() throws Exception {
    fx.close();
    ItServicesCleanup.redisPrefix(fx.prefix + "-limits");
  }

  private static Map<String, String> meta(String title) {
    return Map.of("title", "  " + title + " ", "artist", "Synth");
  }

  @Test
  void healthAndReadyReportEveryDependency() throws Exception {
    assertEquals(200, api.get("/health").status());
    ApiClient.Reply ready = api.get("/ready");
    assertEquals(200, ready.status());
    assertEquals("up", ready.body().path("checks").path("database").asText());
    assertEquals("up", ready.body().path("checks").path("redis").asText());
    assertEquals("up", ready.body().path("checks").path("s3").asText());
    ApiClient.Reply metrics = api.get("/metrics");
    assertEquals(200, metrics.status());
    assertTrue(metrics.body().asText().contains("tunetrace_queue_depth"));
  }

  @Test
  void uploadsNeedValidCredentials() throws Exception {
    byte[] wav = TestAudio.wav(new float[100]);
    ApiClient.Reply none = api.withToken(null).upload("/tracks", meta("x"), "a.wav", wav, "audio/wav");
    assertEquals(401, none.status());
    assertFalse(none.body().path("ok").asBoolean(true));
    assertEquals("unauthorized", none.errorCode());
    assertEquals("missing credentials: send Authorization: Bearer <token>", none.errorMessage());
    String forged = Tokens.issue("not-the-secret-not-the-secret-xxxx", "tunetrace", "eve", 600);
    assertEquals("invalid token",
        api.withToken(forged).upload("/tracks", meta("x"), "a.wav", wav, "audio/wav").errorMessage());
    String expired = io.tunetrace.server.support.TestTokens.expired(ServerFixture.SECRET, "tunetrace", "bob", 60);
    ApiClient.Reply old = api.withToken(expired).upload("/tracks", meta("x"), "a.wav", wav, "audio/wav");
    assertEquals(401, old.status());
    assertEquals("token expired", old.errorMessage());
    assertEquals(401, api.withToken(forged).postBytes("/recognize", wav, "audio/wav").status());
    assertEquals(0, server.tracks().count(java.util.Optional.empty()));
  }

  @Test
  void validatesFieldsAndIds() throws Exception {
    ApiClient.Reply r = api.upload("/tracks", Map.of("title", "   ", "artist", "A"), "a.wav",
        TestAudio.wav(new float[100]), "audio/wav");
    assertEquals(400, r.status());
    assertEquals("invalid_request", r.errorCode());
    assertEquals("title is required", r.errorMessage());
    ApiClient.Reply longTitle = api.upload("/tracks", Map.of("title", "t".repeat(201), "artist", "A"),
        "a.wav", TestAudio.wav(new float[100]), "audio/wav");
    assertEquals("title must be at most 200 characters", longTitle.errorMessage());
    assertEquals("file is required",
        api.upload("/tracks", Map.of("title", "t", "artist", "a"), null, null, null).errorMessage());
    assertEquals(404, api.get("/tracks/" + java.util.UUID.randomUUID()).status());
    ApiClient.Reply bad = api.get("/tracks/nope");
    assertEquals(400, bad.status());
    assertEquals("id is not a UUID: nope", bad.errorMessage());
    assertEquals("status must be QUEUED, FINGERPRINTING, READY or FAILED: done",
        api.get("/tracks?status=done").errorMessage());
    assertEquals(404, api.get("/nothing-here").status());
  }

  @Test
  void oversizedUploadsAre413() throws Exception {
    // Declared length far over the limit: refused on the headers alone, the body never sent.
    RawHttp.Reply declared = uploadExpectingContinue(new byte[6 * 1024 * 1024]);
    assertEquals(413, declared.status(), declared.body());
    JsonNode d = ApiClient.JSON.readTree(declared.body());
    assertEquals("payload_too_large", d.path("error").path("code").asText());
    assertEquals("upload larger than 4194304 bytes", d.path("error").path("message").asText());
    // Declared within the multipart allowance, but the file part is over the limit: the
    // multipart parser's file-size limit.
    RawHttp.Reply parsed = uploadExpectingContinue(new byte[4 * 1024 * 1024 + 100_000]);
    assertEquals(413, parsed.status(), parsed.body());
    JsonNode p = ApiClient.JSON.readTree(parsed.body());
    assertEquals("payload_too_large", p.path("error").path("code").asText());
    assertEquals("upload larger than 4194304 bytes", p.path("error").path("message").asText());
    assertEquals(0, server.tracks().list(java.util.Optional.empty(), 500, 0).stream()
        .filter(t -> t.title().equals("big")).count());
  }

  /** A multipart upload of {@code file} whose body is sent only after 100 Continue. */
  private RawHttp.Reply uploadExpectingContinue(byte[] file) throws Exception {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.writeBytes(("--b0undary\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nbig\r\n"
        + "--b0undary\r\nContent-Disposition: form-data; name=\"artist\"\r\n\r\nSynth\r\n"
        + "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.wav\"\r\n"
        + "Content-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    body.writeBytes(file);
    body.writeBytes("\r\n--b0undary--\r\n".getBytes(StandardCharsets.ISO_8859_1));
    return RawHttp.sendExpectingContinue(server.port(), "POST /tracks HTTP/1.1\r\nHost: t\r\n"
        + "Authorization: Bearer " + ServerFixture.token() + "\r\n"
        + "Content-Type: multipart/form-data; boundary=b0undary\r\n"
        + "Content-Length: " + body.size() + "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.toByteArray());
  }

  @Test
  void aTextFileNamedSongMp3Is415AndNothingIsStored() throws Exception {
    long before = server.tracks().count(java.util.Optional.empty());
    ApiClient.Reply r = api.upload("/tracks", meta("text"), "song.mp3",
        "this is not audio, just text\n".repeat(100).getBytes(StandardCharsets.UTF_8), "audio/mpeg");
    assertEquals(415, r.status());
    assertEquals("unsupported_media_type", r.errorCode());
    assertEquals("file is not audio (WAV, MP3, OGG, FLAC, M4A, WebM or AIFF)", r.errorMessage());
    assertEquals(before, server.tracks().count(java.util.Optional.empty()));
  }

  @Test
  void uploadFingerprintAndRecognizeOverWebSocketAndHttp() throws Exception {
    float[] songA = TestAudio.song(11, 30);
    float[] songB = TestAudio.song(22, 30);
    ApiClient.Reply a = api.upload("/tracks", meta("Song A"), "a.wav", TestAudio.wav(songA), "audio/wav");
    assertEquals(201, a.status(), a.body().toString());
    assertEquals("QUEUED", a.body().path("status").asText());
    String idA = a.body().path("id").asText();
    assertTrue(a.body().path("s3_key").asText().matches("tracks/" + idA + "\\.wav"));
    Path tmp = Files.createTempDirectory("mp3");
    ApiClient.Reply b = api.upload("/tracks", meta("Song B"), "b.mp3", TestAudio.mp3(songB, tmp),
        "application/octet-stream");
    assertEquals(201, b.status(), b.body().toString());
    String idB = b.body().path("id").asText();
    JsonNode readyA = api.awaitStatus(idA, 60_000, "READY", "FAILED");
    JsonNode readyB = api.awaitStatus(idB, 60_000, "READY", "FAILED");
    assertEquals("READY", readyA.path("status").asText(), readyA.toString());
    assertEquals("READY", readyB.path("status").asText(), readyB.toString());
    assertEquals("Song A", readyA.path("title").asText());
    assertEquals("audio/mpeg", readyB.path("content_type").asText());
    assertTrue(readyA.path("posting_count").asLong() > 100);
    assertTrue(Math.abs(readyA.path("duration_ms").asLong() - 30_000) < 200, readyA.toString());

    try (ApiClient.Socket ws = api.socket()) {
      ws.sendBinary(TestAudio.wav(TestAudio.slice(songA, 10, 3)));
      JsonNode m = ws.next(30_000);
      assertTrue(m.path("ok").asBoolean(), m.toString());
      assertEquals(idA, m.path("match").path("song_id").asText(), m.toString());
      assertEquals("Song A", m.path("match").path("title").asText());
      assertEquals("Synth", m.path("match").path("artist").asText());
      assertTrue(m.path("match").path("confidence").asInt() > 5, m.toString());
      assertTrue(Math.abs(m.path("match").path("delta_ms").asLong() - 10_000) <= 100, m.toString());
      assertSameRecording(m.path("match"), idA);

      ws.sendBinary(TestAudio.wav(TestAudio.song(99, 3)));
      JsonNode none = ws.next(30_000);
      assertTrue(none.path("ok").asBoolean());
      assertTrue(none.path("match").isNull(), none.toString());

      ws.sendText("{\"type\": \"start\", \"sample_rate\": 3}");
      JsonNode invalid = ws.next(10_000);
      assertEquals("invalid_message", invalid.path("error").path("code").asText());
      assertEquals("sampleRate must be greater than or equal to 4000",
          invalid.path("error").path("message").asText());
      ws.sendBinary(TestAudio.wav(TestAudio.slice(songA, 1, 0.2)));
      JsonNode tooShort = ws.next(30_000);
      assertEquals("clip_too_short", tooShort.path("error").path("code").asText(), tooShort.toString());
      assertTrue(tooShort.path("error").path("message").asText().startsWith("clip too short: "));
      ws.sendText("not json");
      assertEquals("invalid_message", ws.next(10_000).path("error").path("code").asText());
    }

    ApiClient.Reply http = api.postBytes("/recognize", TestAudio.wav(TestAudio.slice(songB, 20, 3)), "audio/wav");
    assertEquals(200, http.status(), http.body().toString());
    assertEquals(idB, http.body().path("match").path("song_id").asText(), http.body().toString());
    assertTrue(Math.abs(http.body().path("match").path("delta_ms").asLong() - 20_000) <= 150);
    assertSameRecording(http.body().path("match"), idB);

    String metrics = api.get("/metrics").body().asText();
    assertTrue(metrics.contains("tunetrace_recognitions_total{result=\"match\"}"), metrics);
    assertTrue(metrics.contains("tunetrace_jobs_total{outcome=\"done\"}"));
    ApiClient.Reply list = api.get("/tracks?status=READY&limit=10");
    assertTrue(list.body().path("total").asLong() >= 2);

    // Streaming PCM: start, chunks of odd sizes, a pushed match, then stop.
    try (ApiClient.Socket ws = api.socket()) {
      ws.sendText("{\"type\": \"start\", \"sample_rate\": 44100, \"encoding\": \"pcm_s16le\", \"channels\": 1}");
      assertEquals("started", ws.next(10_000).path("type").asText());
      byte[] pcm = TestAudio.pcm16(TestAudio.slice(songB, 5, 12));
      for (int off = 0; off < pcm.length; off += 7777) {
        byte[] chunk = java.util.Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + 7777));
        ws.sendBinary(chunk);
      }
      JsonNode pushed = ws.next(30_000);
      assertEquals("match", pushed.path("type").asText(), pushed.toString());
      assertEquals(idB, pushed.path("match").path("song_id").asText());
      assertTrue(Math.abs(pushed.path("match").path("delta_ms").asLong() - 5_000) <= 150, pushed.toString());
      assertSameRecording(pushed.path("match"), idB);
      JsonNode update = ws.next(30_000);
      assertEquals("update", update.path("type").asText(), update.toString());
      assertEquals(idB, update.path("match").path("song_id").asText());
      assertSameRecording(update.path("match"), idB);
      assertTrue(update.path("stream_ms").asLong() - pushed.path("stream_ms").asLong() >= 5000);
      ws.sendText("{\"type\": \"stop\"}");
      JsonNode fin = ws.next(30_000);
      assertEquals("final", fin.path("type").asText());
      assertEquals(idB, fin.path("match").path("song_id").asText());
      assertSameRecording(fin.path("match"), idB);
    }

    // Delete removes row, object and postings.
    long postingsBefore = server.index().stats().postings();
    assertEquals(200, api.delete("/tracks/" + idA).status());
    assertEquals(404, api.get("/tracks/" + idA).status());
    assertEquals(postingsBefore - readyA.path("posting_count").asLong(), server.index().stats().postings());
    try (ApiClient.Socket ws = api.socket()) {
      ws.sendBinary(TestAudio.wav(TestAudio.slice(songA, 10, 3)));
      assertTrue(ws.next(30_000).path("match").isNull());
    }
  }

  @Test
  void aCorruptUploadFailsWithItsErrorAndOtherJobsGoOn() throws Exception {
    byte[] wav = TestAudio.wav(TestAudio.song(44, 5));
    byte[] corrupt = java.util.Arrays.copyOf(wav, 44 + 1000);
    java.nio.ByteBuffer.wrap(corrupt).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(22, (short) 0)
        .putInt(24, 0);
    ApiClient.Reply bad = api.upload("/tracks", meta("Corrupt"), "x.wav", corrupt, "audio/wav");
    assertEquals(201, bad.status(), bad.body().toString());
    ApiClient.Reply good = api.upload("/tracks", meta("Good"), "g.wav", wav, "audio/wav");
    JsonNode failed = api.awaitStatus(bad.body().path("id").asText(), 60_000, "FAILED", "READY");
    assertEquals("FAILED", failed.path("status").asText());
    assertFalse(failed.path("last_error").asText().isEmpty());
    assertEquals(1, failed.path("attempts").asInt());
    assertEquals("READY", api.awaitStatus(good.body().path("id").asText(), 60_000, "READY", "FAILED")
        .path("status").asText());
  }

  @Test
  void redisDownMeansNotReadyAnd503ThenJobsFinishWhenItReturns() throws Exception {
    try (TcpProxy redis = new TcpProxy(6379)) {
      Map<String, String> env = fx.env();
      env.put("REDIS_URL", "redis://127.0.0.1:" + redis.port());
      env.put("QUEUE_PREFIX", fx.prefix + "-down");
      TuneTraceServer s = fx.start(env);
      ApiClient c = new ApiClient(s.port(), ServerFixture.token());
      redis.down();
      ApiClient.Reply ready = c.get("/ready");
      assertEquals(503, ready.status());
      assertTrue(ready.body().path("checks").path("redis").asText().startsWith("down"));
      assertEquals("redis is not reachable", ready.errorMessage());
      byte[] clip = TestAudio.wav(TestAudio.song(55, 3));
      ApiClient.Reply rec = c.postBytes("/recognize", clip, "audio/wav");
      assertEquals(503, rec.status());
      assertEquals("unavailable", rec.errorCode());
      try (ApiClient.Socket ws = c.socket()) {
        ws.sendBinary(clip);
        assertEquals("unavailable", ws.next(30_000).path("error").path("code").asText());
      }
      ApiClient.Reply up = c.upload("/tracks", meta("While down"), "d.wav",
          TestAudio.wav(TestAudio.song(56, 5)), "audio/wav");
      assertEquals(201, up.status());
      String id = up.body().path("id").asText();
      long deadline = System.currentTimeMillis() + 20_000;
      while (c.get("/tracks/" + id).body().path("last_error").isNull()) {
        assertTrue(System.currentTimeMillis() < deadline, "job never attempted");
        Thread.sleep(100);
      }
      JsonNode waiting = c.get("/tracks/" + id).body();
      assertTrue(waiting.path("last_error").asText().startsWith("waiting for a dependency: redis unavailable"),
          waiting.toString());
      Thread.sleep(1500);
      redis.up();
      JsonNode done = c.awaitStatus(id, 60_000, "READY", "FAILED");
      assertEquals("READY", done.path("status").asText(), done.toString());
      assertEquals(1, done.path("attempts").asInt(), "outage retries must not count as attempts");
      assertEquals(200, c.get("/ready").status());
      ItServicesCleanup.redisPrefix(fx.prefix + "-down");
    }
  }

  @Test
  void s3DownAtUploadLeavesNoTrackRow() throws Exception {
    try (var s3 = new io.tunetrace.server.support.S3ProxyProcess()) {
      Map<String, String> env = fx.env();
      env.put("S3_ENDPOINT", s3.endpoint());
      env.put("QUEUE_PREFIX", fx.prefix + "-s3");
      env.put("SERVER_ROLE", "api");
      TuneTraceServer s = fx.start(env);
      ApiClient c = new ApiClient(s.port(), ServerFixture.token());
      long before = s.tracks().count(java.util.Optional.empty());
      s3.stop();
      ApiClient.Reply r = c.upload("/tracks", meta("No S3"), "a.wav",
          TestAudio.wav(TestAudio.song(66, 2)), "audio/wav");
      assertEquals(503, r.status(), r.body().toString());
      assertEquals("unavailable", r.errorCode());
      assertEquals("object storage unavailable; retry later", r.errorMessage());
      assertEquals(before, s.tracks().count(java.util.Optional.empty()));
      assertEquals(503, c.get("/ready").status());
      ItServicesCleanup.redisPrefix(fx.prefix + "-s3");
    }
  }

  @Test
  void recognitionAndWebSocketConnectionsAreRateLimitedAndLongStreamsCut() throws Exception {
    Map<String, String> env = fx.env();
    env.put("QUEUE_PREFIX", fx.prefix + "-limits");
    env.put("RATE_LIMIT_RECOGNIZE_PER_MINUTE", "2");
    env.put("RATE_LIMIT_WS_PER_MINUTE", "2");
    env.put("MAX_STREAM_SECONDS", "5");
    env.put("SERVER_ROLE", "api");
    TuneTraceServer s = fx.start(env);
    ApiClient c = new ApiClient(s.port(), ServerFixture.token());
    byte[] clip = TestAudio.wav(TestAudio.song(88, 2));
    assertEquals(200, c.postBytes("/recognize", clip, "audio/wav").status());
    assertEquals(200, c.postBytes("/recognize", clip, "audio/wav").status());
    ApiClient.Reply limited = c.postBytes("/recognize", clip, "audio/wav");
    assertEquals(429, limited.status());
    assertEquals("too many recognitions; retry in a minute", limited.errorMessage());
    try (ApiClient.Socket ws = c.socket()) {
      ws.sendText("{\"type\": \"start\", \"sample_rate\": 8000, \"encoding\": \"f32le\"}");
      assertEquals("started", ws.next(10_000).path("type").asText());
      ws.sendBinary(new byte[8000 * 4 * 6]);
      JsonNode cut = ws.next(30_000);
      assertEquals("stream_too_long", cut.path("error").path("code").asText(), cut.toString());
      assertEquals("stream longer than 5 s", cut.path("error").path("message").asText());
      assertEquals(1008, ws.next(10_000).path("closed").asInt());
    }
    try (ApiClient.Socket ws = c.socket()) {
      ws.sendText("{\"type\": \"stop\"}");
      assertEquals("stop without start", ws.next(10_000).path("error").path("message").asText());
    }
    java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> c.socket().close());
    assertEquals(429, ((java.net.http.WebSocketHandshakeException) refused.getCause()).getResponse()
        .statusCode());
  }

  @Test
  void apiOnlyAndWorkerOnlyProcessesShareTheQueue() throws Exception {
    Map<String, String> api = fx.env();
    api.put("QUEUE_PREFIX", fx.prefix + "-roles");
    api.put("SERVER_ROLE", "api");
    Map<String, String> worker = new java.util.HashMap<>(api);
    worker.put("SERVER_ROLE", "worker");
    TuneTraceServer front = fx.start(api);
    TuneTraceServer back = fx.start(worker);
    assertEquals(-1, back.port());
    assertEquals(null, front.workers());
    ApiClient c = new ApiClient(front.port(), ServerFixture.token());
    ApiClient.Reply r = c.upload("/tracks", meta("Roles"), "r.wav", TestAudio.wav(TestAudio.song(99, 6)), "audio/wav");
    assertEquals("READY", c.awaitStatus(r.body().path("id").asText(), 60_000, "READY", "FAILED")
        .path("status").asText());
    ItServicesCleanup.redisPrefix(fx.prefix + "-roles");
  }

  @Test
  void theJavaClientUploadsAFileAndRecognizesOverTheWebSocket() throws Exception {
    var client = new io.tunetrace.client.TuneTraceClient("http://127.0.0.1:" + server.port(),
        ServerFixture.token());
    float[] song = TestAudio.song(321, 15);
    Path file = Files.createTempFile("client", ".wav");
    Files.write(file, TestAudio.wav(song));
    var r = client.upload(file, "Client", "Java", "Album");
    assertEquals(201, r.status(), r.body());
    String id = ApiClient.JSON.readTree(r.body()).path("id").asText();
    assertEquals("Album", api.awaitStatus(id, 60_000, "READY", "FAILED").path("album").asText());
    String answer = client.recognizeWebSocket(TestAudio.wav(TestAudio.slice(song, 4, 3)),
        java.time.Duration.ofSeconds(30));
    assertEquals(id, ApiClient.JSON.readTree(answer).path("match").path("song_id").asText(), answer);
    assertSameRecording(ApiClient.JSON.readTree(answer).path("match"), id);
    var bad = new io.tunetrace.client.TuneTraceClient("http://127.0.0.1:" + server.port(), "x")
        .recognizeHttp(TestAudio.wav(TestAudio.slice(song, 4, 3)));
    assertEquals(401, bad.status());
    java.io.IOException refused = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
        () -> new io.tunetrace.client.TuneTraceClient("http://127.0.0.1:" + server.port(), "x")
            .recognizeWebSocket(new byte[10], java.time.Duration.ofSeconds(10)));
    assertTrue(refused.getMessage().startsWith("server refused the WebSocket: HTTP 401"), refused.getMessage());
  }

  /**
   * Every match object lists the other copies of its recording: an array (empty while the library
   * holds one copy of each song), whose entries name other tracks in full.
   */
  static void assertSameRecording(JsonNode match, String songId) {
    JsonNode copies = match.path("same_recording");
    assertTrue(copies.isArray(), match.toString());
    for (JsonNode copy : copies) {
      assertFalse(copy.path("track_id").asText().equals(songId), match.toString());
      for (String field : List.of("track_id", "title", "artist", "path", "delta_ms", "score")) {
        assertTrue(copy.has(field), field + " in " + match);
      }
    }
  }

  /** Extra prefixes used by single tests. */
  static final class ItServicesCleanup {
    static void redisPrefix(String prefix) {
      io.tunetrace.server.support.ItServices.deleteRedisPrefix(prefix);
    }
  }
}
