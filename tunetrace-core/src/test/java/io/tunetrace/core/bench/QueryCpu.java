package io.tunetrace.core.bench;

import io.tunetrace.core.MatchResult;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The CPU time of recognizing every query of a make-corpus manifest, decoded beforehand, on one
 * thread: a warm-up pass, then {@code PASSES} measured passes; prints the median per query over
 * the passes for matched and unmatched clips apart, and how many clips were answered from their
 * own hashes (without searching the variants). Usage: {@code QueryCpu INDEX CORPUS [PASSES]};
 * {@code -Dlength=5} keeps the clips of that length only, {@code -Dunknown=true} the never-indexed
 * ones only.
 */
public final class QueryCpu {
  private QueryCpu() {}

  public static void main(String[] args) throws Exception {
    Path corpus = Path.of(args[1]);
    int passes = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.openReadOnly(Path.of(args[0]))) {
      Recognizer recognizer = new Recognizer(index);
      List<String> lines = Files.readAllLines(corpus.resolve("manifest.csv"));
      List<DecisionFeatures.Clip> clips = new ArrayList<>();
      String length = System.getProperty("length");
      boolean unknownOnly = Boolean.getBoolean("unknown");
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split(",", -1);
        if ((length == null || Double.parseDouble(f[3]) == Double.parseDouble(length))
            && (!unknownOnly || f[1].isEmpty())) {
          clips.add(DecisionFeatures.readClip(corpus, f[0]));
        }
      }
      int n = clips.size();
      long[][] cpu = new long[passes][n];
      boolean[] matched = new boolean[n];
      for (int p = -1; p < passes; p++) {
        for (int i = 0; i < n; i++) {
          long t0 = mx.getCurrentThreadCpuTime();
          MatchResult r = recognizer.recognize(clips.get(i).samples(), clips.get(i).rateHz());
          long t1 = mx.getCurrentThreadCpuTime();
          if (p >= 0) {
            cpu[p][i] = t1 - t0;
            matched[i] = r.best().isPresent();
          }
        }
      }
      // Per clip: its median over the passes; then percentiles over the clips.
      List<Double> m = new ArrayList<>();
      List<Double> u = new ArrayList<>();
      double total = 0;
      for (int i = 0; i < n; i++) {
        long[] c = new long[passes];
        for (int p = 0; p < passes; p++) {
          c[p] = cpu[p][i];
        }
        Arrays.sort(c);
        double ms = c[passes / 2] / 1e6;
        total += ms;
        (matched[i] ? m : u).add(ms);
      }
      int own = 0;
      for (DecisionFeatures.Clip clip : clips) {
        own += recognizer.search(recognizer.analyze(clip.samples(), clip.rateHz())).ownSufficed()
            ? 1 : 0;
      }
      System.out.printf(Locale.ROOT,
          "per query %.2f ms; matched %s; no match %s; answered without the variants %d of %d%n",
          total / n, pct(m), pct(u), own, n);
    }
  }

  private static String pct(List<Double> v) {
    if (v.isEmpty()) {
      return "none";
    }
    double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return String.format(Locale.ROOT, "n=%d p50 %.2f p95 %.2f", a.length, a[a.length / 2],
        a[(int) Math.min(a.length - 1, Math.ceil(a.length * 0.95) - 1)]);
  }
}
