package io.tunetrace.core.bench;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.Fingerprinter;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.InMemoryFingerprintIndex;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.core.index.TrackPeaks;
import io.tunetrace.core.match.Candidate;
import io.tunetrace.core.match.MatchPolicy;
import io.tunetrace.core.match.OffsetVoter;
import io.tunetrace.core.match.QueryHashes;
import io.tunetrace.core.peaks.Peaks;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Dumps the peak check ({@link io.tunetrace.core.match.PeakAgreement}) of the 30 leading
 * candidates of every query of a make-corpus manifest, one CSV row per candidate, against an
 * in-memory index of the corpus's refs plus a background folder: the data the peak check's
 * constants in {@link io.tunetrace.core.match.MatchDecision} were chosen on. Usage: {@code
 * PeakAgreement CORPUS BACKGROUND|- OUT.csv}.
 */
public final class PeakAgreement {
  private PeakAgreement() {}

  public static void main(String[] args) throws Exception {
    Path corpus = Path.of(args[0]);
    FingerprintParams params = FingerprintParams.DEFAULT;
    Fingerprinter fp = new Fingerprinter(params);
    InMemoryFingerprintIndex index = new InMemoryFingerprintIndex(params);
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(corpus.resolve("refs"))) {
      s.sorted().forEach(files::add);
    }
    if (args.length > 2 && !args[1].equals("-")) {
      try (Stream<Path> s = Files.list(Path.of(args[1]))) {
        s.sorted().forEach(files::add);
      }
    }
    Map<Integer, String> names = new HashMap<>();
    for (Path f : files) {
      Fingerprints prints;
      try (PcmSource src = AudioDecoders.open(f, 8000)) {
        prints = fp.fingerprint(src);
      }
      Track t = index.add(new TrackMetadata(f.getFileName().toString(), "", "",
          f.toString(), 0, ""), prints);
      names.put(t.id(), f.getFileName().toString());
    }
    System.err.println("indexed " + files.size());
    MatchPolicy policy = MatchPolicy.DEFAULT;
    Recognizer recognizer = new Recognizer(index, policy);
    double fps = (double) params.sampleRateHz() / params.hopSamples();
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[args.length - 1])))) {
      out.println("query,expected,length,condition,rank,name,correct,anchors,conf,tscale,fscale,"
          + "qpeaks,m,shiftmean,shiftmax,compared");
      List<String> lines = Files.readAllLines(corpus.resolve("manifest.csv"));
      int done = 0;
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split(",", -1);
        DecisionFeatures.Clip clip = DecisionFeatures.readClip(corpus, f[0]);
        QueryHashes q = recognizer.analyze(clip.samples(), clip.rateHz());
        Peaks qp = q.peaks();
        OffsetVoter.Votes votes = OffsetVoter.vote(index, q, policy.maxPostingsPerHash(),
            policy.variantMaxPostingsPerHash(), policy.toleranceFrames(), 30, fps);
        Map<Integer, TrackPeaks> peaksByTrack = index.peaks(
            votes.candidates().stream().mapToInt(Candidate::trackId).distinct().toArray());
        int rank = 0;
        for (Candidate c : votes.candidates()) {
          TrackPeaks ref = peaksByTrack.get(c.trackId());
          String name = names.get(c.trackId());
          io.tunetrace.core.match.PeakAgreement.Measure pm =
              io.tunetrace.core.match.PeakAgreement.measure(qp, ref, c.variant(), c.deltaFrames());
          boolean correct = !f[1].isEmpty() && name.equals(f[1]);
          out.printf(Locale.ROOT, "%s,%s,%s,%s,%d,%s,%d,%d,%d,%.4f,%.4f,%d,%d,%.2f,%d,%d%n",
              f[0], f[1], f[3], f[4], rank, name, correct ? 1 : 0, c.anchorFrames(),
              c.confidence(), c.variant().timeScale(), c.variant().freqScale(), qp.size(),
              pm.agreeing(), pm.chanceMean(), pm.chanceMax(), pm.compared());
          rank++;
        }
        if (++done % 100 == 0) {
          System.err.println(done + " queries");
        }
      }
    }
  }

}
