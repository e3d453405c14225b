package io.tunetrace.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunetrace.server.config.ServerConfig;
import io.tunetrace.server.db.TrackRow;
import io.tunetrace.server.db.TrackStatus;
import io.tunetrace.server.support.ApiClient;
import io.tunetrace.server.support.ServerFixture;
import io.tunetrace.server.support.TestAudio;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Embedded mode: no PostgreSQL, Redis or S3 — the same API over files under DATA_DIR. */
class EmbeddedServerIT {
  private static TuneTraceServer start(Path dir) throws Exception {
    return TuneTraceServer.start(ServerConfig.fromEnv(Map.of("HOST", "127.0.0.1", "PORT", "0",
        "DATA_DIR", dir.toString(), "JOB_POLL_MILLIS", "100")));
  }

  /**
   * The embedded index directory lost while the server was down (the H2 store kept): the start-up
   * re-queues the READY track, which is fingerprinted again under a new id from the H2 sequence
   * and recognized.
   */
  @Test
  void aTrackWhoseIndexWasLostIsFingerprintedAgainAtStartUp() throws Exception {
    Path dir = Files.createTempDirectory("tt-embedded-lost");
    try {
      float[] song = TestAudio.song(78, 20);
      String id;
      int before;
      try (TuneTraceServer server = start(dir)) {
        ApiClient api = new ApiClient(server.port(), server.devToken());
        ApiClient.Reply up = api.upload("/tracks", Map.of("title", "Lost", "artist", "Me"),
            "l.wav", TestAudio.wav(song), "audio/wav");
        assertEquals(201, up.status(), up.body().toString());
        id = up.body().path("id").asText();
        assertEquals("READY", api.awaitStatus(id, 60_000, "READY", "FAILED").path("status").asText());
        before = server.tracks().find(UUID.fromString(id)).orElseThrow().indexId();
        assertEquals("{\"ok\":true,\"requeued\":0,\"ids\":[]}",
            api.send("POST", "/admin/reindex").body().toString());
      }
      ServerFixture.deleteTree(dir.resolve("index"));
      try (TuneTraceServer server = start(dir)) {
        ApiClient api = new ApiClient(server.port(), server.devToken());
        long deadline = System.nanoTime() + 60_000_000_000L;
        TrackRow row = server.tracks().find(UUID.fromString(id)).orElseThrow();
        while (!(row.status() == TrackStatus.READY && row.indexId() != before)) {
          assertTrue(System.nanoTime() < deadline, "not fingerprinted again: " + row);
          Thread.sleep(100);
          row = server.tracks().find(UUID.fromString(id)).orElseThrow();
        }
        assertTrue(row.indexId() > before, row.indexId() + " <= " + before);
        ApiClient.Reply match = api.postBytes("/recognize",
            TestAudio.wav(TestAudio.slice(song, 7, 3)), "audio/wav");
        assertEquals(id, match.body().path("match").path("song_id").asText(), match.body().toString());
      }
    } finally {
      ServerFixture.deleteTree(dir);
    }
  }

  @Test
  void uploadsFingerprintsAndRecognizesWithOnlyAJdkAndKeepsItAcrossRestarts() throws Exception {
    Path dir = Files.createTempDirectory("tt-embedded");
    float[] song = TestAudio.song(77, 20);
    String id;
    try (TuneTraceServer server = start(dir)) {
      assertNotNull(server.devToken());
      ApiClient api = new ApiClient(server.port(), server.devToken());
      ApiClient.Reply ready = api.get("/ready");
      assertEquals(200, ready.status());
      assertEquals("embedded", ready.body().path("mode").asText());
      assertEquals(401, api.withToken(null).postBytes("/recognize", TestAudio.wav(song), "audio/wav").status());
      ApiClient.Reply up = api.upload("/tracks", Map.of("title", "Local", "artist", "Me"), "l.wav",
          TestAudio.wav(song), "audio/wav");
      assertEquals(201, up.status(), up.body().toString());
      id = up.body().path("id").asText();
      assertEquals("READY", api.awaitStatus(id, 60_000, "READY", "FAILED").path("status").asText());
      assertTrue(Files.exists(dir.resolve("blobs").resolve(up.body().path("s3_key").asText())));
    }
    try (TuneTraceServer server = start(dir)) {
      ApiClient api = new ApiClient(server.port(), server.devToken());
      assertEquals("READY", api.get("/tracks/" + id).body().path("status").asText());
      try (ApiClient.Socket ws = api.socket()) {
        ws.sendBinary(TestAudio.wav(TestAudio.slice(song, 7, 3)));
        JsonNode m = ws.next(30_000);
        assertEquals(id, m.path("match").path("song_id").asText(), m.toString());
        assertTrue(Math.abs(m.path("match").path("delta_ms").asLong() - 7000) <= 100, m.toString());
        ServerIT.assertSameRecording(m.path("match"), id);
      }
    }
  }
}
