package io.tunetrace.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.InMemoryFingerprintIndex;
import io.tunetrace.core.index.IndexStats;
import io.tunetrace.core.index.NewTrack;
import io.tunetrace.core.index.PostingVisitor;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.server.blob.BlobStore;
import io.tunetrace.server.blob.FileBlobStore;
import io.tunetrace.server.db.Database;
import io.tunetrace.server.db.TrackRow;
import io.tunetrace.server.db.TrackStatus;
import io.tunetrace.server.db.TrackStore;
import io.tunetrace.server.index.IndexUnavailableException;
import io.tunetrace.server.support.TestTracks;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deletes that survive Redis or S3 being down: postings and object first, the row last. */
class TrackDeleterTest {
  private static Database db;

  @BeforeAll
  static void open() throws Exception {
    db = Database.openEmbedded(Files.createTempDirectory("tt-delete"));
  }

  @AfterAll
  static void close() {
    db.close();
  }

  /** An index whose "Redis" can be taken down. */
  private static final class FlakyIndex implements FingerprintIndex {
    final InMemoryFingerprintIndex real = new InMemoryFingerprintIndex(FingerprintParams.DEFAULT);
    volatile boolean down;

    private void check() {
      if (down) {
        throw new IndexUnavailableException("redis unavailable: connection refused", null);
      }
    }

    @Override
    public FingerprintParams params() {
      return real.params();
    }

    @Override
    public List<Track> add(List<NewTrack> batch) {
      check();
      return real.add(batch);
    }

    @Override
    public void lookup(int[] hashes, int maxPostingsPerHash, PostingVisitor visitor) {
      check();
      real.lookup(hashes, maxPostingsPerHash, visitor);
    }

    @Override
    public boolean remove(int trackId) {
      check();
      return real.remove(trackId);
    }

    @Override
    public Optional<Track> track(int trackId) {
      check();
      return real.track(trackId);
    }

    @Override
    public List<Track> tracks() {
      check();
      return real.tracks();
    }

    @Override
    public Optional<Track> findBySha256(String sha256) {
      check();
      return real.findBySha256(sha256);
    }

    @Override
    public IndexStats stats() {
      check();
      return real.stats();
    }

    @Override
    public void close() {}
  }

  /** Blobs in a directory whose "S3" can be taken down. */
  private static final class FlakyBlobs implements BlobStore {
    final FileBlobStore real;
    volatile boolean down;

    FlakyBlobs(Path dir) {
      this.real = new FileBlobStore(dir);
    }

    private void check() throws IOException {
      if (down) {
        throw new IOException("S3: Failed to connect to /127.0.0.1:9000");
      }
    }

    @Override
    public void ensureReady() throws IOException {
      real.ensureReady();
    }

    @Override
    public void put(String key, Path file, String contentType) throws IOException {
      check();
      real.put(key, file, contentType);
    }

    @Override
    public InputStream get(String key) throws IOException {
      check();
      return real.get(key);
    }

    @Override
    public void delete(String key) throws IOException {
      check();
      real.delete(key);
    }

    @Override
    public void ping() throws IOException {
      check();
    }
  }

  private static Fingerprints someHashes() {
    return Fingerprints.of(new int[] {1, 2, 3, 4}, new int[] {0, 1, 2, 3}, 4, 10);
  }

  private record Fixture(TrackStore store, JobQueue queue, FlakyIndex index, FlakyBlobs blobs,
      TrackDeleter deleter, Path blobDir) {
    TrackRow upload(String title) throws IOException {
      UUID id = UUID.randomUUID();
      String key = "tracks/" + id + ".wav";
      Path f = Files.createTempFile("blob", ".wav");
      Files.write(f, new byte[] {1, 2, 3});
      blobs.put(key, f, "audio/wav");
      return store.insertQueued(new TrackStore.NewTrackRow(id, title, "A", "", key, "audio/wav", 3,
          TestTracks.sha256Of(id)));
    }

    Track index(TrackRow row) {
      return index.add(new TrackMetadata(row.title(), "A", "", row.s3Key(), 1000, row.sha256()),
          someHashes());
    }

    boolean blobExists(TrackRow row) {
      return Files.exists(blobDir.resolve(row.s3Key()));
    }
  }

  private static Fixture fixture(Path dir) throws IOException {
    JobQueue q = new JobQueue(db, "del" + UUID.randomUUID().toString().substring(0, 6), 3, 10_000, 10);
    TrackStore store = new TrackStore(db, q);
    FlakyIndex index = new FlakyIndex();
    FlakyBlobs blobs = new FlakyBlobs(dir);
    blobs.ensureReady();
    return new Fixture(store, q, index, blobs, new TrackDeleter(store, index, blobs), dir);
  }

  @Test
  void aDeleteStoppedByRedisThenS3IsFinishedByARetryAndNothingIsLeft(@TempDir Path dir)
      throws Exception {
    Fixture fx = fixture(dir);
    TrackRow row = fx.upload("Ready");
    Job job = fx.queue.claim("w").orElseThrow();
    Track indexed = fx.index(row);
    assertTrue(fx.queue.complete(job, indexed.id(), 1000, indexed.postingCount()));
    Track other = fx.index(fx.upload("Other"));

    fx.index.down = true;
    TrackDeleter.IncompleteDeleteException redisDown =
        assertThrows(TrackDeleter.IncompleteDeleteException.class, () -> fx.deleter.delete(row.id()));
    assertEquals("delete of track " + row.id() + " incomplete: the index is unavailable; the track"
        + " stays DELETING and is finished when the index is back, or retry DELETE",
        redisDown.getMessage());
    assertEquals(TrackStatus.DELETING, fx.store.find(row.id()).orElseThrow().status());
    assertTrue(fx.blobExists(row), "the object goes after the postings");

    fx.index.down = false;
    fx.blobs.down = true;
    assertThrows(TrackDeleter.IncompleteDeleteException.class, () -> fx.deleter.delete(row.id()));
    assertEquals(Optional.empty(), fx.index.track(indexed.id()));
    assertEquals(TrackStatus.DELETING, fx.store.find(row.id()).orElseThrow().status());

    fx.blobs.down = false;
    assertTrue(fx.deleter.delete(row.id()).isPresent(), "a retry finds the track, not 404");
    assertEquals(Optional.empty(), fx.store.find(row.id()));
    assertTrue(!fx.blobExists(row));
    assertEquals(Optional.empty(), fx.deleter.delete(row.id()), "now it is gone: 404");
    assertEquals(List.of(other.id()), fx.index.tracks().stream().map(Track::id).toList());
  }

  @Test
  void deletesLeftDeletingAreFinishedInTheBackground(@TempDir Path dir) throws Exception {
    Fixture fx = fixture(dir);
    TrackRow row = fx.upload("Crashed");
    // An attempt that wrote postings and died: the row never learnt their index id.
    Track leftover = fx.index(row);
    fx.blobs.down = true;
    assertThrows(TrackDeleter.IncompleteDeleteException.class, () -> fx.deleter.delete(row.id()));
    assertEquals(Optional.empty(), fx.index.track(leftover.id()), "found by its source path");
    assertEquals(0, fx.deleter.finishPending(), "storage still down");
    fx.blobs.down = false;
    assertTrue(fx.deleter.finishPending() >= 1);
    assertEquals(Optional.empty(), fx.store.find(row.id()));
    assertTrue(!fx.blobExists(row));
  }
}
