package io.tunetrace.cli;

import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.InMemoryFingerprintIndex;
import io.tunetrace.core.index.NewTrack;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.core.match.SameAudio;
import io.tunetrace.core.match.SameAudioFinder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Adds many files to an index using every core: worker threads hash, decode and fingerprint files
 * in parallel, and the fingerprints are written to the index in batches (by whichever worker fills
 * a batch, so the measured worker CPU time covers decode, fingerprinting and storage). One bad file
 * never stops the batch. Use one instance per run; not thread-safe, except {@link #stop()}.
 *
 * <p>Crash safety: a batch is also written once its oldest file has waited {@code flushMillis}, so
 * a killed run loses at most the files fingerprinted in that window; every write is one atomic
 * index update, and a file is reported as stored ({@code stored}) only after its write. A re-run
 * skips the stored files by their bytes. {@link #stop()} (from a shutdown hook) lets the workers
 * finish the files they hold, takes no new ones and writes what finished.
 *
 * <p>The rules of {@link TuneTrace#add} hold: a file whose bytes are indexed is skipped, a path
 * already indexed with other bytes replaces its track, and a file whose audio is already indexed
 * (by an earlier batch, or earlier in its own batch) is added and names that track.
 */
final class Ingester {
  /** What happened to one file. */
  enum Kind {
    ADDED,
    DUPLICATE,
    FAILED
  }

  /**
   * @param file the file as given
   * @param kind the outcome
   * @param track the stored track (for a duplicate: the one already stored, if known)
   * @param audioMillis duration of the decoded audio (0 unless added)
   * @param postings hashes stored (0 unless added)
   * @param detail for a failure its one-line reason, for a duplicate what it duplicates
   * @param sameAudioAs for an added file, an indexed track with the same audio, else null
   * @param replaced for an added file, the track it replaced (same path, other bytes), else null
   */
  record Outcome(Path file, Kind kind, Track track, long audioMillis, long postings, String detail,
      Track sameAudioAs, Track replaced) {
    Outcome(Path file, Kind kind, Track track, long audioMillis, long postings, String detail) {
      this(file, kind, track, audioMillis, postings, detail, null, null);
    }
  }

  /** Totals of a run. */
  record Summary(
      List<Outcome> outcomes,
      long wallNanos,
      long workerCpuNanos,
      int threads,
      Map<Path, Long> fileCpuNanos,
      long childCpuNanos) {
    long count(Kind kind) {
      return outcomes.stream().filter(o -> o.kind() == kind).count();
    }

    long audioMillis() {
      return outcomes.stream().mapToLong(Outcome::audioMillis).sum();
    }

    long postings() {
      return outcomes.stream().mapToLong(Outcome::postings).sum();
    }

    /** Seconds of audio per wall-clock second. */
    double realtimeFactor() {
      return wallNanos == 0 ? 0 : audioMillis() * 1e6 / wallNanos;
    }

    /** Seconds of audio per CPU second of the worker threads (× realtime per core). */
    double realtimePerCore() {
      return workerCpuNanos == 0 ? 0 : audioMillis() * 1e6 / workerCpuNanos;
    }

    /**
     * Like {@link #realtimePerCore()} but also counting the CPU time of child processes (ffmpeg,
     * ffprobe), or -1 when the platform cannot tell.
     */
    double realtimePerCoreWithChildren() {
      return childCpuNanos < 0 ? -1 : audioMillis() * 1e6 / (workerCpuNanos + childCpuNanos);
    }
  }

  /** Receives each file's final outcome with its position in the list given to {@link #run}. */
  @FunctionalInterface
  interface Listener {
    void stored(int position, Outcome outcome);
  }

  private static final int BATCH_TRACKS = 32;
  private static final long BATCH_POSTINGS = 2_000_000;
  /** Default for how long a fingerprinted file may wait in the batch before it is written. */
  static final long FLUSH_MILLIS = 2000;

  private final FingerprintIndex index;
  private final TuneTrace analyzer; // not closed here: the caller owns the index
  private final int threads;
  private final Function<Path, TrackMetadata> metadataOverride;
  private final Consumer<Outcome> progress;
  private final Listener listener;
  private final long flushNanos;

  private final Map<String, Path> seenSha256 = new ConcurrentHashMap<>();
  private final Object pendingLock = new Object();
  private final Object writeLock = new Object();
  private List<Pending> pending = new ArrayList<>();
  private long pendingPostings;
  private long pendingSinceNanos;
  private volatile boolean stopping;
  private final AtomicInteger claimed = new AtomicInteger();
  private volatile int total;
  private final List<Outcome> outcomes = new ArrayList<>();
  private final AtomicLong cpuNanos = new AtomicLong();
  private final Map<Path, Long> fileCpuNanos = new ConcurrentHashMap<>();

  private record Pending(int position, Path file, NewTrack track, long audioMillis) {}

  /**
   * @param metadataOverride gives title/artist for a file, or null to take them from the file
   * @param progress called on a worker thread as each file is done (fingerprinted or failed)
   */
  Ingester(
      FingerprintIndex index,
      int threads,
      Function<Path, TrackMetadata> metadataOverride,
      Consumer<Outcome> progress) {
    this(index, threads, metadataOverride, progress, (position, outcome) -> {}, FLUSH_MILLIS);
  }

  /**
   * @param stored called (on a worker or the flush thread) with each file's final outcome: for an
   *     added file after it is durably in the index
   * @param flushMillis the longest a fingerprinted file waits in the batch before it is written
   */
  Ingester(
      FingerprintIndex index,
      int threads,
      Function<Path, TrackMetadata> metadataOverride,
      Consumer<Outcome> progress,
      Listener stored,
      long flushMillis) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads < 1: " + threads);
    }
    if (flushMillis < 1) {
      throw new IllegalArgumentException("flushMillis < 1: " + flushMillis);
    }
    this.listener = stored;
    this.flushNanos = TimeUnit.MILLISECONDS.toNanos(flushMillis);
    this.index = index;
    this.analyzer = TuneTrace.using(index);
    this.threads = threads;
    this.metadataOverride = metadataOverride;
    this.progress = progress == null ? o -> {} : progress;
  }

  /**
   * Stops the run: workers finish the file they hold and take no other, what finished is written
   * and {@link #run} returns without compacting. Safe to call from any thread, any time.
   */
  void stop() {
    stopping = true;
  }

  boolean stopped() {
    return stopping;
  }

  /** Files of the last {@link #run} that no worker took because it was stopped. */
  int notStarted() {
    return Math.max(0, total - Math.min(claimed.get(), total));
  }

  /**
   * The most bytes a merge step of the compaction after a run may rewrite, per byte the run added:
   * a first bulk add (or one that doubles the index) still ends in as few segments as the bound
   * allows, while a few files added to 10,000 h no longer rewrite about 3 GB of it
   * (BENCHMARKS.md, "Ingest").
   */
  static final long COMPACT_PER_BYTE_ADDED = 4;

  Summary run(List<Path> files) throws InterruptedException {
    long start = System.nanoTime();
    long children0 = childCpuNanos();
    long bytesBefore = index.stats().bytes();
    total = files.size();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "tunetrace-ingest");
      t.setDaemon(true);
      return t;
    });
    ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tunetrace-flush");
      t.setDaemon(true);
      return t;
    });
    long checkMillis = Math.max(1, Math.min(250, TimeUnit.NANOSECONDS.toMillis(flushNanos) / 4));
    flusher.scheduleWithFixedDelay(this::flushIfDue, checkMillis, checkMillis, TimeUnit.MILLISECONDS);
    try {
      // Workers take the next file when they are free: nothing is queued, so a stop leaves the
      // rest untouched and memory does not grow with the number of files.
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        futures.add(pool.submit(() -> {
          int i;
          while (!stopping && (i = claimed.getAndIncrement()) < files.size()) {
            long cpu0 = cpuTime();
            try {
              ingest(i, files.get(i));
            } finally {
              cpuNanos.addAndGet(cpuTime() - cpu0);
            }
          }
        }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("ingest worker failed", e.getCause());
        }
      }
      // Never interrupt a flush: an interrupted write closes the index's file channel.
      flusher.shutdown();
      flusher.awaitTermination(1, TimeUnit.HOURS);
      Future<?> last = pool.submit(() -> {
        long cpu0 = cpuTime();
        try {
          flush(takePending());
          // Few segments after a bulk add keep lookups at their fastest (counted as ingest work).
          // What it may rewrite is bounded by what this run added, so that a few files added to
          // a large index do not rewrite gigabytes of it. A stopped run skips it: the index
          // merges as it goes, and the user wants out.
          if (!stopping && index instanceof EmbeddedFingerprintIndex embedded) {
            synchronized (writeLock) {
              long added = Math.max(0, index.stats().bytes() - bytesBefore);
              embedded.compact(COMPACT_PER_BYTE_ADDED * added);
            }
          }
        } finally {
          cpuNanos.addAndGet(cpuTime() - cpu0);
        }
      });
      try {
        last.get();
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("ingest worker failed", e.getCause());
      }
    } finally {
      flusher.shutdown();
      pool.shutdown();
    }
    List<Outcome> result;
    synchronized (outcomes) {
      result = List.copyOf(outcomes);
    }
    long children1 = childCpuNanos();
    return new Summary(result, System.nanoTime() - start, cpuNanos.get(), threads,
        Map.copyOf(fileCpuNanos), children0 < 0 || children1 < 0 ? -1 : children1 - children0);
  }

  /** Writes the batch when its oldest file has waited long enough (on the flush thread). */
  private void flushIfDue() {
    long cpu0 = cpuTime();
    try {
      List<Pending> batch = null;
      synchronized (pendingLock) {
        if (!pending.isEmpty() && System.nanoTime() - pendingSinceNanos >= flushNanos) {
          batch = takePending();
        }
      }
      if (batch != null) {
        flush(batch);
      }
    } catch (RuntimeException e) {
      // flush() reports its own failures per file; keep the schedule alive whatever happens.
    } finally {
      cpuNanos.addAndGet(cpuTime() - cpu0);
    }
  }

  private void ingest(int position, Path file) {
    long cpu0 = cpuTime();
    try {
      String sha256 = sha256(file);
      var existing = index.findBySha256(sha256);
      if (existing.isPresent()) {
        Track t = existing.get();
        finish(position, new Outcome(file, Kind.DUPLICATE, t, 0, 0,
            "same bytes as #" + t.id() + " " + t.metadata().sourcePath()));
        return;
      }
      Path earlier = seenSha256.putIfAbsent(sha256, file);
      if (earlier != null) {
        finish(position,
            new Outcome(file, Kind.DUPLICATE, null, 0, 0, "same bytes as " + earlier));
        return;
      }
      NewTrack track = analyzer.analyze(file,
          metadataOverride == null ? null : metadataOverride.apply(file), sha256);
      Fingerprints fingerprints = track.fingerprints();
      long audioMillis = track.metadata().durationMillis();
      fileCpuNanos.put(file, cpuTime() - cpu0);
      List<Pending> batch = null;
      synchronized (pendingLock) {
        if (pending.isEmpty()) {
          pendingSinceNanos = System.nanoTime();
        }
        pending.add(new Pending(position, file, track, audioMillis));
        pendingPostings += fingerprints.size();
        if (pending.size() >= BATCH_TRACKS || pendingPostings >= BATCH_POSTINGS) {
          batch = takePending();
        }
      }
      progress.accept(new Outcome(file, Kind.ADDED, null, audioMillis, fingerprints.size(), null));
      if (batch != null) {
        flush(batch);
      }
    } catch (IOException | RuntimeException e) {
      finish(position, new Outcome(file, Kind.FAILED, null, 0, 0, Errors.oneLine(e)));
    }
  }

  private List<Pending> takePending() {
    synchronized (pendingLock) {
      List<Pending> batch = pending;
      pending = new ArrayList<>();
      pendingPostings = 0;
      return batch;
    }
  }

  private void flush(List<Pending> batch) {
    if (batch.isEmpty()) {
      return;
    }
    List<Track> stored;
    Track[] replaced = new Track[batch.size()];
    Track[] sameAsIndexed = new Track[batch.size()];
    int[] sameAsInBatch = new int[batch.size()];
    try {
      synchronized (writeLock) {
        // Same audio: in the index, else earlier in this batch (kept in memory until it is stored).
        try (InMemoryFingerprintIndex earlier = new InMemoryFingerprintIndex(index.params())) {
          SameAudioFinder inBatch = new SameAudioFinder(earlier, analyzer.recognizer().policy());
          for (int i = 0; i < batch.size(); i++) {
            NewTrack t = batch.get(i).track();
            replaced[i] = index.findByPath(t.metadata().sourcePath()).orElse(null);
            int replacedId = replaced[i] == null ? 0 : replaced[i].id();
            long millis = t.metadata().durationMillis();
            sameAsIndexed[i] = analyzer.sameAudioFinder()
                .find(t.fingerprints(), millis, id -> id != replacedId)
                .stream().findFirst().map(SameAudio::track).orElse(null);
            // The in-memory ids are 1, 2, ... in batch order.
            sameAsInBatch[i] = sameAsIndexed[i] != null ? 0 : inBatch
                .find(t.fingerprints(), millis, id -> true)
                .stream().findFirst().map(a -> a.track().id()).orElse(0);
            earlier.add(t.metadata(), t.fingerprints());
          }
        }
        stored = index.add(batch.stream().map(Pending::track).toList());
      }
    } catch (RuntimeException e) {
      String reason = "could not store: " + Errors.oneLine(e);
      for (Pending p : batch) {
        record(p.position(), new Outcome(p.file(), Kind.FAILED, null, 0, 0, reason));
      }
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      Track sameAs = sameAsIndexed[i] != null ? sameAsIndexed[i]
          : sameAsInBatch[i] > 0 ? stored.get(sameAsInBatch[i] - 1) : null;
      Outcome added = new Outcome(p.file(), Kind.ADDED, stored.get(i), p.audioMillis(),
          p.track().fingerprints().size(), null, sameAs, replaced[i]);
      if (replaced[i] != null) {
        try {
          synchronized (writeLock) {
            index.remove(replaced[i].id());
          }
        } catch (RuntimeException e) {
          added = new Outcome(p.file(), Kind.FAILED, stored.get(i), 0, 0, "added as #"
              + stored.get(i).id() + " but could not remove #" + replaced[i].id() + ", which it"
              + " replaces: " + Errors.oneLine(e));
        }
      }
      record(p.position(), added);
    }
  }

  private void finish(int position, Outcome outcome) {
    record(position, outcome);
    progress.accept(outcome);
  }

  private void record(int position, Outcome outcome) {
    synchronized (outcomes) {
      outcomes.add(outcome);
    }
    listener.stored(position, outcome);
  }

  static String sha256(Path file) throws IOException {
    return TuneTrace.sha256(file);
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** CPU time of the current thread, or its wall time when the JVM cannot measure CPU time. */
  static long cpuTime() {
    if (THREADS.isCurrentThreadCpuTimeSupported()) {
      long t = THREADS.getCurrentThreadCpuTime();
      if (t >= 0) {
        return t;
      }
    }
    return System.nanoTime();
  }

  /**
   * CPU time of this process's terminated, waited-for child processes (ffmpeg, ffprobe) from
   * /proc/self/stat (cutime + cstime), or -1 when unavailable (not Linux).
   */
  static long childCpuNanos() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      long ticks = Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
      return ticks * 10_000_000L; // USER_HZ = 100 on Linux
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

}
