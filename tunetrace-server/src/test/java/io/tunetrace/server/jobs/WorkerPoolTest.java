package io.tunetrace.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.server.db.Database;
import io.tunetrace.server.db.TrackRow;
import io.tunetrace.server.db.TrackStatus;
import io.tunetrace.server.db.TrackStore;
import io.tunetrace.server.metrics.Metrics;
import io.tunetrace.server.support.TestTracks;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Worker threads over the embedded job store, with hand-written handlers. */
@Timeout(60)
class WorkerPoolTest {
  private static Database db;

  @BeforeAll
  static void open() throws Exception {
    db = Database.openEmbedded(Files.createTempDirectory("tt-workers"));
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private static TrackRow insert(TrackStore store, String title) {
    UUID id = UUID.randomUUID();
    return store.insertQueued(new TrackStore.NewTrackRow(id, title, "A", "", "tracks/" + id + ".wav",
        "audio/wav", 10, TestTracks.sha256Of(id)));
  }

  private static TrackRow await(TrackStore store, UUID id, TrackStatus status) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    TrackRow row;
    while ((row = store.find(id).orElseThrow()).status() != status) {
      assertTrue(System.currentTimeMillis() < deadline, "still " + row);
      Thread.sleep(20);
    }
    return row;
  }

  /** Throws the given errors on the first runs of a track, then succeeds. */
  private static final class ErrorThrowingHandler implements JobHandler {
    final Map<UUID, AtomicInteger> runs = new ConcurrentHashMap<>();
    final Map<String, List<Error>> plan = new ConcurrentHashMap<>();
    final Map<UUID, String> titles = new ConcurrentHashMap<>();

    @Override
    public Optional<Result> run(Job job) {
      int n = runs.computeIfAbsent(job.trackId(), k -> new AtomicInteger()).getAndIncrement();
      List<Error> errors = plan.getOrDefault(titles.getOrDefault(job.trackId(), ""), List.of());
      if (n < errors.size()) {
        throw errors.get(n);
      }
      return Optional.of(new Result(n + 100, 1000, 10));
    }

    @Override
    public void undo(Result result) {}
  }

  @Test
  void aWorkerSurvivesOutOfMemoryAndStackOverflowAndGoesOn() throws Exception {
    JobQueue q = new JobQueue(db, "err" + UUID.randomUUID().toString().substring(0, 6), 5, 10_000, 10);
    TrackStore store = new TrackStore(db, q);
    ErrorThrowingHandler handler = new ErrorThrowingHandler();
    handler.plan.put("poison", List.of(new StackOverflowError(), new OutOfMemoryError("Java heap space")));
    Metrics metrics = new Metrics();
    List<TrackRow> rows = new ArrayList<>();
    for (String title : List.of("poison", "good-1", "good-2")) {
      TrackRow row = insert(store, title);
      handler.titles.put(row.id(), title);
      rows.add(row);
    }
    try (WorkerPool pool = new WorkerPool(q, handler, metrics, 1, 20, 1000)) {
      pool.start();
      for (TrackRow row : rows) {
        await(store, row.id(), TrackStatus.READY);
      }
      assertEquals(1, pool.liveWorkers());
      assertEquals(1, (int) metrics.workersLive.get());
      TrackRow poison = store.find(rows.get(0).id()).orElseThrow();
      assertEquals(3, poison.attempts(), "each Error is a failed attempt");
      assertEquals(3, handler.runs.get(poison.id()).get());
      assertEquals(2.0, metrics.jobsRetried.count());
    }
  }

  @Test
  void aPoisonTrackThatAlwaysThrowsAnErrorFailsAfterItsAttempts() throws Exception {
    JobQueue q = new JobQueue(db, "err" + UUID.randomUUID().toString().substring(0, 6), 2, 10_000, 10);
    TrackStore store = new TrackStore(db, q);
    ErrorThrowingHandler handler = new ErrorThrowingHandler();
    handler.plan.put("poison", List.of(new OutOfMemoryError("Java heap space"),
        new OutOfMemoryError("Java heap space"), new OutOfMemoryError("Java heap space")));
    TrackRow row = insert(store, "poison");
    handler.titles.put(row.id(), "poison");
    Metrics metrics = new Metrics();
    try (WorkerPool pool = new WorkerPool(q, handler, metrics, 2, 20, 1000)) {
      pool.start();
      TrackRow failed = await(store, row.id(), TrackStatus.FAILED);
      assertEquals("OutOfMemoryError: Java heap space", failed.lastError());
      assertEquals(2, failed.attempts());
      TrackRow next = insert(store, "next");
      handler.titles.put(next.id(), "next");
      await(store, next.id(), TrackStatus.READY);
      assertEquals(2, pool.liveWorkers());
    }
    assertEquals(0, (int) metrics.workersLive.get(), "closed: no worker left");
  }

  /** A download cut by a stale pooled connection says nothing about the track: not an attempt. */
  @Test
  void objectStorageConnectionFailuresPostponeTheJobWithoutCountingAttempts() throws Exception {
    JobQueue q = new JobQueue(db, "s3" + UUID.randomUUID().toString().substring(0, 6), 2, 10_000, 10);
    TrackStore store = new TrackStore(db, q);
    AtomicInteger runs = new AtomicInteger();
    JobHandler flaky = new JobHandler() {
      @Override
      public Optional<Result> run(Job job) throws Exception {
        if (runs.incrementAndGet() <= 3) {
          throw new io.tunetrace.server.blob.BlobUnavailableException("object storage unavailable"
              + " while reading " + job.s3Key() + ": unexpected end of stream",
              new java.io.EOFException("unexpected end of stream"));
        }
        return Optional.of(new Result(1, 1000, 10));
      }

      @Override
      public void undo(Result result) {}
    };
    TrackRow row = insert(store, "stale");
    try (WorkerPool pool = new WorkerPool(q, flaky, new Metrics(), 1, 20, 1000)) {
      pool.start();
      TrackRow ready = await(store, row.id(), TrackStatus.READY);
      assertEquals(4, runs.get(), "three cut downloads, then a good one");
      assertEquals(1, ready.attempts(), "2 attempts allowed; the cut downloads did not count");
    }
  }
}
