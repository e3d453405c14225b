package io.tunetrace.core.bench;

import io.tunetrace.core.Recognizer;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import io.tunetrace.core.match.QueryHashes;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Experiment: where the right track ranks among all tracks by its best alignment's pooled votes of
 * the clip's own hashes, counted plainly and weighted by each hash's rarity. Usage: {@code
 * VoteRank INDEX CORPUS OUT.csv}.
 */
public final class VoteRank {
  private VoteRank() {}

  public static void main(String[] args) throws Exception {
    Path corpus = Path.of(args[1]);
    int cap = Integer.getInteger("cap", 2000);
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.openReadOnly(Path.of(args[0]));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])))) {
      Map<Integer, String> names = DecisionFeatures.fileNames(index);
      Recognizer recognizer = new Recognizer(index);
      double totalPostings = index.postingCount();
      out.println("query,expected,length,condition,rank_count,rank_weight,rank_sqrt,right_count,"
          + "tenth_count");
      List<String> lines = Files.readAllLines(corpus.resolve("manifest.csv"));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split(",", -1);
        if (f[1].isEmpty()) {
          continue;
        }
        DecisionFeatures.Clip clip = DecisionFeatures.readClip(corpus, f[0]);
        QueryHashes q = recognizer.analyze(clip.samples(), clip.rateHz()).identityOnly();
        int n = q.size();
        int[] hashes = new int[n];
        for (int i = 0; i < n; i++) {
          hashes[i] = q.hash(i);
        }
        int[] postingsOf = new int[n];
        index.lookup(hashes, cap, (qi, track, frame) -> postingsOf[qi]++);
        // (track, delta) -> count, weight
        Map<Long, double[]> cells = new HashMap<>();
        index.lookup(hashes, cap, (qi, track, frame) -> {
          long key = ((long) track << 32) | ((frame - q.refFrame(qi)) + (1 << 24));
          double[] c = cells.computeIfAbsent(key, k -> new double[3]);
          c[0] += 1;
          c[1] += Math.log(totalPostings / postingsOf[qi]);
          c[2] += 1 / Math.sqrt(postingsOf[qi]);
        });
        Map<Integer, double[]> best = new HashMap<>();
        for (Map.Entry<Long, double[]> e : cells.entrySet()) {
          long key = e.getKey();
          double[] pooled = e.getValue().clone();
          for (int d = -1; d <= 1; d += 2) {
            double[] nb = cells.get(key + d);
            if (nb != null) {
              for (int k = 0; k < 3; k++) {
                pooled[k] += nb[k];
              }
            }
          }
          int track = (int) (key >>> 32);
          double[] b = best.computeIfAbsent(track, t -> new double[3]);
          for (int k = 0; k < 3; k++) {
            b[k] = Math.max(b[k], pooled[k]);
          }
        }
        int right = -1;
        for (Map.Entry<Integer, String> e : names.entrySet()) {
          if (e.getValue().equals(f[1])) {
            right = e.getKey();
          }
        }
        double[] r = best.getOrDefault(right, new double[3]);
        int[] rank = new int[3];
        double[] counts = best.values().stream().mapToDouble(v -> v[0]).sorted().toArray();
        for (int k = 0; k < 3; k++) {
          for (Map.Entry<Integer, double[]> e : best.entrySet()) {
            if (e.getKey() != right && e.getValue()[k] > r[k]) {
              rank[k]++;
            }
          }
          if (r[k] == 0) {
            rank[k] = 9999;
          }
        }
        double tenth = counts.length >= 10 ? counts[counts.length - 10] : 0;
        out.printf(Locale.ROOT, "%s,%s,%s,%s,%d,%d,%d,%.0f,%.0f%n", f[0], f[1], f[3], f[4],
            rank[0], rank[1], rank[2], r[0], tenth);
      }
    }
  }
}
