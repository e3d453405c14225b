package io.tunetrace.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunetrace.server.db.Database;
import io.tunetrace.server.db.TrackStatus;
import io.tunetrace.server.db.TrackStore;
import io.tunetrace.server.metrics.Metrics;
import io.tunetrace.server.support.TestTracks;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * In embedded mode (H2) a track a worker finished must read READY from then on. H2 reuses a
 * query's previous result when it believes no table changed; under a worker committing on another
 * connection it handed a poller the FINGERPRINTING row for ever (2–6 of 1,500 tracks here, and
 * two flaky ITs) until {@code OPTIMIZE_REUSE_RESULTS=FALSE} was set on the embedded database.
 */
class EmbeddedJobStoreVisibilityTest {
  @Test
  void everyFinishedTrackReadsReadyForAPollerThatAskedWhileItRan() throws Exception {
    Database db = Database.openEmbedded(Files.createTempDirectory("tt-visibility"));
    JobQueue queue = new JobQueue(db, "vis", 2, 60_000, 10);
    TrackStore store = new TrackStore(db, queue);
    JobHandler instant = new JobHandler() {
      @Override
      public Optional<Result> run(Job job) {
        return Optional.of(new Result(1, 1000, 10));
      }

      @Override
      public void undo(Result result) {}
    };
    List<String> stale = new ArrayList<>();
    try (WorkerPool pool = new WorkerPool(queue, instant, new Metrics(), 1, 20, 1000)) {
      pool.start();
      for (int i = 0; i < 1000; i++) {
        UUID id = UUID.randomUUID();
        store.insertQueued(new TrackStore.NewTrackRow(id, "t" + i, "A", "", "tracks/" + id + ".wav",
            "audio/wav", 10, TestTracks.sha256Of(id)));
        if (i % 2 == 0) {
          pool.wakeUp();
        }
        long deadline = System.currentTimeMillis() + 3000;
        TrackStatus status;
        while ((status = store.find(id).orElseThrow().status()) != TrackStatus.READY
            && System.currentTimeMillis() < deadline) {
          Thread.sleep(1);
        }
        if (status != TrackStatus.READY) {
          stale.add("track " + i + " reads " + status + " while its job is "
              + queue.stateOf(id).orElse("?"));
        }
      }
    } finally {
      db.close();
    }
    assertEquals(List.of(), stale);
  }
}
