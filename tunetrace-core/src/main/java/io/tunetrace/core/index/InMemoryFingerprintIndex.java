package io.tunetrace.core.index;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A fingerprint index held in memory only: for tests, benchmarks and short-lived tools. Nothing
 * survives {@link #close()}.
 *
 * <p>Thread-safe: lookups run concurrently; adds and removes take a write lock.
 */
public final class InMemoryFingerprintIndex implements FingerprintIndex {
  private final FingerprintParams params;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<Integer, long[]> postings = new HashMap<>();
  private final Map<Integer, Integer> sizes = new HashMap<>();
  private final TreeMap<Integer, Track> tracks = new TreeMap<>();
  private final Map<Integer, TrackPeaks> peaks = new HashMap<>();
  private long postingCount;
  private int nextId = 1;

  public InMemoryFingerprintIndex(FingerprintParams params) {
    if (params == null) {
      throw new IllegalArgumentException("params == null");
    }
    this.params = params;
  }

  @Override
  public FingerprintParams params() {
    return params;
  }

  @Override
  public List<Track> add(List<NewTrack> batch) {
    List<Track> added = new ArrayList<>(batch.size());
    lock.writeLock().lock();
    try {
      for (NewTrack entry : batch) {
        int id = nextId++;
        Fingerprints fp = entry.fingerprints();
        for (int i = 0; i < fp.size(); i++) {
          append(fp.hash(i), ((long) id << 32) | (fp.frame(i) & 0xFFFFFFFFL));
        }
        postingCount += fp.size();
        Track track = new Track(id, entry.metadata(), fp.size(), System.currentTimeMillis());
        tracks.put(id, track);
        peaks.put(id, TrackPeaks.of(fp));
        added.add(track);
      }
    } finally {
      lock.writeLock().unlock();
    }
    return added;
  }

  @Override
  public Track addAs(int trackId, TrackMetadata metadata, Fingerprints fingerprints) {
    if (trackId <= 0) {
      throw new IllegalArgumentException("trackId <= 0: " + trackId);
    }
    if (metadata == null || fingerprints == null) {
      throw new IllegalArgumentException("metadata and fingerprints are required");
    }
    lock.writeLock().lock();
    try {
      if (tracks.containsKey(trackId)) {
        throw new TrackIdInUseException("track id " + trackId + " is in use");
      }
      for (int i = 0; i < fingerprints.size(); i++) {
        append(fingerprints.hash(i), ((long) trackId << 32) | (fingerprints.frame(i) & 0xFFFFFFFFL));
      }
      postingCount += fingerprints.size();
      Track track = new Track(trackId, metadata, fingerprints.size(), System.currentTimeMillis());
      tracks.put(trackId, track);
      nextId = Math.max(nextId, trackId + 1);
      return track;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void append(int hash, long posting) {
    long[] list = postings.get(hash);
    int size = sizes.getOrDefault(hash, 0);
    if (list == null) {
      list = new long[2];
      postings.put(hash, list);
    } else if (size == list.length) {
      list = Arrays.copyOf(list, size * 2);
      postings.put(hash, list);
    }
    list[size] = posting;
    sizes.put(hash, size + 1);
  }

  @Override
  public void lookup(int[] hashes, int maxPostingsPerHash, PostingVisitor visitor) {
    lock.readLock().lock();
    try {
      for (int q = 0; q < hashes.length; q++) {
        long[] list = postings.get(hashes[q]);
        if (list == null) {
          continue;
        }
        int size = sizes.get(hashes[q]);
        if (size > maxPostingsPerHash) {
          continue;
        }
        for (int i = 0; i < size; i++) {
          visitor.visit(q, (int) (list[i] >>> 32), (int) list[i]);
        }
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Map<Integer, TrackPeaks> peaks(int[] trackIds) {
    lock.readLock().lock();
    try {
      Map<Integer, TrackPeaks> out = new HashMap<>();
      for (int id : trackIds) {
        TrackPeaks p = peaks.get(id);
        if (p != null) {
          out.put(id, p);
        }
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public boolean remove(int trackId) {
    lock.writeLock().lock();
    try {
      if (tracks.remove(trackId) == null) {
        return false;
      }
      peaks.remove(trackId);
      for (Map.Entry<Integer, long[]> e : postings.entrySet()) {
        long[] list = e.getValue();
        int size = sizes.get(e.getKey());
        int kept = 0;
        for (int i = 0; i < size; i++) {
          if ((int) (list[i] >>> 32) != trackId) {
            list[kept++] = list[i];
          }
        }
        postingCount -= size - kept;
        sizes.put(e.getKey(), kept);
      }
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public Optional<Track> track(int trackId) {
    lock.readLock().lock();
    try {
      return Optional.ofNullable(tracks.get(trackId));
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<Track> tracks() {
    lock.readLock().lock();
    try {
      return List.copyOf(tracks.values());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Optional<Track> findBySha256(String sha256) {
    if (sha256 == null || sha256.isEmpty()) {
      return Optional.empty();
    }
    lock.readLock().lock();
    try {
      return tracks.values().stream()
          .filter(t -> t.metadata().sha256().equalsIgnoreCase(sha256))
          .findFirst();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Optional<Track> findByPath(String sourcePath) {
    if (sourcePath == null || sourcePath.isEmpty()) {
      return Optional.empty();
    }
    lock.readLock().lock();
    try {
      // Newest first, so the first hit is the most recently added.
      for (Track t : tracks.descendingMap().values()) {
        if (t.metadata().sourcePath().equals(sourcePath)) {
          return Optional.of(t);
        }
      }
      return Optional.empty();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long postingCount() {
    lock.readLock().lock();
    try {
      return postingCount;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public IndexStats stats() {
    lock.readLock().lock();
    try {
      long duration = tracks.values().stream().mapToLong(t -> t.metadata().durationMillis()).sum();
      return new IndexStats(tracks.size(), duration, postingCount, postingCount * 8);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      postings.clear();
      sizes.clear();
      tracks.clear();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
