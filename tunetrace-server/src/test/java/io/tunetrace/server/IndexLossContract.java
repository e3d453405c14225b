package io.tunetrace.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunetrace.server.db.TrackRow;
import io.tunetrace.server.db.TrackStatus;
import io.tunetrace.server.support.ApiClient;
import io.tunetrace.server.support.ServerFixture;
import io.tunetrace.server.support.TestAudio;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A Redis index that lost its data (restarted without persistence), simulated by deleting every
 * key under this class's own prefix: index ids still never repeat (they come from the database's
 * sequence), and the READY tracks left pointing at nothing are re-queued, fingerprinted again and
 * recognized — by {@code POST /admin/reindex} and at a worker's start-up. Run against one Redis
 * ({@code IndexLossIT}) and the Redis Cluster ({@code IndexLossClusterIT}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IndexLossContract {
  protected ServerFixture fx;
  private Map<String, String> env;
  private TuneTraceServer server;
  private ApiClient api;

  /** Points {@code env} at the index under test (REDIS_URL or REDIS_CLUSTER_NODES). */
  protected abstract void useIndex(Map<String, String> env);

  /** Deletes every key under the prefix: what a Redis restart without persistence leaves. */
  protected abstract void wipe(String prefix);

  @BeforeAll
  void start() throws Exception {
    fx = new ServerFixture();
    env = fx.env();
    useIndex(env);
    server = fx.start(env);
    api = new ApiClient(server.port(), ServerFixture.token());
  }

  @AfterAll
  void stop() throws Exception {
    try {
      fx.close();
    } finally {
      wipe(fx.prefix);
    }
  }

  private String uploadReady(String title, float[] song) throws Exception {
    ApiClient.Reply up = api.upload("/tracks", Map.of("title", title, "artist", "Synth"), "s.wav",
        TestAudio.wav(song), "audio/wav");
    assertEquals(201, up.status(), up.body().toString());
    String id = up.body().path("id").asText();
    JsonNode ready = api.awaitStatus(id, 60_000, "READY", "FAILED");
    assertEquals("READY", ready.path("status").asText(), ready.toString());
    return id;
  }

  private TrackRow row(String id) {
    return server.tracks().find(UUID.fromString(id)).orElseThrow();
  }

  /** The song id a 4-second clip from second 6 of {@code song} is recognized as, or "null". */
  private String recognize(float[] song) throws Exception {
    ApiClient.Reply r = api.postBytes("/recognize", TestAudio.wav(TestAudio.slice(song, 6, 4)),
        "audio/wav");
    assertEquals(200, r.status(), r.body().toString());
    JsonNode match = r.body().path("match");
    return match.isNull() ? "null" : match.path("song_id").asText();
  }

  /** Polls until the track is READY under another index id than {@code oldIndexId}. */
  private TrackRow awaitReindexed(String id, int oldIndexId) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    TrackRow r = row(id);
    while (System.nanoTime() < deadline) {
      r = row(id);
      if (r.status() == TrackStatus.READY && r.indexId() != null && r.indexId() != oldIndexId) {
        return r;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("track " + id + " not fingerprinted again: " + r);
  }

  @Test
  void aNewTrackNeverTakesTheIndexIdOfATrackRedisForgotAndDeletingTheOldOneSparesIt()
      throws Exception {
    float[] songA = TestAudio.song(8101, 20);
    float[] songB = TestAudio.song(8102, 20);
    String a = uploadReady("Forgotten", songA);
    int idA = row(a).indexId();
    wipe(fx.prefix);
    assertEquals("null", recognize(songA));

    String b = uploadReady("Newcomer", songB);
    int idB = row(b).indexId();
    assertNotEquals(idA, idB);
    assertTrue(idB > idA, idB + " <= " + idA);
    assertEquals(b, recognize(songB));
    assertEquals(List.of(idB), server.index().tracks().stream().map(t -> t.id()).toList());

    // A's row still names idA: deleting A must not touch B's postings.
    assertEquals(200, api.delete("/tracks/" + a).status());
    assertEquals(b, recognize(songB));
    assertEquals(row(b).postingCount().longValue(), server.index().stats().postings());
    assertEquals(200, api.delete("/tracks/" + b).status());
  }

  @Test
  void adminReindexRequeuesReadyTracksWhosePostingsAreGoneAndTheyAreRecognizedAgain()
      throws Exception {
    float[] songC = TestAudio.song(8103, 20);
    float[] songD = TestAudio.song(8104, 20);
    String c = uploadReady("Lost", songC);
    int idC = row(c).indexId();
    assertEquals(c, recognize(songC));
    ApiClient.Reply nothing = api.send("POST", "/admin/reindex");
    assertEquals(200, nothing.status(), nothing.body().toString());
    assertEquals("{\"ok\":true,\"requeued\":0,\"ids\":[]}", nothing.body().toString());

    wipe(fx.prefix);
    assertEquals("null", recognize(songC));
    String d = uploadReady("Kept", songD); // indexed after the loss: must not be re-queued
    int idD = row(d).indexId();

    ApiClient.Reply reindex = api.send("POST", "/admin/reindex");
    assertEquals(200, reindex.status(), reindex.body().toString());
    assertEquals("{\"ok\":true,\"requeued\":1,\"ids\":[\"" + c + "\"]}", reindex.body().toString());
    TrackRow again = awaitReindexed(c, idC);
    assertTrue(again.indexId() > idD, again.indexId() + " <= " + idD);
    assertEquals(null, again.lastError());
    assertEquals(c, recognize(songC));
    assertEquals(d, recognize(songD));
    assertEquals(idD, row(d).indexId());
    assertEquals("{\"ok\":true,\"requeued\":0,\"ids\":[]}",
        api.send("POST", "/admin/reindex").body().toString());

    ApiClient.Reply anonymous = api.withToken(null).send("POST", "/admin/reindex");
    assertEquals(401, anonymous.status(), anonymous.body().toString());
    assertEquals("unauthorized", anonymous.errorCode());
    assertEquals(200, api.delete("/tracks/" + c).status());
    assertEquals(200, api.delete("/tracks/" + d).status());
  }

  @Test
  void aWorkerStartingAfterRedisLostItsDataRequeuesTheReadyTracks() throws Exception {
    float[] songE = TestAudio.song(8105, 20);
    String e = uploadReady("Restarted", songE);
    int idE = row(e).indexId();
    server.close();
    wipe(fx.prefix);
    server = fx.start(env);
    api = new ApiClient(server.port(), ServerFixture.token());

    TrackRow again = awaitReindexed(e, idE);
    assertTrue(again.indexId() > idE, again.indexId() + " <= " + idE);
    assertEquals(e, recognize(songE));
    assertEquals(200, api.delete("/tracks/" + e).status());
  }
}
