package io.tunetrace.server.bench;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.Fingerprinter;
import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.hash.HashLayout;
import io.tunetrace.core.index.NewTrack;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.server.index.RedisFingerprintIndex;
import io.tunetrace.server.support.ItServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Redis memory of the index with real fingerprints (not a test): fingerprints every audio file
 * under the given folders, then adds tracks until each requested number of hours is reached and
 * prints Redis {@code used_memory} growth per posting and per hour, and the time of a pipelined
 * lookup of a 5-second window. Past the real audio's length the library is built from the same
 * real fingerprints with each copy's anchor bin shifted by a different amount (mod 512; frames and
 * the other hash bits kept), so that hash popularity and the postings per hash follow real music.
 *
 * <pre>
 * ./mvnw -q -o -pl tunetrace-server -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp tunetrace-server/target/test-classes:tunetrace-server/target/classes:tunetrace-core/target/classes:$(cat tunetrace-server/target/cp.txt) \
 *     io.tunetrace.server.bench.RedisMemoryBenchmark redis://127.0.0.1:6391|cluster HOURS[,HOURS...] DIR...
 * </pre>
 *
 * Use a Redis of its own (the figures are differences of the whole instance's {@code used_memory});
 * {@code cluster} means the three-master Cluster on 127.0.0.1:7001-7003 (summed over the masters).
 */
public final class RedisMemoryBenchmark {
  public static void main(String[] args) throws Exception {
    String target = args[0];
    double[] hours = Arrays.stream(args[1].split(",")).mapToDouble(Double::parseDouble).toArray();
    Fingerprinter fingerprinter = new Fingerprinter(FingerprintParams.DEFAULT);
    List<Fingerprints> real = new ArrayList<>();
    double realSeconds = 0;
    for (int a = 2; a < args.length; a++) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(Path.of(args[a]))) {
        files = walk.filter(Files::isRegularFile)
            .filter(p -> p.toString().matches("(?i).*\\.(wav|mp3|ogg|opus|flac|m4a)$")).sorted().toList();
      }
      for (Path file : files) {
        try (PcmSource source = AudioDecoders.open(file, FingerprintParams.DEFAULT.sampleRateHz())) {
          Fingerprints f = fingerprinter.fingerprint(source);
          real.add(f);
          realSeconds += FingerprintParams.DEFAULT.framesToMillis(f.frameCount()) / 1000.0;
        } catch (Exception e) {
          System.err.println("skipped " + file + ": " + e.getMessage());
        }
      }
    }
    long realPostings = real.stream().mapToLong(Fingerprints::size).sum();
    System.out.printf("real audio: %d files, %.2f h, %d postings (%.0f per hour)%n", real.size(),
        realSeconds / 3600, realPostings, realPostings / (realSeconds / 3600));
    String prefix = ItServices.uniqueName("ttmem");
    RedisFingerprintIndex index = target.equals("cluster")
        ? RedisFingerprintIndex.openCluster(ItServices.REDIS_CLUSTER_NODES, prefix, FingerprintParams.DEFAULT)
        : RedisFingerprintIndex.open(target, prefix, FingerprintParams.DEFAULT);
    try {
      long m0 = index.usedMemoryBytes();
      double seconds = 0;
      long postings = 0;
      int copy = 0;
      int next = 0;
      long t0 = System.nanoTime();
      Random random = new Random(1);
      for (double h : hours) {
        while (seconds < h * 3600) {
          List<NewTrack> batch = new ArrayList<>();
          for (int b = 0; b < 8 && seconds < h * 3600; b++) {
            Fingerprints f = shifted(real.get(next), copy * 37);
            double s = FingerprintParams.DEFAULT.framesToMillis(f.frameCount()) / 1000.0;
            batch.add(new NewTrack(new TrackMetadata("t" + copy + "-" + next, "", "", "", (long) (s * 1000), ""), f));
            seconds += s;
            postings += f.size();
            if (++next == real.size()) {
              next = 0;
              copy++;
            }
          }
          index.add(batch);
        }
        double addSeconds = (System.nanoTime() - t0) / 1e9;
        long used = index.usedMemoryBytes() - m0;
        double[] lookupMs = new double[200];
        for (int q = 0; q < lookupMs.length; q++) {
          Fingerprints f = shifted(real.get(random.nextInt(real.size())), random.nextInt(copy + 1) * 37);
          int[] window = windowHashes(f, random);
          long s = System.nanoTime();
          index.lookup(window, 2000, (qi, t, fr) -> { });
          lookupMs[q] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(lookupMs);
        System.out.printf("%s %.1f h: %d tracks, %d postings, used_memory +%d bytes = %.2f bytes/posting,"
            + " %.2f MB/hour; adding took %.1f s; 5 s lookup p50 %.2f ms p95 %.2f ms%n",
            target, seconds / 3600, index.stats().tracks(), postings, used, used / (double) postings,
            used / (seconds / 3600) / 1e6, addSeconds, lookupMs[lookupMs.length / 2],
            lookupMs[lookupMs.length * 95 / 100]);
      }
    } finally {
      index.deleteAll();
      index.close();
    }
  }

  /** The fingerprints with every anchor bin moved up by {@code shift} (mod 512). */
  private static Fingerprints shifted(Fingerprints f, int shift) {
    if (shift == 0) {
      return f;
    }
    int[] hashes = f.hashes();
    for (int i = 0; i < hashes.length; i++) {
      int h = hashes[i];
      int anchor = (HashLayout.anchorBin(h) + shift) & 511;
      hashes[i] = (anchor << 14) | (h & ((1 << 14) - 1));
    }
    return Fingerprints.of(hashes, f.frames(), f.size(), f.frameCount());
  }

  /** The hashes of a random 5-second window. */
  private static int[] windowHashes(Fingerprints f, Random random) {
    int span = (int) Math.round(5000 / FingerprintParams.DEFAULT.framesToMillis(1));
    int start = f.frameCount() > span ? random.nextInt(f.frameCount() - span) : 0;
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < f.size(); i++) {
      if (f.frame(i) >= start && f.frame(i) < start + span) {
        out.add(f.hash(i));
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }
}
