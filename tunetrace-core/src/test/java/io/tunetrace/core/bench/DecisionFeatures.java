package io.tunetrace.core.bench;

import io.tunetrace.core.Recognizer;
import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.match.Candidate;
import io.tunetrace.core.match.MatchDecision;
import io.tunetrace.core.match.MatchPolicy;
import io.tunetrace.core.match.OffsetVoter;
import io.tunetrace.core.match.QueryHashes;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Dumps the decision's inputs for every query of a make-corpus manifest against an embedded index
 * (built beforehand with {@code tunetrace add}), one CSV row per recording group: the data the
 * decision's constants are chosen on. Usage: {@code DecisionFeatures INDEX CORPUS OUT.csv}.
 */
public final class DecisionFeatures {
  private DecisionFeatures() {}

  public static void main(String[] args) throws Exception {
    Path corpus = Path.of(args[1]);
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.openReadOnly(Path.of(args[0]));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])))) {
      Map<Integer, String> names = fileNames(index);
      MatchPolicy policy = MatchPolicy.DEFAULT.withQueryDensity(
          Integer.getInteger("qpps", 40), Integer.getInteger("qfan", 8), Integer.getInteger("vpps", 20),
          Integer.getInteger("vfan", 4));
      policy = policy.withVariantMaxPostingsPerHash(Integer.getInteger("vcap", 12));
      if (Boolean.getBoolean("identity")) {
        policy = policy.identityOnly();
      }
      int limit = Integer.getInteger("limit", Integer.MAX_VALUE);
      Recognizer recognizer = new Recognizer(index, policy);
      out.println("query,expected,length,condition,rank,correct,conf,anchors,distinct,share,"
          + "tscale,fscale,copies,ru_conf,ru_anchors,ru_distinct,qhashes,entries,postings,"
          + "ms,got,peaks,deg2,comp,ru_peaks,ru_deg2,ru_comp");
      List<String> lines = Files.readAllLines(corpus.resolve("manifest.csv"));
      int done = 0;
      double analyzeMs = 0;
      double voteMs = 0;
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split(",", -1);
        Clip clip = readClip(corpus, f[0]);
        long t0 = System.nanoTime();
        QueryHashes q = recognizer.analyze(clip.samples(), clip.rateHz());
        long t1 = System.nanoTime();
        OffsetVoter.Votes votes = recognizer.vote(q);
        double ms = (System.nanoTime() - t0) / 1e6;
        analyzeMs += (t1 - t0) / 1e6;
        voteMs += (System.nanoTime() - t1) / 1e6;
        if (done >= limit) {
          break;
        }
        emit(out, f, "", votes.candidates(), names, q, votes, ms);
        if (!f[1].isEmpty()) {
          // Leave-one-out: the same clip as unknown music, as if its track were not indexed.
          List<Candidate> others = votes.candidates().stream()
              .filter(c -> !names.getOrDefault(c.trackId(), "").equals(f[1])).toList();
          emit(out, f, "loo", others, names, q, votes, ms);
        }
        if (++done % 200 == 0) {
          System.err.println(done + " queries");
        }
      }
      System.err.printf(Locale.ROOT, "mean analyze %.2f ms, vote %.2f ms%n", analyzeMs / done,
          voteMs / done);
    }
  }

  /** Each track's file name (a manifest's {@code expected}), by track id. */
  static Map<Integer, String> fileNames(EmbeddedFingerprintIndex index) {
    Map<Integer, String> names = new HashMap<>();
    for (Track t : index.tracks()) {
      names.put(t.id(), Path.of(t.metadata().sourcePath()).getFileName().toString());
    }
    return names;
  }

  /** A query's samples at the rate its decoder gave them. */
  record Clip(float[] samples, int rateHz) {}

  /** Is told each query of a manifest: its CSV fields and its audio. */
  interface QueryVisitor {
    void visit(String[] fields, Clip clip) throws Exception;
  }

  /**
   * Reads every query of {@code corpus}'s manifest in order and hands it to {@code visitor},
   * telling stderr every 200 queries.
   */
  static void eachQuery(Path corpus, QueryVisitor visitor) throws Exception {
    List<String> lines = Files.readAllLines(corpus.resolve("manifest.csv"));
    int done = 0;
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      visitor.visit(f, readClip(corpus, f[0]));
      if (++done % 200 == 0) {
        System.err.println(done + " queries");
      }
    }
  }

  /** Reads query {@code file} of a make-corpus folder (at most 120 s, as the recognizer keeps). */
  static Clip readClip(Path corpus, String file) throws java.io.IOException {
    try (PcmSource s = AudioDecoders.open(corpus.resolve("queries").resolve(file), 8000)) {
      int rate = s.sampleRateHz();
      return new Clip(PcmSource.readAll(s, 120 * rate), rate);
    }
  }

  private static void emit(PrintWriter out, String[] f0, String tag, List<Candidate> candidates,
      Map<Integer, String> names, QueryHashes q, OffsetVoter.Votes votes, double ms) {
        String[] f = f0.clone();
        if (!tag.isEmpty()) {
          f[0] = tag + ":" + f[0];
          f[1] = "";
        }
        List<MatchDecision.Group> groups = MatchDecision.group(candidates);
        int rank = 0;
        for (MatchDecision.Group g : groups) {
          if (rank >= 3) {
            break;
          }
          Candidate c = g.leader();
          Candidate r = g.runnerUp();
          String name = names.getOrDefault(c.trackId(), "?");
          boolean correct = !f[1].isEmpty() && name.equals(f[1]);
          out.printf(Locale.ROOT, "%s,%s,%s,%s,%d,%d,%d,%d,%d,%.3f,%.4f,%.4f,%d,%d,%d,%d,%d,%d,%d,%.2f,%s,%s,%s%n",
              f[0], f[1], f[3], f[4], rank, correct ? 1 : 0, c.confidence(), c.anchorFrames(),
              c.distinctHashes(), c.matchedShare(), c.variant().timeScale(),
              c.variant().freqScale(), g.copies().size(), r == null ? 0 : r.confidence(),
              r == null ? 0 : r.anchorFrames(), r == null ? 0 : r.distinctHashes(),
              q.identitySize(), q.size(), votes.postings(), ms, name, graph(c), graph(r));
          rank++;
        }
        if (groups.isEmpty()) {
          out.printf(Locale.ROOT, "%s,%s,%s,%s,-1,0,0,0,0,0,1,1,0,0,0,0,%d,%d,0,%.2f,,0,0,0,0,0,0%n",
              f[0], f[1], f[3], f[4], q.identitySize(), q.size(), ms);
        }
  }

  /**
   * The agreeing pairs as a graph on the query's peaks: distinct peaks, peaks in two or more
   * agreeing pairs, and the size (in pairs) of the largest connected group.
   */
  static String graph(Candidate c) {
    if (c == null) {
      return "0,0,0";
    }
    long[] pairs = c.pairs();
    Map<Integer, Integer> degree = new HashMap<>();
    Map<Integer, Integer> parent = new HashMap<>();
    for (long p : pairs) {
      int a = (int) (p >>> 32);
      int b = (int) p;
      degree.merge(a, 1, Integer::sum);
      degree.merge(b, 1, Integer::sum);
      parent.putIfAbsent(a, a);
      parent.putIfAbsent(b, b);
      int ra = root(parent, a);
      int rb = root(parent, b);
      if (ra != rb) {
        parent.put(ra, rb);
      }
    }
    Map<Integer, Integer> size = new HashMap<>();
    for (long p : pairs) {
      size.merge(root(parent, (int) (p >>> 32)), 1, Integer::sum);
    }
    int deg2 = (int) degree.values().stream().filter(d -> d >= 2).count();
    int comp = size.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    return degree.size() + "," + deg2 + "," + comp;
  }

  private static int root(Map<Integer, Integer> parent, int x) {
    while (parent.get(x) != x) {
      x = parent.get(x);
    }
    return x;
  }
}
