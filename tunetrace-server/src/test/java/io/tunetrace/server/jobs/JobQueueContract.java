package io.tunetrace.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.server.db.Database;
import io.tunetrace.server.db.TrackRow;
import io.tunetrace.server.db.TrackStatus;
import io.tunetrace.server.db.TrackStore;
import io.tunetrace.server.support.TestTracks;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The queue's guarantees, run against PostgreSQL (IT) and embedded H2 (unit). */
abstract class JobQueueContract {
  protected abstract Database db();

  private JobQueue queue(long leaseMillis) {
    return new JobQueue(db(), "q" + UUID.randomUUID().toString().substring(0, 6), 3, leaseMillis, 50);
  }

  private static TrackRow insert(TrackStore store) {
    UUID id = UUID.randomUUID();
    return store.insertQueued(new TrackStore.NewTrackRow(id, "Sparks", "Coldplay", "", "tracks/" + id
        + ".wav", "audio/wav", 10, TestTracks.sha256Of(id)));
  }

  @Test
  void enqueueIsAtomicWithTheTrackAndClaimIsExclusive() {
    JobQueue q = queue(10_000);
    TrackStore store = new TrackStore(db(), q);
    TrackRow t = insert(store);
    assertEquals(TrackStatus.QUEUED, t.status());
    assertEquals(1, q.depth());
    Job job = q.claim("a").orElseThrow();
    assertEquals(t.id(), job.trackId());
    assertEquals(t.s3Key(), job.s3Key());
    assertEquals(1, job.attempt());
    assertEquals(TrackStatus.FINGERPRINTING, store.find(t.id()).orElseThrow().status());
    assertEquals(Optional.empty(), q.claim("b"));
    assertTrue(q.renew(job));
    assertTrue(q.complete(job, 7, 1234, 99));
    TrackRow done = store.find(t.id()).orElseThrow();
    assertEquals(TrackStatus.READY, done.status());
    assertEquals(7, done.indexId());
    assertEquals(99L, done.postingCount());
    assertEquals(1234L, done.durationMillis());
    assertEquals(0, q.depth());
    assertEquals(Optional.of("DONE"), q.stateOf(t.id()));
  }

  @Test
  void anExpiredLeaseIsTakenOverAndTheDeadWorkerCannotAck() throws InterruptedException {
    JobQueue q = queue(300);
    TrackStore store = new TrackStore(db(), q);
    TrackRow t = insert(store);
    Job dead = q.claim("dead").orElseThrow();
    assertEquals(Optional.empty(), q.claim("alive"));
    Thread.sleep(450);
    Job taken = q.claim("alive").orElseThrow();
    assertEquals(1, taken.attempt(), "a run lost to a crash is not an attempt");
    assertEquals(1, taken.lostLeases());
    assertEquals("lease expired: the worker stopped renewing it (killed or cut off) on attempt 1;"
        + " lost leases: 1 of 10", store.find(t.id()).orElseThrow().lastError());
    assertFalse(q.renew(dead));
    assertFalse(q.complete(dead, 1, 1, 1));
    assertEquals(JobQueue.FailOutcome.LEASE_LOST, q.fail(dead, "x", false));
    assertTrue(q.complete(taken, 2, 1, 1));
    assertEquals(TrackStatus.READY, store.find(t.id()).orElseThrow().status());
  }

  /** Five (here six) restarts during one job used to FAIL a good track for ever. */
  @Test
  void leasesLostToCrashesDoNotUseUpTheAttempts() throws InterruptedException {
    JobQueue q = queue(150); // 3 attempts
    TrackStore store = new TrackStore(db(), q);
    TrackRow t = insert(store);
    for (int crash = 0; crash < 6; crash++) {
      Job j = q.claim("killed-" + crash).orElseThrow();
      assertEquals(1, j.attempt());
      assertEquals(crash, j.lostLeases());
      Thread.sleep(250); // the worker was killed: no renewal, no acknowledgement
    }
    Job survivor = q.claim("alive").orElseThrow();
    assertEquals(1, survivor.attempt());
    assertEquals(6, survivor.lostLeases());
    assertTrue(q.complete(survivor, 3, 1000, 10));
    TrackRow ready = store.find(t.id()).orElseThrow();
    assertEquals(TrackStatus.READY, ready.status());
    assertEquals(1, ready.attempts());
  }

