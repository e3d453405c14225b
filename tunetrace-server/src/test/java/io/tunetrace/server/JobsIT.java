package io.tunetrace.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunetrace.server.blob.S3BlobStore;
import io.tunetrace.server.config.ServerConfig;
import io.tunetrace.server.db.Database;
import io.tunetrace.server.db.TrackStatus;
import io.tunetrace.server.db.TrackStore;
import io.tunetrace.server.jobs.FingerprintJobHandler;
import io.tunetrace.server.jobs.Job;
import io.tunetrace.server.jobs.JobHandler;
import io.tunetrace.server.jobs.JobQueue;
import io.tunetrace.server.jobs.WorkerPool;
import io.tunetrace.server.metrics.Metrics;
import io.tunetrace.server.support.ApiClient;
import io.tunetrace.server.support.ItServices;
import io.tunetrace.server.support.S3ProxyProcess;
import io.tunetrace.server.support.ServerFixture;
import io.tunetrace.server.support.TcpProxy;
import io.tunetrace.server.support.TestAudio;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Background jobs over real PostgreSQL, Redis and S3 (S3Proxy): what reaches FAILED and why,
 * crashes and shutdowns, deletes during outages, worker health.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobsIT {
  private ServerFixture fx;
  private TuneTraceServer server;
  private ApiClient api;

  @BeforeAll
  void start() throws Exception {
    fx = new ServerFixture();
    Map<String, String> env = fx.env();
    env.put("MAX_TRACK_SECONDS", "6");
    server = fx.start(env);
    api = new ApiClient(server.port(), ServerFixture.token());
  }

  @AfterAll
  void stop() throws Exception {
    fx.close();
    for (String suffix : new String[] {"-crash", "-kill", "-shutdown", "-redis", "-workers"}) {
      ItServices.deleteRedisPrefix(fx.prefix + suffix);
    }
  }

  private static Map<String, String> meta(String title) {
    return Map.of("title", title, "artist", "Synth");
  }

  private String upload(ApiClient c, String title, byte[] wav) throws Exception {
    ApiClient.Reply r = c.upload("/tracks", meta(title), "a.wav", wav, "audio/wav");
    assertEquals(201, r.status(), r.body().toString());
    return r.body().path("id").asText();
  }

  /** A canonical WAV of {@code samples} declaring {@code rateHz}. */
  private static byte[] wavAt(float[] samples, int rateHz) {
    byte[] wav = TestAudio.wav(samples);
    ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).putInt(24, rateHz).putInt(28, rateHz * 2);
    return wav;
  }

  @Test
  void tracksWithoutFingerprintsTooLongOrAtAnUnservableRateFailWithTheReason() throws Exception {
    String silence = upload(api, "Five seconds of silence", TestAudio.wav(new float[44_100 * 5]));
    String oneSample = upload(api, "One sample", TestAudio.wav(new float[1]));
    String tooLong = upload(api, "Eight seconds", TestAudio.wav(TestAudio.song(5, 8)));
    String oneHertz = upload(api, "One hertz", wavAt(new float[2000], 1));
    String tenMegahertz = upload(api, "Ten megahertz", wavAt(new float[2000], 9_999_991));
    String fine = upload(api, "Five seconds", TestAudio.wav(TestAudio.song(6, 5)));

    for (String id : new String[] {silence, oneSample}) {
      JsonNode t = api.awaitStatus(id, 60_000, "FAILED", "READY");
      assertEquals("FAILED", t.path("status").asText(), t.toString());
      String error = t.path("last_error").asText();
      assertTrue(error.startsWith("no fingerprints: ") && error.endsWith(" ms of audio without a"
          + " single landmark (silence, or too short to recognize); upload the song itself"), error);
      assertEquals(1, t.path("attempts").asInt(), "permanent: not retried");
    }
    JsonNode longOne = api.awaitStatus(tooLong, 60_000, "FAILED", "READY");
    assertEquals("FAILED", longOne.path("status").asText());
    assertEquals("track too long: audio longer than 6 s: decoding stopped there (the limit is"
        + " MAX_TRACK_SECONDS=6; split the file or raise it)", longOne.path("last_error").asText());
    assertEquals("WAV: sample rate 1 Hz is not supported (4000-384000 Hz)",
        api.awaitStatus(oneHertz, 60_000, "FAILED", "READY").path("last_error").asText());
    assertEquals("WAV: sample rate 9999991 Hz is not supported (4000-384000 Hz)",
        api.awaitStatus(tenMegahertz, 60_000, "FAILED", "READY").path("last_error").asText());
    JsonNode ok = api.awaitStatus(fine, 60_000, "READY", "FAILED");
    assertEquals("READY", ok.path("status").asText(), ok.toString());
    assertTrue(ok.path("posting_count").asLong() > 0);
  }

  @Test
  void aFailedTrackCanBeQueuedAgainWithPostRetry() throws Exception {
    String id = upload(api, "Silence", TestAudio.wav(new float[44_100]));
    JsonNode failed = api.awaitStatus(id, 60_000, "FAILED", "READY");
    assertEquals("FAILED", failed.path("status").asText());
    assertEquals(401, api.withToken(null).postBytes("/tracks/" + id + "/retry", new byte[0],
        "application/json").status());
    ApiClient.Reply retried = api.postBytes("/tracks/" + id + "/retry", new byte[0], "application/json");
    assertEquals(202, retried.status(), retried.body().toString());
    assertEquals("QUEUED", retried.body().path("status").asText());
    assertEquals(id, retried.body().path("id").asText());
    // It runs again (and fails again for the same reason: the audio is silence).
    long deadline = System.currentTimeMillis() + 60_000;
    while (server.queue().stateOf(UUID.fromString(id)).orElseThrow().equals("WAITING")
        || server.queue().stateOf(UUID.fromString(id)).orElseThrow().equals("ACTIVE")) {
      assertTrue(System.currentTimeMillis() < deadline, "never ran again");
      Thread.sleep(50);
    }
    JsonNode again = api.get("/tracks/" + id).body();
    assertEquals("FAILED", again.path("status").asText());
    assertEquals(1, again.path("attempts").asInt(), "fresh attempts: " + again);

    String good = upload(api, "Good", TestAudio.wav(TestAudio.song(7, 4)));
    api.awaitStatus(good, 60_000, "READY");
    ApiClient.Reply conflict = api.postBytes("/tracks/" + good + "/retry", new byte[0], "application/json");
    assertEquals(409, conflict.status());
    assertEquals("conflict", conflict.errorCode());
    assertEquals("track " + good + " is READY: only a FAILED track can be retried",
        conflict.errorMessage());
    assertEquals(404, api.postBytes("/tracks/" + UUID.randomUUID() + "/retry", new byte[0],
        "application/json").status());
  }

  /**
   * A worker killed after writing postings (here: its process loses the database and hangs, so
   * it can neither renew the lease nor acknowledge): another process takes the job over when the
   * lease runs out, removes the leftover postings, and the lost run is not counted as an attempt.
   */
  @Test
  void aWorkerKilledAfterWritingPostingsIsTakenOverWithoutDuplicatesOrALostAttempt() throws Exception {
    Map<String, String> env = fx.env();
    env.put("JOB_LEASE_SECONDS", "2");
    env.put("WORKER_CONCURRENCY", "0");
    env.put("QUEUE_PREFIX", fx.prefix + "-crash");
    TuneTraceServer front = fx.start(env);
    ApiClient c = new ApiClient(front.port(), ServerFixture.token());

    ServerConfig config = ServerConfig.fromEnv(env);
    Database doomedDb = Database.open(config.database.orElseThrow(), 2);
    JobQueue doomedQueue = new JobQueue(doomedDb, config.queuePrefix, config.jobMaxAttempts,
        config.jobLeaseMillis, config.jobBackoffMillis);
    S3BlobStore doomedBlobs = new S3BlobStore(config.s3.orElseThrow());
    FingerprintJobHandler real = new FingerprintJobHandler(doomedBlobs,
        new TrackStore(doomedDb, doomedQueue), front.index(), Files.createTempDirectory("doomed"),
        config.maxTrackMillis);
    CountDownLatch written = new CountDownLatch(1);
    JobHandler dying = new JobHandler() {
      @Override
      public Optional<Result> run(Job job) throws Exception {
        Optional<Result> r = real.run(job);
        doomedDb.close(); // the process is gone: no renewal, no acknowledgement
        written.countDown();
        Thread.sleep(Long.MAX_VALUE);
        return r;
      }

      @Override
      public void undo(Result result) {
        throw new AssertionError("a dead process undoes nothing");
      }
    };
    WorkerPool doomed = new WorkerPool(doomedQueue, dying, new Metrics(), 1, 100, 0);
    try {
      doomed.start();
      ApiClient.Reply r = c.upload("/tracks", meta("Crash"), "c.wav",
          TestAudio.wav(TestAudio.song(33, 20)), "audio/wav");
      String id = r.body().path("id").asText();
      String key = r.body().path("s3_key").asText();
      assertTrue(written.await(60, TimeUnit.SECONDS), "postings never written");
      assertEquals(1, front.index().tracks().stream()
          .filter(t -> t.metadata().sourcePath().equals(key)).count());
      assertEquals("FINGERPRINTING", c.get("/tracks/" + id).body().path("status").asText());

      Map<String, String> workerEnv = new java.util.HashMap<>(env);
      workerEnv.put("SERVER_ROLE", "worker");
      workerEnv.put("WORKER_CONCURRENCY", "1");
      TuneTraceServer back = fx.start(workerEnv);
      JsonNode ready = c.awaitStatus(id, 60_000, "READY", "FAILED");
      assertEquals("READY", ready.path("status").asText(), ready.toString());
      assertEquals(1, ready.path("attempts").asInt(), "a run lost to a crash is not an attempt");
      var copies = back.index().tracks().stream()
          .filter(t -> t.metadata().sourcePath().equals(key)).toList();
      assertEquals(1, copies.size());
      assertEquals(ready.path("posting_count").asLong(), copies.get(0).postingCount());
      assertEquals(ready.path("posting_count").asLong(), back.index().stats().postings());
    } finally {
      doomed.close();
      doomedBlobs.close();
    }
  }

  /**
   * A real kill -9: a worker process (its own JVM) is killed while it fingerprints. The next
   * worker to start on the same DATA_DIR deletes the dead process's download at once, takes the
   * job over when the lease runs out, and the killed run is not counted as an attempt.
   */
  @Test
  void aWorkerProcessKilledWithSigkillLeavesNoFileBehindAndCostsNoAttempt() throws Exception {
    Map<String, String> env = fx.env();
    env.put("QUEUE_PREFIX", fx.prefix + "-kill");
    env.put("JOB_LEASE_SECONDS", "2");
    env.put("SERVER_ROLE", "api");
    TuneTraceServer front = fx.start(env);
    ApiClient c = new ApiClient(front.port(), ServerFixture.token());
    String id = upload(c, "Killed", TestAudio.wav(TestAudio.song(124, 240)));

    Map<String, String> workerEnv = new java.util.HashMap<>(env);
    workerEnv.put("SERVER_ROLE", "worker");
    workerEnv.put("WORKER_CONCURRENCY", "1");
    Path tmp = Path.of(env.get("DATA_DIR")).resolve("tmp");
    Path log = Files.createTempFile("worker", ".log");
    ProcessBuilder pb = new ProcessBuilder(java.util.List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName()))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(workerEnv);
    Process worker = pb.start();
    try {
      long deadline = System.currentTimeMillis() + 90_000;
      while (!hasJobFile(tmp, 1 << 20) // a megabyte of the download written
          || !"FINGERPRINTING".equals(c.get("/tracks/" + id).body().path("status").asText())) {
        assertTrue(worker.isAlive(), "worker exited: " + Files.readString(log));
        assertTrue(System.currentTimeMillis() < deadline, "never started the job: " + Files.readString(log));
        Thread.sleep(50);
      }
      worker.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no hand-back
    } finally {
      worker.destroyForcibly();
    }
    assertTrue(hasJobFile(tmp, 1 << 20), "the killed process left its download");

    TuneTraceServer next = fx.start(workerEnv);
    assertFalse(hasJobFile(tmp, 0) && !ownJobFile(tmp), "the dead process's download is swept at start-up");
    JsonNode done = c.awaitStatus(id, 120_000, "READY", "FAILED");
    assertEquals("READY", done.path("status").asText(), done.toString());
    assertEquals(1, done.path("attempts").asInt(), "a run killed by SIGKILL is not an attempt");
    assertEquals(done.path("posting_count").asLong(), next.index().stats().postings());
    assertTrue(done.path("last_error").isNull(), done.toString());
  }

  /** True when {@code tmp} holds a job download of at least {@code minBytes}. */
  private static boolean hasJobFile(Path tmp, long minBytes) throws IOException {
    try (var files = Files.list(tmp)) {
      return files.anyMatch(f -> {
        try {
          return f.getFileName().toString().startsWith("job-") && Files.size(f) >= minBytes;
        } catch (IOException gone) {
          return false;
        }
      });
    }
  }

  /** True when every job download in {@code tmp} belongs to this process. */
  private static boolean ownJobFile(Path tmp) throws IOException {
    String mine = io.tunetrace.server.jobs.TempSweeper.jobFilePrefix();
    try (var files = Files.list(tmp)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("job-"))
          .allMatch(n -> n.startsWith(mine));
    }
  }

  @Test
  void shutdownHandsBackARunningJobUncountedAndAnotherProcessFinishesIt() throws Exception {
    Map<String, String> env = fx.env();
    env.put("QUEUE_PREFIX", fx.prefix + "-shutdown");
    env.put("SHUTDOWN_GRACE_SECONDS", "0");
    env.put("WORKER_CONCURRENCY", "1");
    TuneTraceServer first = fx.start(env);
    ApiClient c = new ApiClient(first.port(), ServerFixture.token());
    String id = upload(c, "Long", TestAudio.wav(TestAudio.song(123, 240)));
    assertEquals("FINGERPRINTING", c.awaitStatus(id, 30_000, "FINGERPRINTING", "READY")
        .path("status").asText(), "the job finished before the test could stop it");
    first.close();
    UUID track = UUID.fromString(id);
    assertEquals(Optional.of("WAITING"), server.queue().stateOf(track));
    var row = server.tracks().find(track).orElseThrow();
    assertEquals(TrackStatus.QUEUED, row.status());
    assertEquals(0, row.attempts());
    TuneTraceServer second = fx.start(env);
    ApiClient c2 = new ApiClient(second.port(), ServerFixture.token());
    JsonNode done = c2.awaitStatus(id, 90_000, "READY", "FAILED");
    assertEquals("READY", done.path("status").asText(), done.toString());
    assertEquals(1, done.path("attempts").asInt());
    assertEquals(done.path("posting_count").asLong(), second.index().stats().postings());
  }

  @Test
  void aDeleteWhileRedisIsDownKeepsTheTrackUntilARetryRemovesEverything() throws Exception {
    try (TcpProxy redis = new TcpProxy(6379)) {
      Map<String, String> env = fx.env();
      env.put("REDIS_URL", "redis://127.0.0.1:" + redis.port());
      env.put("QUEUE_PREFIX", fx.prefix + "-redis");
      TuneTraceServer s = fx.start(env);
      ApiClient c = new ApiClient(s.port(), ServerFixture.token());
      String id = upload(c, "Doomed", TestAudio.wav(TestAudio.song(77, 5)));
      JsonNode ready = c.awaitStatus(id, 60_000, "READY", "FAILED");
      assertEquals("READY", ready.path("status").asText(), ready.toString());
      String key = ready.path("s3_key").asText();

      redis.down();
      ApiClient.Reply first = c.delete("/tracks/" + id);
      assertEquals(503, first.status(), first.body().toString());
      assertEquals("unavailable", first.errorCode());
      assertEquals("delete of track " + id + " incomplete: the index is unavailable; the track"
          + " stays DELETING and is finished when the index is back, or retry DELETE",
          first.errorMessage());
      assertEquals("DELETING", c.get("/tracks/" + id).body().path("status").asText());
      assertEquals(503, c.delete("/tracks/" + id).status(), "work remains: not 404");

      redis.up();
      ApiClient.Reply retry = c.delete("/tracks/" + id);
      assertEquals(200, retry.status(), retry.body().toString());
      assertEquals(404, c.get("/tracks/" + id).status());
      assertEquals(404, c.delete("/tracks/" + id).status());
      assertTrue(s.index().tracks().stream().noneMatch(t -> t.metadata().sourcePath().equals(key)));
      assertEquals(0, s.index().stats().postings());
      S3BlobStore blobs = new S3BlobStore(new ServerConfig.S3(fx.s3.endpoint(), "us-east-1",
          S3ProxyProcess.ACCESS_KEY, S3ProxyProcess.SECRET_KEY, fx.bucket, true));
      assertThrows(IOException.class, () -> blobs.get(key).close(), "the object is gone");
      blobs.close();
    }
  }

  @Test
  void workersAreReportedInReadyAndMetricsAndLeftoversAreSweptAtStartUp() throws Exception {
    Map<String, String> env = fx.env();
    env.put("QUEUE_PREFIX", fx.prefix + "-workers");
    env.put("WORKER_CONCURRENCY", "2");
    Path tmp = Path.of(env.get("DATA_DIR")).resolve("tmp");
    Files.createDirectories(tmp);
    Path killed = Files.write(tmp.resolve("job-123456.audio"), new byte[4096]);
    Files.setLastModifiedTime(killed, FileTime.from(Instant.now().minusSeconds(3600)));
    Path spooled = Files.write(tmp.resolve("upload-654321.bin"), new byte[4096]);
    Files.setLastModifiedTime(spooled, FileTime.from(Instant.now().minusSeconds(3600)));
    TuneTraceServer s = fx.start(env);
    assertFalse(Files.exists(killed), "a killed job's download is swept at start-up");
    assertFalse(Files.exists(spooled));

    ApiClient c = new ApiClient(s.port(), ServerFixture.token());
    ApiClient.Reply ready = c.get("/ready");
    assertEquals(200, ready.status());
    assertEquals("2 of 2 alive", ready.body().path("checks").path("workers").asText());
    String metrics = c.get("/metrics").body().asText();
    assertTrue(metrics.contains("tunetrace_workers_live 2.0"), metrics);
    assertTrue(metrics.contains("tunetrace_workers_configured 2.0"), metrics);

    s.workers().close();
    ApiClient.Reply down = c.get("/ready");
    assertEquals(503, down.status());
    assertEquals("0 of 2 alive", down.body().path("checks").path("workers").asText());
    assertEquals("no worker thread is alive", down.errorMessage());
    assertTrue(c.get("/metrics").body().asText().contains("tunetrace_workers_live 0.0"));
  }
}
