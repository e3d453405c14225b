package io.tunetrace.core.index;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.embedded.HashCounts;
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
 * {@code MANIFEST} that names the live ones. Every {@link #add} writes a new segment; an add then
 * merges segments of similar size (size-tiered, at most {@link #MAX_SEGMENTS} segments below half
 * the maximum segment size), and {@link #compact()} merges them down to about as few as the
 * maximum segment size ({@link #DEFAULT_MAX_SEGMENT_BYTES}) allows. No segment is written above
 * that bound, so the number of segments grows with the index: lookups cost one search per
 * segment, so bulk loaders should compact at the end.
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
  /**
   * Above this many segments below half the maximum segment size, an add merges the
   * {@value #MERGE_WIDTH} smallest of them. Segments of at least half the maximum size ("full"
   * ones) are not counted: their number grows with the index.
   */
  public static final int MAX_SEGMENTS = 8;
  /** The default bound on the size of one segment file: 1 GiB. */
  public static final long DEFAULT_MAX_SEGMENT_BYTES = 1L << 30;
  /**
   * A segment written with at least this many postings (about 135 hours of audio, a file of
   * about 130 MB) gets a hash-count table ({@link HashCounts}, 8 MiB: at most about 6 % of its
   * segment), so that lookups skip hashes above their cap without searching the segments
   * (docs/INDEX-ENGINE.md).
   */
  public static final long DEFAULT_HASH_COUNTS_MIN_POSTINGS = 1L << 25;
  /**
   * How many lookups of a snapshot read each hash's count from the tables one by one (a byte per
   * table) before the tables are summed into one array (about 60 ms for 10,000 h): a short-lived
   * process that matches one clip never pays for the sum.
   */
  static final int HASH_COUNT_SUM_AFTER = 32;
  /** The largest bound a segment file allows (offsets in it are ints). */
  static final long LARGEST_MAX_SEGMENT_BYTES = Integer.MAX_VALUE - (1 << 20);

  static final String LOCK_FILE = "LOCK";
  static final int MERGE_WIDTH = 4;
  /** A guess of the bytes of one new posting; a step whose output is too large is rewritten. */
  static final double NEW_BYTES_PER_POSTING = 6.0;
  private static final Set<Path> WRITERS_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

  private final Path dir;
  private final Path lockKey;
  private final FingerprintParams params;
  private final boolean readOnly;
  private final long maxSegmentBytes;
  private final FileChannel lockChannel;
  private final ReentrantLock writeLock = new ReentrantLock();
  private volatile State state;
  /** Bytes of segment files this instance published (adds and merges): for write amplification. */
  private long bytesWritten;
  /** The most bytes one add or merge step of this instance published. */
  private long largestStepBytes;
  /** How often an output came out above the bound and a step was rewritten with smaller runs. */
  private int rewrites;
  private double newBytesPerPosting = NEW_BYTES_PER_POSTING;
  private volatile boolean closed;
  private volatile long hashCountsMinPostings = DEFAULT_HASH_COUNTS_MIN_POSTINGS;
  /** Lookups of a snapshot that read the tables one by one before their sum is made. */
  private volatile int hashCountSumAfter = HASH_COUNT_SUM_AFTER;
  /** Distinct hashes that lookups searched the segments for (not skipped by the tables); for tests. */
  private final java.util.concurrent.atomic.LongAdder hashesSearched =
      new java.util.concurrent.atomic.LongAdder();
  /** The hash-count sum of the latest snapshot that needed one, reused while its segments last. */
  private volatile HashCounts.Sum lastHashCounts;
  /** Keeps the JIT from dropping the prefetching reads of {@link #lookup}. */
  @SuppressWarnings("unused")
  private int touchSink;

  private EmbeddedFingerprintIndex(Path dir, Path lockKey, FingerprintParams params, boolean readOnly,
      long maxSegmentBytes, FileChannel lockChannel, State state) {
    this.dir = dir;
    this.maxSegmentBytes = maxSegmentBytes;
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
    return openWritable(dir, params, DEFAULT_MAX_SEGMENT_BYTES);
  }

  /**
   * Like {@link #open(Path, FingerprintParams)} ({@code params} may be {@code null}: those of the
   * index, or the default), with another bound on the size of a segment file: merges and
   * compactions never write a larger one (a single track larger than it gets a segment of its
   * own). Small bounds are for tests; the bound is not stored, each writer may use its own.
   */
  static EmbeddedFingerprintIndex open(Path dir, FingerprintParams params, long maxSegmentBytes) {
    if (maxSegmentBytes < 1024 || maxSegmentBytes > LARGEST_MAX_SEGMENT_BYTES) {
      throw new IllegalArgumentException("maxSegmentBytes out of range: " + maxSegmentBytes);
    }
    return openWritable(dir, params, maxSegmentBytes);
  }

  /**
   * Sets how many lookups of a snapshot read the hash-count tables byte by byte before they are
   * summed ({@link #HASH_COUNT_SUM_AFTER}); 0 sums them at the first. For tests.
   */
  void hashCountSumAfter(int lookups) {
    this.hashCountSumAfter = lookups;
  }

  /**
   * Sets how many postings a new segment needs to get a hash-count table ({@link
   * #DEFAULT_HASH_COUNTS_MIN_POSTINGS}); 1 gives every segment one, {@code Long.MAX_VALUE} none.
   * For tests: like the segment bound, a setting of the writer, not stored.
   */
  void hashCountsMinPostings(long minPostings) {
    if (minPostings < 1) {
      throw new IllegalArgumentException("minPostings < 1: " + minPostings);
    }
    this.hashCountsMinPostings = minPostings;
  }

  /**
   * Opens the index in {@code dir} for reading and writing with the parameters it was built with.
   * A missing directory, or one without an index, gets a new index with {@link
   * FingerprintParams#DEFAULT}.
   */
  public static EmbeddedFingerprintIndex open(Path dir) {
    return openWritable(dir, null, DEFAULT_MAX_SEGMENT_BYTES);
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
    return new EmbeddedFingerprintIndex(abs, null, p, true, DEFAULT_MAX_SEGMENT_BYTES, null, state);
  }

  private static EmbeddedFingerprintIndex openWritable(Path dir, FingerprintParams wanted,
      long maxSegmentBytes) {
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
      return new EmbeddedFingerprintIndex(abs, key, p, false, maxSegmentBytes, lockChannel, state);
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

  /** "seg-" + one or more ASCII digits + ".tts" (by hand: no regular expression at open). */
  private static boolean isSegmentName(String name) {
    int end = name.length() - ".tts".length();
    if (!name.startsWith("seg-") || !name.endsWith(".tts") || end <= "seg-".length()) {
      return false;
    }
    for (int i = "seg-".length(); i < end; i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
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
      byte[][] peaks = new byte[batch.size()][];
      long[] estimates = new long[batch.size()];
      for (int i = 0; i < batch.size(); i++) {
        peaks[i] = TrackPeaks.of(batch.get(i).fingerprints()).encode();
        Track t = added.get(i);
        estimates[i] = (long) Math.ceil(t.postingCount() * newBytesPerPosting)
            + peaks[i].length + recordEstimate(t);
      }
      final long[] sortedKeys = keys;
      final int base = firstId;
      List<SegmentRef> written = writeSegments(added, estimates,
          () -> new PostingSource() {
            private int at = -1;

            @Override
            public boolean next() {
              return ++at < sortedKeys.length;
            }

            @Override
            public int hash() {
              return (int) (sortedKeys[at] >> 32);
            }

            @Override
            public int trackId() {
              return trackIds[(int) sortedKeys[at]];
            }

            @Override
            public int frame() {
              return frames[(int) sortedKeys[at]];
            }
          },
          id -> peaks[id - base], m.nextSegment(), "cannot write segment");
      keys = null;
      List<SegmentRef> refs = new ArrayList<>(m.segments());
      refs.addAll(written);
      Manifest next = new Manifest(m.paramsConfig(), nextTrackId,
          m.nextSegment() + Math.max(1, written.size()), refs, m.deleted());
      try {
        List<Segment> segments = new ArrayList<>(s.segments);
        for (SegmentRef ref : written) {
          segments.add(Segment.open(dir.resolve(ref.name())));
        }
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
    // Hashes that the segments' hash-count tables show to be above the limit (their counts
    // include removed postings, hence the limit), or in no segment, are not searched for.
    Segment[] tabled = s.withHashCounts;
    HashCounts.Sum sum = tabled.length == 0 ? null : hashCountSum(s);
    int[] searched = new int[hashes.length];
    int m = 0;
    for (int q = 0; q < hashes.length; q++) {
      int hash = hashes[q];
      if (tabled.length > 0 && HashCounts.covers(hash)) {
        long lower = sum != null ? sum.lowerBound(hash) : lowerBound(tabled, hash, limit);
        if (lower > limit || (lower == 0 && tabled.length == segCount)) {
          continue;
        }
      }
      searched[m++] = q;
    }
    hashesSearched.add(m);
    int sink = 0;
    for (Segment seg : segs) {
      for (int i = 0; i < m; i++) {
        sink += seg.touch(hashes[searched[i]]);
      }
    }
    touchSink = sink;
    for (int i = 0; i < m; i++) {
      int q = searched[i];
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

  /** A hash's least count in these segments' tables, read one by one; stops above {@code limit}. */
  private static long lowerBound(Segment[] tabled, int hash, long limit) {
    long lower = 0;
    for (Segment seg : tabled) {
      lower += seg.hashCountLowerBound(hash);
      if (lower > limit) {
        break;
      }
    }
    return lower;
  }

  /**
   * The sum of the hash-count tables of the snapshot's segments that have one, or null while it is
   * not worth making: the first {@link #hashCountSumAfter} lookups of a snapshot read each table's
   * byte of each hash instead (a one-clip process makes three or four lookups, and summing 8 MiB
   * per table would cost it more than it saves). Reused by later snapshots while their segments
   * with tables are the same (adds write small segments without).
   */
  private HashCounts.Sum hashCountSum(State s) {
    HashCounts.Sum sum = s.hashCounts;
    if (sum != null) {
      return sum;
    }
    HashCounts.Sum last = lastHashCounts;
    if (last != null && last.sameSegments(s.withHashCounts)) {
      sum = last;
    } else if (s.lookups.incrementAndGet() > hashCountSumAfter) {
      sum = HashCounts.Sum.of(s.withHashCounts);
    } else {
      return null;
    }
    s.hashCounts = sum;
    lastHashCounts = sum;
    return sum;
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
   * Merges segments down to about as few as the maximum segment size allows and drops the
   * postings and peaks of removed tracks. In passes: segments, ordered by the bytes of their live
   * tracks, are cut into groups of at most {@value #MERGE_WIDTH} times the bound; a group whose
   * live bytes fit in fewer segments than it has is merged into as few (each at most the bound),
   * and a segment holding removed tracks, or larger than the bound, is rewritten. Each step writes
   * at most {@value #MERGE_WIDTH} times the bound, never the whole index of a larger one, and its
   * manifest swap is atomic. Lookups keep running on the old segments meanwhile. Does nothing
   * when nothing would shrink (e.g. one segment and nothing removed).
   */
  public void compact() {
    compact(Long.MAX_VALUE);
  }

  /**
   * As {@link #compact()}, with no step rewriting more than about {@code maxStepBytes} of live
   * postings: a segment larger than that is left as it is (its removed tracks stay masked), and
   * smaller ones are merged in groups of at most that much. For a caller that added a little to a
   * large index and wants the cost of compacting bounded by what it added.
   */
  public void compact(long maxStepBytes) {
    if (maxStepBytes <= 0) {
      return;
    }
    double groupLimit = Math.min(0.9 * MERGE_WIDTH * maxSegmentBytes, (double) maxStepBytes);
    writeLock.lock();
    try {
      checkWritable();
      for (int pass = 0; pass < 64; pass++) {
        State s = state;
        int before = s.segments.size();
        if (before == 0) {
          return;
        }
        Map<String, Long> live = new HashMap<>();
        for (Segment seg : s.segments) {
          live.put(seg.name(), liveBytes(seg, s.deletedBits));
        }
        List<Segment> bySize = new ArrayList<>(s.segments);
        bySize.sort((a, b) -> Long.compare(live.get(a.name()), live.get(b.name())));
        List<List<Segment>> groups = new ArrayList<>();
        List<Segment> group = new ArrayList<>();
        long groupBytes = 0;
        for (Segment seg : bySize) {
          long bytes = live.get(seg.name());
          if (bytes > maxStepBytes) {
            break; // this one and every larger one are left as they are
          }
          // 90%: estimates may be a little low, and a step should write at most 4 bounds.
          if (!group.isEmpty() && groupBytes + bytes > groupLimit) {
            groups.add(group);
            group = new ArrayList<>();
            groupBytes = 0;
          }
          group.add(seg);
          groupBytes += bytes;
        }
        groups.add(group);
        boolean merged = false;
        for (List<Segment> g : groups) {
          long bytes = 0;
          for (Segment seg : g) {
            bytes += live.get(seg.name());
          }
          long needed = Math.max(1, (bytes + maxSegmentBytes - 1) / maxSegmentBytes);
          if (g.size() > needed) {
            merge(g);
            merged = true;
            continue;
          }
          for (Segment seg : g) {
            boolean oversized = seg.sizeBytes() > maxSegmentBytes && seg.tracks().size() > 1;
            if (oversized || holdsRemoved(seg, s.deletedBits)) {
              merge(List.of(seg));
              merged = true;
            }
          }
        }
        if (!merged || state.segments.size() >= before) {
          return;
        }
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** Bytes of segment files this instance wrote (adds and merges); for tests and benchmarks. */
  long bytesWritten() {
    return bytesWritten;
  }

  /** The most bytes one add or merge step of this instance wrote; for tests. */
  long largestStepBytes() {
    return largestStepBytes;
  }

  /** How many hashes lookups searched the segments for, rather than skipped; for tests. */
  long hashesSearched() {
    return hashesSearched.sum();
  }

  /** How often a step's estimate was low and it was rewritten in smaller segments; for tests. */
  int rewrites() {
    return rewrites;
  }

  /** Sets the guess of the bytes of a new posting, so tests can make it wrong. */
  void guessBytesPerPosting(double bytes) {
    newBytesPerPosting = bytes;
  }

  /** The bound on the size of a segment file this writer keeps. */
  public long maxSegmentBytes() {
    return maxSegmentBytes;
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
   * Size-tiered merging under a bound. Segments whose live tracks take at least half the maximum
   * segment size are full and left alone (only {@link #compact()} rewrites them, to drop removed
   * tracks). Among the others, ordered by size, {@value #MERGE_WIDTH} neighbours of similar size
   * (the largest at most {@value #MERGE_WIDTH} times the smallest) are merged, smallest first: equal
   * adds make 4 segments of one size, then one of 4x, ..., so each posting is rewritten about
   * log4(bound / add size) times and never again once its segment is full. Past {@link
   * #MAX_SEGMENTS} such segments, the {@value #MERGE_WIDTH} smallest are merged anyway. A merge
   * writes its output in as many segments as the bound needs, so no step writes more than
   * about twice the bound and none rewrites the whole index.
   */
  private void mergeIfNeeded() {
    long full = maxSegmentBytes / 2;
    while (true) {
      State s = state;
      List<Segment> small = new ArrayList<>();
      Map<String, Long> live = new HashMap<>();
      for (Segment seg : s.segments) {
        long bytes = liveBytes(seg, s.deletedBits);
        if (bytes < full) {
          small.add(seg);
          live.put(seg.name(), bytes);
        }
      }
      if (small.size() < MERGE_WIDTH) {
        return;
      }
      small.sort((a, b) -> Long.compare(live.get(a.name()), live.get(b.name())));
      List<Segment> chosen = null;
      for (int i = 0; i + MERGE_WIDTH <= small.size() && chosen == null; i++) {
        long lo = Math.max(1, live.get(small.get(i).name()));
        long hi = live.get(small.get(i + MERGE_WIDTH - 1).name());
        if (hi <= MERGE_WIDTH * lo) {
          chosen = small.subList(i, i + MERGE_WIDTH);
        }
      }
      if (chosen == null && small.size() > MAX_SEGMENTS) {
        chosen = small.subList(0, MERGE_WIDTH);
      }
      if (chosen == null) {
        return;
      }
      int before = s.segments.size();
      merge(new ArrayList<>(chosen));
      if (state.segments.size() >= before) {
        return; // the output did not shrink the count (estimates far off): stop, retried later
      }
    }
  }

  /** The estimated bytes the live tracks of {@code seg} take in a segment of their own. */
  private static long liveBytes(Segment seg, long[] deletedBits) {
    double perPosting = bytesPerPosting(seg);
    long bytes = 0;
    for (Track t : seg.tracks()) {
      if (!isDeleted(deletedBits, t.id())) {
        bytes += trackEstimate(seg, t, perPosting);
      }
    }
    return bytes;
  }

  private static boolean holdsRemoved(Segment seg, long[] deletedBits) {
    for (Track t : seg.tracks()) {
      if (isDeleted(deletedBits, t.id())) {
        return true;
      }
    }
    return false;
  }

  /** The bytes of postings in {@code seg} per posting (blocks and block index). */
  private static double bytesPerPosting(Segment seg) {
    if (seg.postingCount() == 0) {
      return 0;
    }
    long other = 56;
    for (Track t : seg.tracks()) {
      other += seg.encodedPeaksLength(t.id()) + recordEstimate(t);
    }
    return Math.max(0, seg.sizeBytes() - other) / (double) seg.postingCount();
  }

  private static long trackEstimate(Segment seg, Track t, double perPosting) {
    return (long) Math.ceil(t.postingCount() * perPosting) + seg.encodedPeaksLength(t.id())
        + recordEstimate(t);
  }

  /** About the bytes of a track record. */
  private static long recordEstimate(Track t) {
    TrackMetadata m = t.metadata();
    return 40L + m.title().length() + m.artist().length() + m.album().length()
        + m.sourcePath().length() + m.sha256().length();
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

  /** A stream of postings in (hash, track, frame) order. */
  private interface PostingSource {
    boolean next() throws IOException;

    int hash();

    int trackId();

    int frame();
  }

  /** The postings of {@code inputs} in order, without those of removed tracks. */
  private static PostingSource mergedPostings(List<Segment> inputs, long[] deletedBits) {
    int k = inputs.size();
    Segment.Cursor[] cursors = new Segment.Cursor[k];
    boolean[] has = new boolean[k];
    for (int i = 0; i < k; i++) {
      cursors[i] = inputs.get(i).cursor();
      has[i] = cursors[i].next();
    }
    return new PostingSource() {
      private Segment.Cursor current;
      private int currentIndex = -1;
      // The head of the least other cursor: the current cursor's run goes on while its postings
      // stay before it, one comparison a posting instead of a scan of every cursor. No two
      // cursors hold one posting (a track is in one segment), so the order is the scan's.
      private boolean other;
      private int otherHash;
      private int otherTrack;
      private int otherFrame;

      @Override
      public boolean next() {
        while (true) {
          if (currentIndex >= 0) {
            boolean more = current.next();
            has[currentIndex] = more;
            if (more && (!other || beforeOther(current))) {
              if (!isDeleted(deletedBits, current.trackId())) {
                return true;
              }
              continue;
            }
          }
          int min = -1;
          int second = -1;
          for (int i = 0; i < k; i++) {
            if (!has[i]) {
              continue;
            }
            if (min < 0 || before(cursors[i], cursors[min])) {
              second = min;
              min = i;
            } else if (second < 0 || before(cursors[i], cursors[second])) {
              second = i;
            }
          }
          if (min < 0) {
            currentIndex = -1;
            return false;
          }
          currentIndex = min;
          current = cursors[min];
          other = second >= 0;
          if (other) {
            otherHash = cursors[second].hash();
            otherTrack = cursors[second].trackId();
            otherFrame = cursors[second].frame();
          }
          if (!isDeleted(deletedBits, current.trackId())) {
            return true;
          }
        }
      }

      /** {@link #before} against the least other cursor's head. */
      private boolean beforeOther(Segment.Cursor c) {
        if (c.hash() != otherHash) {
          return c.hash() < otherHash;
        }
        if (c.trackId() != otherTrack) {
          return c.trackId() < otherTrack;
        }
        return c.frame() < otherFrame;
      }

      @Override
      public int hash() {
        return current.hash();
      }

      @Override
      public int trackId() {
        return current.trackId();
      }

      @Override
      public int frame() {
        return current.frame();
      }
    };
  }

  /**
   * Writes {@code tracks} (ascending ids) with their postings and peaks into as many new segments,
   * numbered from {@code firstNumber}, as keep each within {@link #maxSegmentBytes}: tracks are
   * cut into runs of about equal estimated size, each run a segment (a track is never split, so
   * the postings of one hash may be in several segments). If an output still comes out larger
   * (the estimate was low), all are rewritten with smaller runs. The files are forced to disk and
   * renamed to their names, not yet in the manifest.
   */
  private List<SegmentRef> writeSegments(List<Track> tracks, long[] estimates,
      java.util.function.Supplier<PostingSource> postings,
      java.util.function.IntFunction<byte[]> peaks, long firstNumber, String what) {
    if (tracks.isEmpty()) {
      return List.of();
    }
    double factor = 1.0;
    long minPostings = hashCountsMinPostings;
    long total = 0;
    for (Track t : tracks) {
      total += t.postingCount();
    }
    while (true) {
      double cap = maxSegmentBytes / factor;
      // Room for a hash-count table, when a run may be large enough to get one.
      if (total >= minPostings && cap > 2.0 * HashCounts.TABLE_BYTES) {
        cap -= HashCounts.TABLE_BYTES;
      }
      int[] starts = plan(estimates, cap);
      int n = starts.length - 1;
      int[] firstIds = new int[n];
      for (int c = 0; c < n; c++) {
        firstIds[c] = tracks.get(starts[c]).id();
      }
      String[] names = new String[n];
      Path[] tmps = new Path[n];
      long[] sizes = new long[n];
      SegmentWriter[] writers = new SegmentWriter[n];
      try {
        for (int c = 0; c < n; c++) {
          names[c] = Manifest.segmentName(firstNumber + c);
          tmps[c] = dir.resolve(names[c] + ".tmp");
          long runPostings = 0;
          for (int i = starts[c]; i < starts[c + 1]; i++) {
            runPostings += tracks.get(i).postingCount();
          }
          writers[c] = new SegmentWriter(tmps[c], runPostings >= minPostings);
        }
        PostingSource src = postings.get();
        while (src.next()) {
          int id = src.trackId();
          int c = Arrays.binarySearch(firstIds, id);
          if (c < 0) {
            c = -c - 2;
          }
          writers[c].addPosting(src.hash(), id, src.frame());
        }
        for (int c = 0; c < n; c++) {
          for (int i = starts[c]; i < starts[c + 1]; i++) {
            Track t = tracks.get(i);
            writers[c].addTrack(t, peaks.apply(t.id()));
          }
          sizes[c] = writers[c].finish();
        }
      } catch (IOException | RuntimeException e) {
        closeAndDelete(writers, tmps);
        throw wrap(what + " " + names[0], e);
      }
      double worst = 1.0;
      for (int c = 0; c < n; c++) {
        if (sizes[c] > maxSegmentBytes && starts[c + 1] - starts[c] > 1) {
          worst = Math.max(worst, sizes[c] / (double) maxSegmentBytes);
        }
      }
      if (worst > 1.0) {
        closeAndDelete(writers, tmps);
        rewrites++;
        factor *= Math.max(1.2, worst * 1.05);
        continue;
      }
      List<SegmentRef> refs = new ArrayList<>(n);
      long step = 0;
      for (long size : sizes) {
        step += size;
      }
      bytesWritten += step;
      largestStepBytes = Math.max(largestStepBytes, step);
      try {
        for (int c = 0; c < n; c++) {
          Manifest.moveAtomically(tmps[c], dir.resolve(names[c]));
          refs.add(new SegmentRef(names[c], sizes[c]));
        }
        Manifest.syncDirectory(dir);
      } catch (IOException e) {
        for (int c = 0; c < n; c++) {
          deleteQuietly(tmps[c]);
          deleteQuietly(dir.resolve(names[c]));
        }
        throw wrap(what + " " + names[0], e);
      }
      return refs;
    }
  }

  /**
   * Cuts tracks of these estimated sizes into consecutive runs of at most {@code cap} (a larger
   * track alone) and about equal size: the start of each run, then the number of tracks.
   */
  static int[] plan(long[] estimates, double cap) {
    double total = 0;
    for (long e : estimates) {
      total += e;
    }
    double target = total / Math.max(1, Math.ceil(total / cap));
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    double current = 0;
    for (int i = 0; i < estimates.length; i++) {
      double e = estimates[i];
      if (current > 0 && (current + e > cap || current + e / 2 > target)) {
        starts.add(i);
        current = 0;
      }
      current += e;
    }
    starts.add(estimates.length);
    return starts.stream().mapToInt(Integer::intValue).toArray();
  }

  private static void closeAndDelete(SegmentWriter[] writers, Path[] tmps) {
    for (int c = 0; c < writers.length; c++) {
      if (writers[c] != null) {
        try {
          writers[c].close();
        } catch (IOException e) {
          // deleted below or left as an orphan
        }
      }
      if (tmps[c] != null) {
        deleteQuietly(tmps[c]);
      }
    }
  }

  /** Replaces {@code inputs} by merged segments of at most the bound, without removed tracks. */
  private void merge(List<Segment> inputs) {
    State s = state;
    Manifest m = s.manifest;
    long[] deletedBits = s.deletedBits;
    // Ids ascend across segments unless a track was added under a chosen id (addAs).
    List<Track> kept = new ArrayList<>();
    Map<Integer, Segment> holders = new HashMap<>();
    Map<Segment, Double> perPosting = new HashMap<>();
    for (Segment in : inputs) {
      perPosting.put(in, bytesPerPosting(in));
      for (Track t : in.tracks()) {
        if (!isDeleted(deletedBits, t.id())) {
          kept.add(t);
          holders.put(t.id(), in);
        }
      }
    }
    kept.sort((a, b) -> Integer.compare(a.id(), b.id()));
    long[] estimates = new long[kept.size()];
    for (int i = 0; i < kept.size(); i++) {
      Track t = kept.get(i);
      Segment in = holders.get(t.id());
      estimates[i] = trackEstimate(in, t, perPosting.get(in));
    }
    List<SegmentRef> written = writeSegments(kept, estimates,
        () -> mergedPostings(inputs, deletedBits), id -> holders.get(id).encodedPeaks(id),
        m.nextSegment(), "cannot write merged segment");
    Set<String> replaced = new java.util.HashSet<>();
    for (Segment in : inputs) {
      replaced.add(in.name());
    }
    try {
      List<Segment> segments = new ArrayList<>();
      List<SegmentRef> refs = new ArrayList<>();
      boolean placed = false;
      for (Segment seg : s.segments) {
        if (!replaced.contains(seg.name())) {
          segments.add(seg);
          refs.add(new SegmentRef(seg.name(), seg.sizeBytes()));
        } else if (!placed) {
          placed = true;
          for (SegmentRef ref : written) {
            segments.add(Segment.open(dir.resolve(ref.name())));
            refs.add(ref);
          }
        }
      }
      // Keep only the removed ids whose postings are still in some segment.
      Set<Integer> present = new java.util.HashSet<>();
      for (Segment seg : segments) {
        for (Track t : seg.tracks()) {
          present.add(t.id());
        }
      }
      int[] deleted = Arrays.stream(m.deleted()).filter(present::contains).toArray();
      Manifest next = new Manifest(m.paramsConfig(), m.nextTrackId(),
          m.nextSegment() + Math.max(1, written.size()), refs, deleted);
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
    /** The segments with a hash-count table. */
    final Segment[] withHashCounts;
    /** Their sum, once made ({@link #hashCountSum(State)}). */
    volatile HashCounts.Sum hashCounts;
    /** Lookups made before the sum. */
    final java.util.concurrent.atomic.AtomicInteger lookups =
        new java.util.concurrent.atomic.AtomicInteger();

    State(Manifest manifest, List<Segment> segments) {
      this.manifest = manifest;
      this.segments = List.copyOf(segments);
      this.withHashCounts = this.segments.stream().filter(Segment::hasHashCounts)
          .toArray(Segment[]::new);
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