  @Test
  void aJobThatKeepsKillingItsWorkerFailsAfterTheLostLeaseLimit() throws InterruptedException {
    JobQueue q = new JobQueue(db(), "q" + UUID.randomUUID().toString().substring(0, 6), 3, 150, 50, 2);
    TrackStore store = new TrackStore(db(), q);
    TrackRow t = insert(store);
    q.claim("killed-0").orElseThrow();
    Thread.sleep(250);
    assertEquals(1, q.claim("killed-1").orElseThrow().lostLeases());
    Thread.sleep(250);
    assertEquals(Optional.empty(), q.claim("next"));
    TrackRow failed = store.find(t.id()).orElseThrow();
    assertEquals(TrackStatus.FAILED, failed.status());
    assertEquals("lease expired: the worker stopped renewing it (killed or cut off) on attempt 1;"
        + " lost leases: 2 of 2; the track crashes its workers? POST /tracks/" + t.id()
        + "/retry to try again", failed.lastError());
    assertEquals(Optional.of("FAILED"), q.stateOf(t.id()));
  }

  @Test
  void retryQueuesAFailedTrackAgainWithFreshAttempts() {
    JobQueue q = queue(10_000);
    TrackStore store = new TrackStore(db(), q);
    TrackRow t = insert(store);
    assertEquals(JobQueue.RetryOutcome.NOT_FAILED, q.retry(t.id()));
    Job j = q.claim("w").orElseThrow();
    assertEquals(JobQueue.RetryOutcome.NOT_FAILED, q.retry(t.id()));
    assertEquals(JobQueue.FailOutcome.FAILED, q.fail(j, "S3: cannot read", true));
    assertEquals(JobQueue.RetryOutcome.QUEUED, q.retry(t.id()));
    TrackRow queued = store.find(t.id()).orElseThrow();
    assertEquals(TrackStatus.QUEUED, queued.status());
    assertEquals(0, queued.attempts());
    assertEquals("S3: cannot read", queued.lastError());
    assertEquals(1, q.depth());
    Job again = q.claim("w").orElseThrow();
    assertEquals(1, again.attempt());
    assertTrue(q.complete(again, 4, 1, 1));
    assertEquals(TrackStatus.READY, store.find(t.id()).orElseThrow().status());
    assertEquals(JobQueue.RetryOutcome.NO_TRACK, q.retry(UUID.randomUUID()));
  }

  @Test
  void aTrackBeingDeletedLosesItsJobAndNoWorkerCanMakeItReady() {
    JobQueue q = queue(10_000);
    TrackStore store = new TrackStore(db(), q);
    TrackRow t = insert(store);
    Job running = q.claim("w").orElseThrow();
    assertEquals(TrackStatus.FINGERPRINTING, store.markDeleting(t.id()).orElseThrow().status());
    assertEquals(0, q.depth());
    assertFalse(q.complete(running, 5, 1, 1));
    assertEquals(JobQueue.FailOutcome.LEASE_LOST, q.fail(running, "x", false));
    TrackRow deleting = store.find(t.id()).orElseThrow();
    assertEquals(TrackStatus.DELETING, deleting.status());
    assertEquals(List.of(t.id()), store.deleting(100).stream().map(TrackRow::id)
        .filter(t.id()::equals).toList());
    assertEquals(Optional.empty(), store.markDeleting(UUID.randomUUID()));
  }

