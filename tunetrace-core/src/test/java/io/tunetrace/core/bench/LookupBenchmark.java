package io.tunetrace.core.bench;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import io.tunetrace.core.index.IndexStats;
import io.tunetrace.core.index.NewTrack;
import io.tunetrace.core.index.SyntheticPostings;
import io.tunetrace.core.index.TrackMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Lookup latency of the embedded index: 300 query hashes (a 5 s clip at 60 hashes per second)
 * against an index of {@code hours} of synthetic landmark postings ({@link SyntheticPostings}:
 * 40 per second, 23-bit hashes skewed like music, three-minute tracks).
 *
 * <p>Run: {@code java -cp <test classpath> org.openjdk.jmh.Main LookupBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class LookupBenchmark {
  private static final int QUERY_HASHES = 300;
  private static final int TRACK_SECONDS = 180;
  private static final int POSTINGS_PER_SECOND = 40;

  @Param({"50"})
  public int hours;

  /** true: one segment after compact(); false: the segments left by adds of 50 tracks each. */
  @Param({"true", "false"})
  public boolean compacted;

  @Param({"500"})
  public int maxPostingsPerHash;

  private Path dir;
  private EmbeddedFingerprintIndex index;
  private int[][] queries;
  private int next;
  private long iterationOps;
  private long iterationCpuNanos;
  private final java.lang.management.ThreadMXBean threads =
      java.lang.management.ManagementFactory.getThreadMXBean();

  /** Thread CPU time per lookup, printed per iteration: wall time suffers on a loaded machine. */
  @Setup(Level.Iteration)
  public void startCpuClock() {
    iterationOps = 0;
    iterationCpuNanos = threads.getCurrentThreadCpuTime();
  }

  @TearDown(Level.Iteration)
  public void printCpuTime() {
    long cpu = threads.getCurrentThreadCpuTime() - iterationCpuNanos;
    System.out.printf(" [cpu %.1f us/op over %d ops]", cpu / 1e3 / Math.max(1, iterationOps),
        iterationOps);
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("tunetrace-bench");
    Random random = new Random(1);
    int trackCount = hours * 3600 / TRACK_SECONDS;
    List<Fingerprints> sample = new ArrayList<>();
    long addNanos = System.nanoTime();
    try (EmbeddedFingerprintIndex building = EmbeddedFingerprintIndex.open(dir,
        FingerprintParams.DEFAULT)) {
      List<NewTrack> batch = new ArrayList<>();
      for (int t = 0; t < trackCount; t++) {
        Fingerprints fp = SyntheticPostings.track(random, TRACK_SECONDS, POSTINGS_PER_SECOND);
        if (t % 10 == 0) {
          sample.add(fp);
        }
        batch.add(new NewTrack(new TrackMetadata("track " + t, "", "", "", TRACK_SECONDS * 1000L, ""),
            fp));
        if (batch.size() == 50) {
          building.add(batch);
          batch.clear();
        }
      }
      building.add(batch);
      if (compacted) {
        building.compact();
      }
    }
    addNanos = System.nanoTime() - addNanos;
    long openNanos = System.nanoTime();
    index = EmbeddedFingerprintIndex.open(dir);
    openNanos = System.nanoTime() - openNanos;
    IndexStats stats = index.stats();
    System.out.printf("%nindex: %.1f h, %d tracks, %d postings, %d segments, %d bytes, "
        + "%.2f bytes/posting, %.2f MB/hour; build %.1f s; open %.2f ms%n",
        stats.hours(), stats.tracks(), stats.postings(), index.segmentCount(), stats.bytes(),
        stats.bytesPerPosting(), stats.bytesPerHour() / 1e6, addNanos / 1e9, openNanos / 1e6);
    queries = new int[64][];
    for (int q = 0; q < queries.length; q++) {
      Fingerprints fp = sample.get(random.nextInt(sample.size()));
      int start = random.nextInt(fp.size() - QUERY_HASHES);
      int[] hashes = new int[QUERY_HASHES];
      for (int i = 0; i < QUERY_HASHES; i++) {
        hashes[i] = fp.hash(start + i);
      }
      queries[q] = hashes;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    index.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Benchmark
  public void lookup300Hashes(Blackhole bh) {
    int[] hashes = queries[next++ & (queries.length - 1)];
    iterationOps++;
    long[] acc = new long[2];
    index.lookup(hashes, maxPostingsPerHash, (q, track, frame) -> {
      acc[0] += track;
      acc[1]++;
    });
    bh.consume(acc[0]);
    bh.consume(acc[1]);
  }
}
