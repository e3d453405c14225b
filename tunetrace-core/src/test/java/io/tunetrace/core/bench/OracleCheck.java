package io.tunetrace.core.bench;

import io.tunetrace.core.Recognizer;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import io.tunetrace.core.index.TrackPeaks;
import io.tunetrace.core.match.PeakAgreement;
import io.tunetrace.core.match.QueryHashes;
import io.tunetrace.core.match.Variant;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes, for every indexed query of a make-corpus manifest, the peak check ({@link PeakAgreement})
 * of the clip against its own track at its true offset (the best within ±6 frames of the
 * manifest's): what the check would give if the search always found the right alignment, to tell
 * the clips the search loses from those whose music is not there to be found (docs/MATCHING.md
 * §1b). Usage: {@code OracleCheck INDEX CORPUS OUT.csv}, the index built as for {@link
 * DecideCheck}.
 */
public final class OracleCheck {
  private OracleCheck() {}

  public static void main(String[] args) throws Exception {
    Path corpus = Path.of(args[1]);
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.openReadOnly(Path.of(args[0]));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])))) {
      Map<Integer, String> names = DecisionFeatures.fileNames(index);
      Recognizer recognizer = new Recognizer(index);
      out.println("query,condition,length,best_z,best_delta,agreeing,chance");
      List<String> lines = Files.readAllLines(corpus.resolve("manifest.csv"));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split(",", -1);
        if (f[1].isEmpty()) {
          continue;
        }
        int id = names.entrySet().stream().filter(e -> e.getValue().equals(f[1]))
            .mapToInt(Map.Entry::getKey).findFirst().orElseThrow();
        TrackPeaks ref = index.peaks(new int[] {id}).get(id);
        DecisionFeatures.Clip clip = DecisionFeatures.readClip(corpus, f[0]);
        QueryHashes q = recognizer.analyze(clip.samples(), clip.rateHz());
        double framesPerSecond =
            (double) index.params().sampleRateHz() / index.params().hopSamples();
        int delta = (int) Math.round(Double.parseDouble(f[2]) * framesPerSecond);
        double bestZ = -99;
        int bestD = 0;
        PeakAgreement.Measure best = PeakAgreement.Measure.NONE;
        for (int d = delta - 6; d <= delta + 6; d++) {
          PeakAgreement.Measure m = PeakAgreement.measure(q.peaks(), ref, Variant.IDENTITY, d);
          if (m.z() > bestZ) {
            bestZ = m.z();
            bestD = d - delta;
            best = m;
          }
        }
        out.printf(Locale.ROOT, "%s,%s,%s,%.2f,%d,%d,%.2f%n", f[0], f[4], f[3], bestZ, bestD,
            best.agreeing(), best.chanceMean());
      }
    }
  }
}