  @Test
  void failuresBackOffExponentiallyThenFail() throws InterruptedException {
    JobQueue q = queue(10_000);
    TrackStore store = new TrackStore(db(), q);
    TrackRow t = insert(store);
    assertEquals(50, q.backoffMillis(1));
    assertEquals(100, q.backoffMillis(2));
    assertEquals(200, q.backoffMillis(3));
    Job j1 = q.claim("w").orElseThrow();
    assertEquals(JobQueue.FailOutcome.RETRY_SCHEDULED, q.fail(j1, "redis down", false));
    TrackRow waiting = store.find(t.id()).orElseThrow();
    assertEquals(TrackStatus.QUEUED, waiting.status());
    assertEquals("redis down", waiting.lastError());
    assertEquals(1, waiting.attempts());
    Thread.sleep(80);
    Job j2 = q.claim("w").orElseThrow();
    assertEquals(2, j2.attempt());
    assertEquals(JobQueue.FailOutcome.RETRY_SCHEDULED, q.fail(j2, "redis down", false));
    assertEquals(Optional.empty(), q.claim("w"));
    Thread.sleep(150);
    Job j3 = q.claim("w").orElseThrow();
    assertEquals(JobQueue.FailOutcome.FAILED, q.fail(j3, "still down", false));
    TrackRow failed = store.find(t.id()).orElseThrow();
    assertEquals(TrackStatus.FAILED, failed.status());
    assertEquals("still down", failed.lastError());
    assertEquals(3, failed.attempts());
    assertEquals(Optional.of("FAILED"), q.stateOf(t.id()));
  }

  @Test
  void permanentFailuresFailAtOnceAndReleaseDoesNotCountAnAttempt() {
    JobQueue q = queue(10_000);
    TrackStore store = new TrackStore(db(), q);
    TrackRow a = insert(store);
    Job ja = q.claim("w").orElseThrow();
    assertEquals(JobQueue.FailOutcome.FAILED, q.fail(ja, "not audio", true));
    assertEquals(TrackStatus.FAILED, store.find(a.id()).orElseThrow().status());
    TrackRow b = insert(store);
    Job jb = q.claim("w").orElseThrow();
    assertTrue(q.release(jb));
    assertEquals(TrackStatus.QUEUED, store.find(b.id()).orElseThrow().status());
    assertEquals(1, q.claim("w2").orElseThrow().attempt());
  }

  @Test
  void postponingForAnOutageDoesNotCountTheAttempt() throws InterruptedException {
    JobQueue q = queue(10_000);
    TrackStore store = new TrackStore(db(), q);
    TrackRow t = insert(store);
    for (int i = 0; i < 5; i++) {
      Job j = q.claim("w").orElseThrow();
      assertEquals(1, j.attempt());
      assertTrue(q.postpone(j, "waiting for a dependency: redis unavailable", 10));
      TrackRow waiting = store.find(t.id()).orElseThrow();
      assertEquals(TrackStatus.QUEUED, waiting.status());
      assertEquals(0, waiting.attempts());
      assertEquals("waiting for a dependency: redis unavailable", waiting.lastError());
      Thread.sleep(30);
    }
    assertTrue(q.complete(q.claim("w").orElseThrow(), 1, 1, 1));
  }

  @Test
  void deletingATrackDropsItsJob() {
    JobQueue q = queue(10_000);
    TrackStore store = new TrackStore(db(), q);
    TrackRow t = insert(store);
    assertTrue(store.delete(t.id()));
    assertEquals(0, q.depth());
    assertEquals(Optional.empty(), q.claim("w"));
  }

  @Test
  void concurrentWorkersClaimEveryJobExactlyOnce() throws Exception {
    JobQueue q = queue(10_000);
    TrackStore store = new TrackStore(db(), q);
    for (int i = 0; i < 20; i++) {
      insert(store);
    }
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    ConcurrentHashMap<Long, Integer> counts = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int w = 0; w < 4; w++) {
      String name = "w" + w;
      pool.submit(() -> {
        Optional<Job> j;
        while ((j = q.claim(name)).isPresent()) {
          seen.add(j.get().id());
          counts.merge(j.get().id(), 1, Integer::sum);
          q.complete(j.get(), 1, 1, 1);
        }
      });
    }
    pool.shutdown();
    assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
    assertEquals(20, seen.size());
    assertTrue(counts.values().stream().allMatch(c -> c == 1), counts.toString());
  }
}
