package io.tunetrace.core.bench;

import io.tunetrace.core.Recognizer;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import io.tunetrace.core.match.Candidate;
import io.tunetrace.core.match.MatchDecision;
import io.tunetrace.core.match.MatchPolicy;
import io.tunetrace.core.match.OffsetVoter;
import io.tunetrace.core.match.QueryHashes;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes, for every query of a make-corpus manifest against an embedded index (built beforehand
 * with {@code tunetrace add} of the refs and a background), one CSV row: what the decision named,
 * where the right track stands among the checked candidates and how its peak check came out, and
 * what the decision names when the right track is left out of the candidates ("leave-one-out": the
 * same clip as unknown music). The data behind docs/MATCHING.md's "tried again after the peak
 * check" table. Usage: {@code DecideCheck INDEX CORPUS OUT.csv}; {@code -DqueryFanOut=N} and
 * {@code -DqueryPeaksPerSecond=N} change the density of the clip's own hashes.
 */
public final class DecideCheck {
  private DecideCheck() {}

  public static void main(String[] args) throws Exception {
    Path corpus = Path.of(args[1]);
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.openReadOnly(Path.of(args[0]));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])))) {
      Map<Integer, String> names = DecisionFeatures.fileNames(index);
      MatchPolicy d = MatchPolicy.DEFAULT;
      // -DqueryFanOut=N and -DqueryPeaksPerSecond=N try another density for the clip's own hashes
      MatchPolicy policy = d.withQueryDensity(
          Integer.getInteger("queryPeaksPerSecond", d.queryPeaksPerSecond()),
          Integer.getInteger("queryFanOut", d.queryFanOut()), d.variantPeaksPerSecond(),
          d.variantFanOut());
      Recognizer recognizer = new Recognizer(index, policy);
      out.println("query,expected,length,condition,got,correct,score,rank,candidates,loo_got,"
          + "loo_score,right_z,right_clear,right_anchors,right_variant,best_other_z,second_other_z,"
          + "best_other_variant");
      DecisionFeatures.eachQuery(corpus, (f, clip) -> {
        String expected = f[1];
        QueryHashes q = recognizer.analyze(clip.samples(), clip.rateHz());
        List<Candidate> candidates = recognizer.vote(q).candidates();
        List<MatchDecision.Accepted> decided = MatchDecision.decide(candidates, 1, 0);
        String got = decided.isEmpty() ? ""
            : names.getOrDefault(decided.get(0).candidate().trackId(), "?");
        int rank = -1;
        for (int i = 0; i < candidates.size() && rank < 0 && !expected.isEmpty(); i++) {
          if (expected.equals(names.get(candidates.get(i).trackId()))) {
            rank = i;
          }
        }
        List<Candidate> others = candidates.stream()
            .filter(c -> expected.isEmpty() || !expected.equals(names.get(c.trackId()))).toList();
        List<MatchDecision.Accepted> loo = expected.isEmpty() ? List.of()
            : MatchDecision.decide(others, 1, 0);
        String right = ",,,";
        if (rank >= 0) {
          Candidate r = candidates.get(rank);
          right = String.format(Locale.ROOT, "%.2f,%d,%d,%d", r.peaks().z(),
              r.peaks().clearOfOtherAlignments() ? 1 : 0, r.anchorFrames(),
              r.variant().isIdentity() ? 0 : 1);
        }
        List<Candidate> byZ = others.stream()
            .sorted((a, b) -> Double.compare(b.peaks().z(), a.peaks().z())).toList();
        double bestOther = byZ.isEmpty() ? 0 : byZ.get(0).peaks().z();
        double secondOther = byZ.size() < 2 ? 0 : byZ.get(1).peaks().z();
        int bestOtherVariant = byZ.isEmpty() || byZ.get(0).variant().isIdentity() ? 0 : 1;
        out.printf(Locale.ROOT, "%s,%s,%s,%s,%s,%d,%.3f,%d,%d,%s,%.3f,%s,%.2f,%.2f,%d%n", f[0], expected,
            f[3], f[4], got, !expected.isEmpty() && got.equals(expected) ? 1 : 0,
            decided.isEmpty() ? 0 : decided.get(0).score(), rank, candidates.size(),
            loo.isEmpty() ? "" : names.getOrDefault(loo.get(0).candidate().trackId(), "?"),
            loo.isEmpty() ? 0 : loo.get(0).score(), right, bestOther, secondOther, bestOtherVariant);
      });
    }
  }
}
