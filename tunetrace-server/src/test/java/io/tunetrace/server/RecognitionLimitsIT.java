package io.tunetrace.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunetrace.server.auth.Tokens;
import io.tunetrace.server.support.ApiClient;
import io.tunetrace.server.support.ItServices;
import io.tunetrace.server.support.ServerFixture;
import io.tunetrace.server.support.TestAudio;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every recognition is charged and bounded: HTTP, WebSocket clips and each window of a stream. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecognitionLimitsIT {
  private ServerFixture fx;
  private TuneTraceServer limited;
  private TuneTraceServer tight;

  @BeforeAll
  void start() throws Exception {
    fx = new ServerFixture();
    Map<String, String> env = fx.env();
    env.put("SERVER_ROLE", "api");
    env.put("RATE_LIMIT_RECOGNIZE_PER_MINUTE", "3");
    limited = fx.start(env);
    Map<String, String> tightEnv = fx.env();
    tightEnv.put("SERVER_ROLE", "api");
    tightEnv.put("QUEUE_PREFIX", fx.prefix + "-tight");
    tightEnv.put("RECOGNIZE_MAX_BYTES_IN_FLIGHT", Integer.toString(64 * 1024));
    tight = fx.start(tightEnv);
  }

  @AfterAll
  void stop() throws Exception {
    fx.close();
    ItServices.deleteRedisPrefix(fx.prefix + "-tight");
  }

  private ApiClient client(TuneTraceServer s, String subject) {
    return new ApiClient(s.port(), Tokens.issue(ServerFixture.SECRET, "tunetrace", subject, 3600));
  }

  @Test
  void webSocketClipsOnOneConnectionAreChargedLikeHttpRecognitions() throws Exception {
    ApiClient c = client(limited, "one-shots");
    byte[] clip = TestAudio.wav(TestAudio.song(1, 1.5));
    try (ApiClient.Socket ws = c.socket()) {
      for (int i = 0; i < 3; i++) {
        ws.sendBinary(clip);
        JsonNode answer = ws.next(30_000);
        assertTrue(answer.path("ok").asBoolean(), answer.toString());
      }
      ws.sendBinary(clip);
      JsonNode refused = ws.next(30_000);
      assertEquals("rate_limited", refused.path("error").path("code").asText(), refused.toString());
      assertEquals("too many recognitions; retry in a minute",
          refused.path("error").path("message").asText());
    }
    assertEquals(429, c.postBytes("/recognize", clip, "audio/wav").status(), "one bucket for both");
    assertEquals(200, client(limited, "someone-else").postBytes("/recognize", clip, "audio/wav")
        .status());
  }

  @Test
  void eachWindowOfAStreamIsCharged() throws Exception {
    ApiClient c = client(limited, "streamer");
    try (ApiClient.Socket ws = c.socket()) {
      ws.sendText("{\"type\": \"start\", \"sample_rate\": 8000, \"encoding\": \"f32le\"}");
      assertEquals("started", ws.next(10_000).path("type").asText());
      float[] audio = TestAudio.song(2, 9); // at 44.1 kHz; streamed as if 8 kHz: any audio will do
      ByteBuffer second = ByteBuffer.allocate(8000 * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int s = 0; s < 8; s++) {
        second.clear();
        for (int i = 0; i < 8000; i++) {
          second.putFloat(audio[s * 8000 + i]);
        }
        ws.sendBinary(second.array());
      }
      // Windows at 2, 3 and 4 s use up the three recognitions; the one at 5 s is refused, once.
      JsonNode refused = ws.next(30_000);
      assertEquals("rate_limited", refused.path("error").path("code").asText(), refused.toString());
      assertEquals("too many recognitions: stream windows are skipped until the rate limit allows"
          + " again", refused.path("error").path("message").asText());
      ws.sendText("{\"type\": \"stop\"}");
      JsonNode fin = ws.next(30_000);
      assertEquals("rate_limited", fin.path("error").path("code").asText(), "the final window too: " + fin);
    }
  }

  @Test
  void clipsBeyondTheMemoryBudgetAre503BusyWithRetryAfter() throws Exception {
    byte[] clip = TestAudio.wav(TestAudio.song(3, 2)); // 176 KB > the 64 KiB budget
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + tight.port() + "/recognize"))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + ServerFixture.token())
        .POST(HttpRequest.BodyPublishers.ofByteArray(clip)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(503, r.statusCode(), r.body());
    assertEquals("2", r.headers().firstValue("Retry-After").orElse(null));
    JsonNode body = ApiClient.JSON.readTree(r.body());
    assertEquals("busy", body.path("error").path("code").asText());
    assertEquals("server busy: recognitions in flight hold the memory budget; retry in 2 s",
        body.path("error").path("message").asText());
    try (ApiClient.Socket ws = client(tight, "ws").socket()) {
      ws.sendBinary(clip);
      assertEquals("busy", ws.next(30_000).path("error").path("code").asText());
    }
    ApiClient.Reply small = new ApiClient(tight.port(), ServerFixture.token())
        .postBytes("/recognize", TestAudio.wav(TestAudio.song(3, 0.7)), "audio/wav");
    assertEquals(400, small.status(), "a clip within the budget is recognized: " + small.body());
    assertEquals("clip_too_short", small.errorCode());
  }
}
