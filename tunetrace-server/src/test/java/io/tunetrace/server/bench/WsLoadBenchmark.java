package io.tunetrace.server.bench;

import io.tunetrace.server.TuneTraceServer;
import io.tunetrace.client.TuneTraceClient;
import io.tunetrace.server.index.RedisFingerprintIndex;
import io.tunetrace.server.support.ServerFixture;
import io.tunetrace.server.support.TestAudio;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load benchmark (not a test): starts the server against the machine's PostgreSQL and Redis and an
 * S3Proxy, indexes {@code tracks} synthesized songs of {@code seconds} each, measures Redis memory
 * per posting and per hour of audio, then runs N concurrent WebSocket clients that each send
 * 3-second WAV clips one-shot, and prints recognitions per second with p50/p99 latency.
 *
 * <pre>
 * ./mvnw -q -o -pl tunetrace-server -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -Dtunetrace.s3proxy.jar=$HOME/.m2/repository/org/gaul/s3proxy/2.6.0/s3proxy-2.6.0-jar-with-dependencies.jar \
 *     -cp tunetrace-server/target/test-classes:tunetrace-server/target/classes:tunetrace-core/target/classes:$(cat tunetrace-server/target/cp.txt) \
 *     io.tunetrace.server.bench.WsLoadBenchmark [tracks] [seconds] [requestsPerLevel] [clients...]
 * </pre>
 */
public final class WsLoadBenchmark {
  public static void main(String[] args) throws Exception {
    int tracks = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 120;
    int perLevel = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    List<Integer> levels = new ArrayList<>();
    for (int i = 3; i < args.length; i++) {
      levels.add(Integer.parseInt(args[i]));
    }
    if (levels.isEmpty()) {
      levels = List.of(1, 4, 16, 32);
    }
    try (ServerFixture fx = new ServerFixture()) {
      Map<String, String> env = fx.env();
      env.put("RATE_LIMIT_RECOGNIZE_PER_MINUTE", "1000000");
      env.put("RATE_LIMIT_WS_PER_MINUTE", "1000000");
      env.put("WORKER_CONCURRENCY", "2");
      TuneTraceServer server = fx.start(env);
      RedisFingerprintIndex index = (RedisFingerprintIndex) server.index();
      long memBefore = index.usedMemoryBytes();
      String url = "http://127.0.0.1:" + server.port();
      TuneTraceClient client = new TuneTraceClient(url, ServerFixture.token());
      Path dir = Files.createTempDirectory("bench");
      List<float[]> songs = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      long ingestStart = System.nanoTime();
      for (int t = 0; t < tracks; t++) {
        float[] song = TestAudio.song(1000 + t, seconds);
        songs.add(song);
        Path f = dir.resolve("t" + t + ".wav");
        Files.write(f, TestAudio.wav(song));
        TuneTraceClient.Response r = client.upload(f, "Track " + t, "Bench", null);
        ids.add(r.body().replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1"));
        Files.delete(f);
      }
      for (String id : ids) {
        while (!client.get("/tracks/" + id).body().contains("\"READY\"")) {
          Thread.sleep(200);
        }
      }
      double ingestSeconds = (System.nanoTime() - ingestStart) / 1e9;
      var stats = index.stats();
      long memAfter = index.usedMemoryBytes();
      double hours = stats.durationMillis() / 3_600_000.0;
      System.out.printf("indexed %d tracks, %.2f h of audio, %d postings in %.1f s (upload + S3 + decode + fingerprint + Redis)%n",
          stats.tracks(), hours, stats.postings(), ingestSeconds);
      System.out.printf("redis used_memory delta: %d bytes = %.1f bytes/posting = %.1f MB per hour of audio%n",
          memAfter - memBefore, (memAfter - memBefore) / (double) stats.postings(),
          (memAfter - memBefore) / hours / 1e6);

      // Clips: 3 s from random places of random tracks.
      java.util.Random rnd = new java.util.Random(5);
      List<byte[]> clips = new ArrayList<>();
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        int t = rnd.nextInt(tracks);
        clips.add(TestAudio.wav(TestAudio.slice(songs.get(t), rnd.nextInt(seconds - 4), 3)));
        expected.add(ids.get(t));
      }
      // Warm-up.
      for (int i = 0; i < 20; i++) {
        client.recognizeWebSocket(clips.get(i % clips.size()), Duration.ofSeconds(30));
      }
      for (int n : levels) {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        AtomicInteger correct = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int c = 0; c < n; c++) {
          fs.add(pool.submit(() -> {
            TuneTraceClient own = new TuneTraceClient(url, ServerFixture.token());
            int i;
            while ((i = next.getAndIncrement()) < perLevel) {
              int k = i % clips.size();
              long t0 = System.nanoTime();
              String answer = own.recognizeWebSocket(clips.get(k), Duration.ofSeconds(60));
              latencies.add(System.nanoTime() - t0);
              if (answer.contains(expected.get(k))) {
                correct.incrementAndGet();
              }
            }
            return null;
          }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("clients=%d requests=%d correct=%d rate=%.1f/s p50=%.1f ms p99=%.1f ms%n",
            n, sorted.size(), correct.get(), sorted.size() / wall,
            sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.99)) / 1e6);
      }
    }
  }
}
