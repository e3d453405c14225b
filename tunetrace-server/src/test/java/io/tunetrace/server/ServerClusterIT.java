package io.tunetrace.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunetrace.server.index.RedisFingerprintIndex;
import io.tunetrace.server.support.ApiClient;
import io.tunetrace.server.support.ItServices;
import io.tunetrace.server.support.ServerFixture;
import io.tunetrace.server.support.TestAudio;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The server with its index on the three-master Redis Cluster that {@code .ci/run} starts
 * (REDIS_CLUSTER_NODES instead of REDIS_URL): upload, fingerprint, recognize, delete.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerClusterIT {
  private ServerFixture fx;
  private TuneTraceServer server;
  private ApiClient api;

  @BeforeAll
  void start() throws Exception {
    fx = new ServerFixture();
    Map<String, String> env = fx.env();
    env.remove("REDIS_URL");
    env.put("REDIS_CLUSTER_NODES", String.join(",", ItServices.REDIS_CLUSTER_NODES));
    server = fx.start(env);
    api = new ApiClient(server.port(), ServerFixture.token());
  }

  @AfterAll
  void stop() throws Exception {
    try {
      fx.close();
    } finally {
      ItServices.deleteRedisClusterPrefix(fx.prefix);
    }
  }

  @Test
  void uploadedSongsBecomeReadyAreRecognizedAndDeletedOnTheCluster() throws Exception {
    assertTrue(server.index() instanceof RedisFingerprintIndex r && r.isCluster());
    ApiClient.Reply ready = api.get("/ready");
    assertEquals(200, ready.status(), ready.body().toString());
    assertEquals("up", ready.body().path("checks").path("redis").asText());

    float[] songA = TestAudio.song(41, 30);
    float[] songB = TestAudio.song(42, 30);
    String idA = api.upload("/tracks", Map.of("title", "Cluster A", "artist", "Synth"), "a.wav",
        TestAudio.wav(songA), "audio/wav").body().path("id").asText();
    String idB = api.upload("/tracks", Map.of("title", "Cluster B", "artist", "Synth"), "b.wav",
        TestAudio.wav(songB), "audio/wav").body().path("id").asText();
    JsonNode readyA = api.awaitStatus(idA, 60_000, "READY", "FAILED");
    JsonNode readyB = api.awaitStatus(idB, 60_000, "READY", "FAILED");
    assertEquals("READY", readyA.path("status").asText(), readyA.toString());
    assertEquals("READY", readyB.path("status").asText(), readyB.toString());
    assertEquals(readyA.path("posting_count").asLong() + readyB.path("posting_count").asLong(),
        server.index().stats().postings());

    ApiClient.Reply http = api.postBytes("/recognize", TestAudio.wav(TestAudio.slice(songB, 12, 4)), "audio/wav");
    assertEquals(200, http.status(), http.body().toString());
    assertEquals(idB, http.body().path("match").path("song_id").asText(), http.body().toString());
    assertTrue(Math.abs(http.body().path("match").path("delta_ms").asLong() - 12_000) <= 150,
        http.body().toString());
    try (ApiClient.Socket ws = api.socket()) {
      ws.sendBinary(TestAudio.wav(TestAudio.slice(songA, 8, 4)));
      JsonNode m = ws.next(30_000);
      assertEquals(idA, m.path("match").path("song_id").asText(), m.toString());
      assertEquals("Cluster A", m.path("match").path("title").asText());
    }

    assertEquals(200, api.delete("/tracks/" + idA).status());
    assertEquals(readyB.path("posting_count").asLong(), server.index().stats().postings());
    ApiClient.Reply gone = api.postBytes("/recognize", TestAudio.wav(TestAudio.slice(songA, 8, 4)), "audio/wav");
    assertEquals(200, gone.status(), gone.body().toString());
    assertTrue(gone.body().path("match").isNull(), gone.body().toString());
  }
}
