package io.tunetrace.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tunetrace.server.support.ApiClient;
import io.tunetrace.server.support.ItServices;
import io.tunetrace.server.support.ServerFixture;
import io.tunetrace.server.support.TestAudio;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The same bytes uploaded to two API processes sharing one PostgreSQL at the same instant make
 * one track. The race is held open for real: the test locks the tracks table against inserts (not
 * reads) until both uploads have found no earlier copy, stored their object and wait to insert.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DuplicateUploadsIT {
  private ServerFixture fx;
  private TuneTraceServer first;
  private TuneTraceServer second;

  @BeforeAll
  void start() throws Exception {
    fx = new ServerFixture();
    first = fx.start(fx.env());
    Map<String, String> env = fx.env();
    env.put("SERVER_ROLE", "api");
    second = fx.start(env);
  }

  @AfterAll
  void stop() throws Exception {
    fx.close();
  }

  private Connection connect() throws Exception {
    return DriverManager.getConnection("jdbc:postgresql://" + ItServices.PG + "/" + ItServices.DB
        + "?currentSchema=" + fx.schema, "postgres", "");
  }

  /** Inserts into {@code tracks} that wait for a lock: the uploads that reached their insert. */
  private int waitingInserts(Connection c) throws Exception {
    try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM pg_locks l"
        + " JOIN pg_class r ON r.oid = l.relation JOIN pg_namespace n ON n.oid = r.relnamespace"
        + " WHERE NOT l.granted AND r.relname = 'tracks' AND n.nspname = ?")) {
      s.setString(1, fx.schema);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Test
  void twoProcessesReceivingTheSameBytesAtOnceMakeOneTrack() throws Exception {
    byte[] wav = TestAudio.wav(TestAudio.song(9301, 3));
    ApiClient a = new ApiClient(first.port(), ServerFixture.token());
    ApiClient b = new ApiClient(second.port(), ServerFixture.token());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<ApiClient.Reply>> replies = new ArrayList<>();
    try (Connection lock = connect(); Connection watch = connect()) {
      lock.setAutoCommit(false);
      try (Statement s = lock.createStatement()) {
        s.execute("LOCK TABLE tracks IN SHARE MODE"); // reads go on, inserts wait
      }
      replies.add(pool.submit(() -> a.upload("/tracks", Map.of("title", "One", "artist", "A"),
          "a.wav", wav, "audio/wav")));
      replies.add(pool.submit(() -> b.upload("/tracks", Map.of("title", "Two", "artist", "B"),
          "b.wav", wav, "audio/wav")));
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (waitingInserts(watch) < 2) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("both uploads did not reach their insert: "
              + waitingInserts(watch) + " waiting");
        }
        Thread.sleep(20);
      }
      lock.commit();
    }
    ApiClient.Reply r1 = replies.get(0).get(60, TimeUnit.SECONDS);
    ApiClient.Reply r2 = replies.get(1).get(60, TimeUnit.SECONDS);
    pool.shutdownNow();
    ApiClient.Reply created = r1.status() == 201 ? r1 : r2;
    ApiClient.Reply duplicate = created == r1 ? r2 : r1;
    assertEquals(201, created.status(), r1.body() + " / " + r2.body());
    assertFalse(created.body().has("duplicate_of"), created.body().toString());
    assertEquals(200, duplicate.status(), r1.body() + " / " + r2.body());
    String id = created.body().path("id").asText();
    assertEquals(id, duplicate.body().path("duplicate_of").asText(), duplicate.body().toString());
    assertEquals(id, duplicate.body().path("id").asText());
    assertEquals(created.body().path("s3_key").asText(), duplicate.body().path("s3_key").asText());
    assertEquals(id, duplicate.body().path("track").path("id").asText());
    assertEquals(1, first.tracks().count(Optional.empty()));
    assertEquals("READY", a.awaitStatus(id, 60_000, "READY", "FAILED").path("status").asText());
  }
}
