package io.tunetrace.core.index;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.embedded.Manifest;
import io.tunetrace.core.index.embedded.Manifest.SegmentRef;
import io.tunetrace.core.index.embedded.Segment;
import io.tunetrace.core.index.embedded.SegmentWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The embedded persistent index: a directory of immutable, memory-mapped segment files and a small
 * {@code MANIFEST} that names the live ones. Every {@link #add} writes one new segment; an add then
 * merges recent segments of similar size (log-structured, never more than {@link #MAX_SEGMENTS}
 * segments), and {@link #compact()} merges all of them: lookups cost one search per segment, so
 * bulk loaders should compact at the end.
 * The on-disk format and the crash-safety protocol are described in docs/INDEX-ENGINE.md.
 *
 * <p>Crash-safe: every change writes new files, forces them to disk, then swaps the manifest by an
 * atomic rename, so a process killed at any moment leaves the old or the new state, never a mix.
 *
 * <p>Thread-safe: lookups and reads run without locks on an immutable snapshot, concurrently with
 * one writer (adds, removes and compactions are serialized). Across processes, one writable
 * instance holds the {@code LOCK} file; any number of {@link #openReadOnly read-only} instances
 * may read at the same time and see the state of the moment they were opened or {@link #refresh()
 * refreshed}.
 */
public final class EmbeddedFingerprintIndex implements FingerprintIndex {
  /** Above this many segments, an add merges the neighbouring ones with the smallest total size. */
  public static final int MAX_SEGMENTS = 8;

  static final String LOCK_FILE = "LOCK";
  private static final int MERGE_WIDTH = 4;
  private static final long MAX_MERGED_BYTES = 1L << 30;
  private static final Set<Path> WRITERS_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

  private final Path dir;
  private final Path lockKey;
  private final FingerprintParams params;
  private final boolean readOnly;
  private final FileChannel lockChannel;
  private final ReentrantLock writeLock = new ReentrantLock();
  private volatile State state;
  private volatile boolean closed;
  /** Keeps the JIT from dropping the prefetching reads of {@link #lookup}. */
  @SuppressWarnings("unused")
  private int touchSink;

  private EmbeddedFingerprintIndex(Path dir, Path lockKey, FingerprintParams params, boolean readOnly,
      FileChannel lockChannel, State state) {
    this.dir = dir;
    this.lockKey = lockKey;
    this.params = params;
    this.readOnly = readOnly;
    this.lockChannel = lockChannel;
    this.state = state;
  }

  /**
   * Opens the index in {@code dir} for reading and writing, creating it (and the directory) with
   * {@code params} if there is none.
   *
   * @throws IncompatibleParamsException if the index was built with other parameters
   * @throws IndexException if another process (or instance) has it open for writing, or it is
   *     unreadable
   */
  public static EmbeddedFingerprintIndex open(Path dir, FingerprintParams params) {
    Objects.requireNonNull(params, "params");
    return openWritable(dir, params);
  }

  /**
   * Opens the index in {@code dir} for reading and writing with the parameters it was built with.
   * A missing directory, or one without an index, gets a new index with {@link
   * FingerprintParams#DEFAULT}.
   */
  public static EmbeddedFingerprintIndex open(Path dir) {
    return openWritable(dir, null);
  }

  /**
   * Opens an existing index for reading only, without taking the writer lock: it sees the state
   * of this moment until {@link #refresh()}.
   *
   * @throws IndexException if there is no index in {@code dir}
   */
  public static EmbeddedFingerprintIndex openReadOnly(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.exists(abs.resolve(Manifest.FILE_NAME))) {
      throw new IndexException("no index at " + abs + ": add tracks first");
    }
    State state = loadWithRetry(abs, null);
    FingerprintParams p = parseParams(abs, state.manifest.paramsConfig());
    return new EmbeddedFingerprintIndex(abs, null, p, true, null, state);
  }

  private static EmbeddedFingerprintIndex openWritable(Path dir, FingerprintParams wanted) {
    Path abs = dir.toAbsolutePath().normalize();
    Path key;
    try {
      Files.createDirectories(abs);
      key = abs.toRealPath();
    } catch (IOException e) {
      throw new IndexException("cannot create index directory " + abs + ": " + e, e);
    }
    if (!WRITERS_IN_THIS_JVM.add(key)) {
      throw inUse(abs);
    }
    FileChannel lockChannel = null;
    try {
      lockChannel = FileChannel.open(abs.resolve(LOCK_FILE), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw inUse(abs);
      }
      Manifest manifest;
      FingerprintParams p;
      if (Files.exists(abs.resolve(Manifest.FILE_NAME))) {
        manifest = Manifest.read(abs);
        p = parseParams(abs, manifest.paramsConfig());
        if (wanted != null && !wanted.equals(p)) {
          throw new IncompatibleParamsException("index at " + abs
              + " was built with other fingerprint parameters:\n  index: "
              + p.toConfigString() + "\n  given: " + wanted.toConfigString());
        }
      } else {
        checkLooksEmpty(abs);
        p = wanted != null ? wanted : FingerprintParams.DEFAULT;
        manifest = new Manifest(p.toConfigString(), 1, 1, List.of(), new int[0]);
        manifest.write(abs);
      }
      deleteOrphans(abs, manifest);
      State state = load(abs, manifest, List.of());
      return new EmbeddedFingerprintIndex(abs, key, p, false, lockChannel, state);
    } catch (IOException | RuntimeException e) {
      closeQuietly(lockChannel);
      WRITERS_IN_THIS_JVM.remove(key);
      if (e instanceof IndexException ie) {
        throw ie;
      }
      throw new IndexException("cannot open index at " + abs + ": " + e, e);
    }
  }

  private static IndexException inUse(Path dir) {
    return new IndexException("index at " + dir + " is in use by another process (writer lock held)");
  }

  private static FingerprintParams parseParams(Path dir, String config) {
    try {
      return FingerprintParams.fromConfigString(config);
    } catch (IllegalArgumentException e) {
      throw new IndexException("index at " + dir + " has unsupported parameters: " + config, e);
    }
  }

  private static boolean isOurTemp(String name) {
    return name.endsWith(".tmp");
  }

  private static boolean isSegmentName(String name) {
    return name.matches("seg-\\d+\\.tts");
  }

  private static void checkLooksEmpty(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (!name.equals(LOCK_FILE) && !isOurTemp(name) && !isSegmentName(name)) {
          throw new IndexException("not an index (no MANIFEST, not empty): " + dir);
        }
      }
    }
  }

  /** Deletes temp files and segments no manifest names: leftovers of a killed writer. */
  private static void deleteOrphans(Path dir, Manifest manifest) throws IOException {
    Set<String> live = new java.util.HashSet<>();
    for (SegmentRef ref : manifest.segments()) {
      live.add(ref.name());
    }
    List<Path> orphans = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(f -> {
        String name = f.getFileName().toString();
        if (isOurTemp(name) || (isSegmentName(name) && !live.contains(name))) {
          orphans.add(f);
        }
      });
    }
    for (Path f : orphans) {
      deleteQuietly(f); // may fail where another process still maps it (Windows); tried next time
    }
  }

  /** Reads the manifest and maps its segments, retrying if a compaction deletes one meanwhile. */
  private static State loadWithRetry(Path dir, State previous) {
    IOException last = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        Manifest m = Manifest.read(dir);
        return load(dir, m, previous == null ? List.of() : previous.segments);
      } catch (NoSuchFileException e) {
        last = e;
      } catch (IOException e) {
        throw new IndexException("cannot read index at " + dir + ": " + e, e);
      }
    }
    throw new IndexException("cannot read index at " + dir + ": " + last, last);
  }

  private static State load(Path dir, Manifest manifest, List<Segment> reusable) throws IOException {
    Map<String, Segment> byName = new HashMap<>();
    for (Segment s : reusable) {
      byName.put(s.name(), s);
    }
    List<Segment> segments = new ArrayList<>();
    for (SegmentRef ref : manifest.segments()) {
      Segment s = byName.get(ref.name());
      if (s == null) {
        s = Segment.open(dir.resolve(ref.name()));
      }
      if (s.sizeBytes() != ref.sizeBytes()) {
        throw new IndexException("corrupt index at " + dir + ": " + ref.name() + " has "
            + s.sizeBytes() + " bytes, manifest says " + ref.sizeBytes());
      }
      segments.add(s);
    }
    return new State(manifest, segments);
  }

  // ---- FingerprintIndex ----

  @Override
  public FingerprintParams params() {
    return params;
  }

  /** The index directory. */
  public Path directory() {
    return dir;
  }

  /** Whether this instance was opened with {@link #openReadOnly}. */
  public boolean isReadOnly() {
    return readOnly;
  }

  @Override
  public List<Track> add(List<NewTrack> batch) {
    Objects.requireNonNull(batch, "batch");
    return addBatch(batch, 0);
  }

  /**
   * {@inheritDoc} An id below the next one {@link #add(List)} would give is accepted when no
   * track holds it and it is not a removed id whose postings are still on disk.
   */
  @Override
  public Track addAs(int trackId, TrackMetadata metadata, Fingerprints fingerprints) {
    if (trackId <= 0) {
      throw new IllegalArgumentException("trackId <= 0: " + trackId);
    }
    return addBatch(List.of(new NewTrack(metadata, fingerprints)), trackId).get(0);
  }

  /** Adds {@code batch} under ids from the manifest, or {@code chosenId} (a batch of one) if > 0. */
  private List<Track> addBatch(List<NewTrack> batch, int chosenId) {
    writeLock.lock();
    try {
      checkWritable();
      if (batch.isEmpty()) {
        return List.of();
      }
      State s = state;
      Manifest m = s.manifest;
      int firstId = m.nextTrackId();
      int nextTrackId;
      if (chosenId > 0) {
        if (s.byId.containsKey(chosenId) || Arrays.binarySearch(m.deleted(), chosenId) >= 0) {
          throw new TrackIdInUseException("track id " + chosenId + " is in use in index at " + dir);
        }
        if (chosenId == Integer.MAX_VALUE) {
          throw new IndexException("index at " + dir + " ran out of track ids");
        }
        firstId = chosenId;
        nextTrackId = Math.max(m.nextTrackId(), chosenId + 1);
      } else {
        if ((long) m.nextTrackId() + batch.size() > Integer.MAX_VALUE) {
          throw new IndexException("index at " + dir + " ran out of track ids");
        }
        nextTrackId = m.nextTrackId() + batch.size();
      }
      long now = System.currentTimeMillis();
      long total = 0;
      List<Track> added = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        NewTrack nt = Objects.requireNonNull(batch.get(i), "batch element");
        total += nt.fingerprints().size();
        added.add(new Track(firstId + i, nt.metadata(), nt.fingerprints().size(), now));
      }
      if (total > Integer.MAX_VALUE - 8) {
        throw new IndexException("batch too large: " + total + " postings");
      }
      int n = (int) total;
      long[] keys = new long[n];
      int[] trackIds = new int[n];
      int[] frames = new int[n];
      int p = 0;
      for (int i = 0; i < batch.size(); i++) {
        Fingerprints fp = batch.get(i).fingerprints();
        int id = added.get(i).id();
        for (int j = 0; j < fp.size(); j++, p++) {
          keys[p] = ((long) fp.hash(j) << 32) | p;
          trackIds[p] = id;
          frames[p] = fp.frame(j);
        }
      }
      Arrays.sort(keys);
      String name = Manifest.segmentName(m.nextSegment());
      Path tmp = dir.resolve(name + ".tmp");
      long size;
      try (SegmentWriter w = new SegmentWriter(tmp)) {
        for (long k : keys) {
          int i = (int) k;
          w.addPosting((int) (k >> 32), trackIds[i], frames[i]);
        }
        for (int i = 0; i < added.size(); i++) {
          w.addTrack(added.get(i), TrackPeaks.of(batch.get(i).fingerprints()).encode());
        }
        size = w.finish();
      } catch (IOException | RuntimeException e) {
        deleteQuietly(tmp);
        throw wrap("cannot write segment " + name, e);
      }
      keys = null;
      List<SegmentRef> refs = new ArrayList<>(m.segments());
      refs.add(new SegmentRef(name, size));
      Manifest next = new Manifest(m.paramsConfig(), nextTrackId, m.nextSegment() + 1, refs,
          m.deleted());
      try {
        Manifest.moveAtomically(tmp, dir.resolve(name));
        Manifest.syncDirectory(dir);
        Segment seg = Segment.open(dir.resolve(name));
        List<Segment> segments = new ArrayList<>(s.segments);
        segments.add(seg);
        next.write(dir);
        state = new State(next, segments);
      } catch (IOException e) {
        throw wrap("cannot add to index at " + dir, e);
      }
      try {
        mergeIfNeeded();
      } catch (IndexException e) {
        // The batch is durable and visible; the merge is retried by the next add or compact().
      }
      return List.copyOf(added);
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public void lookup(int[] hashes, int maxPostingsPerHash, PostingVisitor visitor) {
    if (maxPostingsPerHash < 1) {
      throw new IllegalArgumentException("maxPostingsPerHash < 1: " + maxPostingsPerHash);
    }
    State s = snapshot();
    List<Segment> segments = s.segments;
    int segCount = segments.size();
    if (segCount == 0) {
      return;
    }
    Segment[] segs = segments.toArray(new Segment[0]);
    int[] loc = new int[2];
    int[] blocks = new int[segCount];
    int[] starts = new int[segCount];
    int[] counts = new int[segCount];
    long[] deleted = s.deletedBits;
    boolean anyDeleted = s.deletedPostings > 0;
    long limit = Math.min(Integer.MAX_VALUE, (long) maxPostingsPerHash + s.deletedPostings);
    int sink = 0;
    for (Segment seg : segs) {
      for (int hash : hashes) {
        sink += seg.touch(hash);
      }
    }
    touchSink = sink;
    for (int q = 0; q < hashes.length; q++) {
      int hash = hashes[q];
      long total = 0;
      for (int k = 0; k < segCount; k++) {
        int remaining = (int) Math.max(0, limit - total);
        int c = segs[k].locate(hash, remaining, loc);
        counts[k] = c;
        blocks[k] = loc[0];
        starts[k] = loc[1];
        total += c;
        if (total > limit) {
          break;
        }
      }
      if (total == 0 || total > limit) {
        continue;
      }
      if (total > maxPostingsPerHash) {
        if (!anyDeleted) {
          continue;
        }
        long live = 0;
        for (int k = 0; k < segCount; k++) {
          if (counts[k] > 0) {
            live += segs[k].countLive(blocks[k], starts[k], counts[k], deleted);
          }
        }
        if (live > maxPostingsPerHash) {
          continue;
        }
      }
      for (int k = 0; k < segCount; k++) {
        if (counts[k] > 0) {
          segs[k].visit(blocks[k], starts[k], counts[k], q, deleted, visitor);
        }
      }
    }
  }

  @Override
  public boolean remove(int trackId) {
    writeLock.lock();
    try {
      checkWritable();
      State s = state;
      if (!s.byId.containsKey(trackId)) {
        return false;
      }
      int[] old = s.manifest.deleted();
      int[] deleted = Arrays.copyOf(old, old.length + 1);
      deleted[old.length] = trackId;
      Arrays.sort(deleted);
      Manifest m = s.manifest;
      Manifest next = new Manifest(m.paramsConfig(), m.nextTrackId(), m.nextSegment(),
          m.segments(), deleted);
      try {
        next.write(dir);
      } catch (IOException e) {
        throw wrap("cannot remove track " + trackId + " from index at " + dir, e);
      }
      state = new State(next, s.segments);
      return true;
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public Optional<Track> track(int trackId) {
    return Optional.ofNullable(snapshot().byId.get(trackId));
  }

  @Override
  public List<Track> tracks() {
    return snapshot().tracks;
  }

  @Override
  public Map<Integer, TrackPeaks> peaks(int[] trackIds) {
    State s = snapshot();
    Map<Integer, TrackPeaks> out = new HashMap<>();
    for (int id : trackIds) {
      if (!s.byId.containsKey(id) || out.containsKey(id)) {
        continue;
      }
      for (Segment seg : s.segments) {
        byte[] bytes = seg.encodedPeaks(id);
        if (bytes != null) {
          try {
            out.put(id, TrackPeaks.decode(bytes));
          } catch (IllegalArgumentException e) {
            throw new IndexException("corrupt peaks of track " + id + " in segment " + seg.name()
                + " of index at " + dir + "; remove and re-add the track", e);
          }
          break;
        }
      }
    }
    return out;
  }

  @Override
  public Optional<Track> findBySha256(String sha256) {
    if (sha256 == null || sha256.isEmpty()) {
      return Optional.empty();
    }
    return Optional.ofNullable(snapshot().bySha.get(sha256.toLowerCase(java.util.Locale.ROOT)));
  }

  @Override
  public Optional<Track> findByPath(String sourcePath) {
    if (sourcePath == null || sourcePath.isEmpty()) {
      return Optional.empty();
    }
    return Optional.ofNullable(snapshot().byPath.get(sourcePath));
  }

  @Override
  public IndexStats stats() {
    return snapshot().stats;
  }

  /** Number of live segment files. */
  public int segmentCount() {
    return snapshot().segments.size();
  }

  /**
   * Merges all segments into one and drops the postings of removed tracks. Lookups keep running
   * on the old segments meanwhile. Does nothing when there is one segment and nothing removed.
   */
  public void compact() {
    writeLock.lock();
    try {
      checkWritable();
      State s = state;
      if (s.segments.isEmpty()
          || (s.segments.size() == 1 && s.manifest.deleted().length == 0)) {
        return;
      }
      merge(0, s.segments.size());
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Makes a read-only instance see the index's current state (a writable instance always does).
   */
  public void refresh() {
    if (!readOnly) {
      snapshot();
      return;
    }
    writeLock.lock();
    try {
      State s = snapshot();
      state = loadWithRetry(dir, s);
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public void close() {
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      // Mappings are not unmapped by force: readers still running finish on them; the GC frees them.
      if (lockChannel != null) {
        closeQuietly(lockChannel);
        WRITERS_IN_THIS_JVM.remove(lockKey);
      }
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public String toString() {
    return "EmbeddedFingerprintIndex{" + dir + (readOnly ? ", read-only" : "") + "}";
  }

  // ---- merging ----

  /**
   * Log-structured merging: while the oldest of the newest {@value #MERGE_WIDTH} segments is at
   * most {@value #MERGE_WIDTH} times the smallest of the others, they are merged (so equal adds
   * make 4 segments of one size, then one of 4x, ...: few segments, each posting rewritten about
   * log4(adds) times). Past {@link #MAX_SEGMENTS}, the neighbours with the smallest total size
   * are merged anyway.
   */
  private void mergeIfNeeded() {
    while (state.segments.size() >= MERGE_WIDTH) {
      List<Segment> segs = state.segments;
      int first = segs.size() - MERGE_WIDTH;
      long smallest = Long.MAX_VALUE;
      long total = segs.get(first).sizeBytes();
      for (int k = first + 1; k < segs.size(); k++) {
        smallest = Math.min(smallest, segs.get(k).sizeBytes());
        total += segs.get(k).sizeBytes();
      }
      if (segs.get(first).sizeBytes() > MERGE_WIDTH * smallest || total > MAX_MERGED_BYTES) {
        break;
      }
      merge(first, segs.size());
    }
    while (state.segments.size() > MAX_SEGMENTS) {
      List<Segment> segs = state.segments;
      int best = -1;
      long bestBytes = Long.MAX_VALUE;
      for (int i = 0; i + MERGE_WIDTH <= segs.size(); i++) {
        long bytes = 0;
        for (int k = i; k < i + MERGE_WIDTH; k++) {
          bytes += segs.get(k).sizeBytes();
        }
        if (bytes < bestBytes) {
          bestBytes = bytes;
          best = i;
        }
      }
      if (best < 0 || bestBytes > MAX_MERGED_BYTES) {
        return;
      }
      merge(best, best + MERGE_WIDTH);
    }
  }

  /** Posting order in a segment: hash, then track, then frame. */
  private static boolean before(Segment.Cursor a, Segment.Cursor b) {
    if (a.hash() != b.hash()) {
      return a.hash() < b.hash();
    }
    if (a.trackId() != b.trackId()) {
      return a.trackId() < b.trackId();
    }
    return a.frame() < b.frame();
  }

  /** Replaces segments [from, to) by one merged segment without removed tracks. */
  private void merge(int from, int to) {
    State s = state;
    Manifest m = s.manifest;
    List<Segment> inputs = s.segments.subList(from, to);
    long[] deletedBits = s.deletedBits;
    String name = Manifest.segmentName(m.nextSegment());
    Path tmp = dir.resolve(name + ".tmp");
    long size;
    int keptTracks = 0;
    try (SegmentWriter w = new SegmentWriter(tmp)) {
      int k = inputs.size();
      Segment.Cursor[] cursors = new Segment.Cursor[k];
      boolean[] has = new boolean[k];
      for (int i = 0; i < k; i++) {
        cursors[i] = inputs.get(i).cursor();
        has[i] = cursors[i].next();
      }
      while (true) {
        int min = -1;
        for (int i = 0; i < k; i++) {
          if (has[i] && (min < 0 || before(cursors[i], cursors[min]))) {
            min = i;
          }
        }
        if (min < 0) {
          break;
        }
        Segment.Cursor c = cursors[min];
        if (!isDeleted(deletedBits, c.trackId())) {
          w.addPosting(c.hash(), c.trackId(), c.frame());
        }
        has[min] = c.next();
      }
      // Ids ascend across segments unless a track was added under a chosen id (addAs).
      List<Track> kept = new ArrayList<>();
      Map<Integer, Segment> holders = new HashMap<>();
      for (Segment in : inputs) {
        for (Track t : in.tracks()) {
          if (!isDeleted(deletedBits, t.id())) {
            kept.add(t);
            holders.put(t.id(), in);
          }
        }
      }
      kept.sort((a, b) -> Integer.compare(a.id(), b.id()));
      for (Track t : kept) {
        w.addTrack(t, holders.get(t.id()).encodedPeaks(t.id()));
        keptTracks++;
      }
      size = w.finish();
    } catch (IOException | RuntimeException e) {
      deleteQuietly(tmp);
      throw wrap("cannot write segment " + name, e);
    }
    try {
      List<Segment> segments = new ArrayList<>(s.segments.subList(0, from));
      List<SegmentRef> refs = new ArrayList<>();
      for (Segment seg : segments) {
        refs.add(new SegmentRef(seg.name(), seg.sizeBytes()));
      }
      if (keptTracks > 0) {
        Manifest.moveAtomically(tmp, dir.resolve(name));
        Manifest.syncDirectory(dir);
        Segment merged = Segment.open(dir.resolve(name));
        segments.add(merged);
        refs.add(new SegmentRef(name, size));
      } else {
        Files.deleteIfExists(tmp);
      }
      for (Segment seg : s.segments.subList(to, s.segments.size())) {
        segments.add(seg);
        refs.add(new SegmentRef(seg.name(), seg.sizeBytes()));
      }
      // Keep only the removed ids whose postings are still in some segment.
      Set<Integer> present = new java.util.HashSet<>();
      for (Segment seg : segments) {
        for (Track t : seg.tracks()) {
          present.add(t.id());
        }
      }
      int[] deleted = Arrays.stream(m.deleted()).filter(present::contains).toArray();
      Manifest next = new Manifest(m.paramsConfig(), m.nextTrackId(), m.nextSegment() + 1, refs,
          deleted);
      next.write(dir);
      state = new State(next, segments);
    } catch (IOException e) {
      throw wrap("cannot compact index at " + dir, e);
    }
    for (Segment old : inputs) {
      // Readers in this or other processes may still map it: on POSIX the mapping stays valid.
      // Where deletion fails (Windows), the next writable open removes the orphan.
      deleteQuietly(dir.resolve(old.name()));
    }
  }

  // ---- helpers ----

  private State snapshot() {
    if (closed) {
      throw new IndexException("index at " + dir + " is closed");
    }
    return state;
  }

  private void checkWritable() {
    snapshot();
    if (readOnly) {
      throw new IndexException("index at " + dir + " is open read-only");
    }
  }

  private static boolean isDeleted(long[] bits, int id) {
    int w = id >>> 6;
    return w < bits.length && (bits[w] & (1L << id)) != 0;
  }

  private static IndexException wrap(String message, Exception e) {
    if (e instanceof IndexException ie) {
      return ie;
    }
    if (e instanceof UncheckedIOException u) {
      return new IndexException(message + ": " + u.getCause(), u.getCause());
    }
    return new IndexException(message + ": " + e, e);
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Left as an orphan; removed by the next writable open.
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // nothing to do
      }
    }
  }

  /** An immutable view of the index: what lookups and reads run on. */
  private static final class State {
    final Manifest manifest;
    final List<Segment> segments;
    final List<Track> tracks;
    final Map<Integer, Track> byId;
    final Map<String, Track> bySha;
    final Map<String, Track> byPath;
    final long[] deletedBits;
    final long deletedPostings;
    final IndexStats stats;

    State(Manifest manifest, List<Segment> segments) {
      this.manifest = manifest;
      this.segments = List.copyOf(segments);
      int[] deleted = manifest.deleted();
      int maxId = 0;
      for (int id : deleted) {
        maxId = Math.max(maxId, id);
      }
      long[] bits = new long[deleted.length == 0 ? 0 : (maxId >>> 6) + 1];
      for (int id : deleted) {
        bits[id >>> 6] |= 1L << id;
      }
      this.deletedBits = bits;
      List<Track> live = new ArrayList<>();
      Map<Integer, Track> ids = new HashMap<>();
      Map<String, Track> shas = new HashMap<>();
      Map<String, Track> paths = new HashMap<>();
      long durationMillis = 0;
      long postings = 0;
      long deletedPostings = 0;
      long bytes = manifest.encodedSize();
      for (Segment seg : this.segments) {
        bytes += seg.sizeBytes();
        for (Track t : seg.tracks()) {
          if (isDeleted(bits, t.id())) {
            deletedPostings += t.postingCount();
            continue;
          }
          live.add(t);
          ids.put(t.id(), t);
          if (!t.metadata().sha256().isEmpty()) {
            shas.putIfAbsent(t.metadata().sha256(), t);
          }
          if (!t.metadata().sourcePath().isEmpty()) {
            paths.merge(t.metadata().sourcePath(), t, (a, b) -> a.id() > b.id() ? a : b);
          }
          durationMillis += t.metadata().durationMillis();
          postings += t.postingCount();
        }
      }
      live.sort((a, b) -> Integer.compare(a.id(), b.id()));
      this.tracks = List.copyOf(live);
      this.byId = Map.copyOf(ids);
      this.bySha = Map.copyOf(shas);
      this.byPath = Map.copyOf(paths);
      this.deletedPostings = deletedPostings;
      this.stats = new IndexStats(live.size(), durationMillis, postings, bytes);
    }
  }
}
