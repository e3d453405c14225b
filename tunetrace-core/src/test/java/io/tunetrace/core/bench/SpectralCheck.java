package io.tunetrace.core.bench;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.audio.Resampler;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import io.tunetrace.core.index.TrackPeaks;
import io.tunetrace.core.match.Candidate;
import io.tunetrace.core.match.MatchPolicy;
import io.tunetrace.core.match.QueryHashes;
import io.tunetrace.core.spectrum.Stft;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The harness behind docs/MATCHING.md §1c: checks each candidate the other way round from the peak
 * check, asking whether the clip's spectrum stands out where the reference has its peaks. Besides
 * the decision's own check ({@code prod_z}: {@link io.tunetrace.core.match.SpectralAgreement}, as
 * the candidate carries it) it measures, at every alignment within 1.9 s, the share of the
 * reference's peaks at a local maximum of the clip ({@code lm_*}) and the clip's mean contrast in
 * dB there against the ±8 bins around ({@code con_*}), the alternative that was not adopted. Writes
 * one CSV row per checked candidate. Usage: {@code SpectralCheck INDEX CORPUS OUT.csv}.
 */
public final class SpectralCheck {
  private static final int MAX_SHIFT = 240;
  private static final int NEAR = 8;
  private static final int CONTRAST_BINS = 8;

  private SpectralCheck() {}

  public static void main(String[] args) throws Exception {
    Path corpus = Path.of(args[1]);
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.openReadOnly(Path.of(args[0]));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])))) {
      Map<Integer, String> names = DecisionFeatures.fileNames(index);
      FingerprintParams params = index.params();
      Recognizer recognizer = new Recognizer(index, MatchPolicy.DEFAULT);
      out.println("query,expected,length,condition,track,correct,rank,anchors,peak_z,clear,variant,"
          + "lm_frac,lm_z,con_mean,con_z,compared,lm_mean,lm_sd,lm_max,con_smean,con_sd,con_max,"
          + "prod_z,prod_compared");
      DecisionFeatures.eachQuery(corpus, (f, clip) -> {
        String expected = f[1];
        QueryHashes q = recognizer.analyze(clip.samples(), clip.rateHz());
        List<Candidate> candidates = recognizer.vote(q).candidates();
        float[] pcm = clip.rateHz() == params.sampleRateHz() ? clip.samples()
            : Resampler.resample(clip.samples(), clip.rateHz(), params.sampleRateHz(),
                Resampler.Quality.ANALYSIS);
        Spectrum s = Spectrum.of(pcm, params);
        int[] ids = candidates.stream().mapToInt(Candidate::trackId).distinct().toArray();
        Map<Integer, TrackPeaks> refs = index.peaks(ids);
        for (int rank = 0; rank < candidates.size(); rank++) {
          Candidate c = candidates.get(rank);
          TrackPeaks ref = refs.get(c.trackId());
          if (ref == null) {
            continue;
          }
          double[] m = s.measure(ref, c);
          String name = names.getOrDefault(c.trackId(), "?");
          out.printf(Locale.ROOT, "%s,%s,%s,%s,%s,%d,%d,%d,%.2f,%d,%d,"
                  + "%.4f,%.2f,%.3f,%.2f,%d,%.4f,%.4f,%.4f,%.3f,%.3f,%.3f,%.2f,%d%n",
              f[0], expected, f[3], f[4], name,
              !expected.isEmpty() && expected.equals(name) ? 1 : 0,
              rank, c.anchorFrames(), c.peaks().z(), c.peaks().clearOfOtherAlignments() ? 1 : 0,
              c.variant().isIdentity() ? 0 : 1, m[0], m[1], m[2], m[3], (int) m[4], m[5], m[6],
              m[7], m[8], m[9], m[10], c.spectrum().z(), c.spectrum().compared());
        }
      });
    }
  }

  /** The clip's log spectrum: where it has local maxima, and each bin's contrast in dB. */
  record Spectrum(int frames, int bins, boolean[] localMax, float[] contrast) {
    static Spectrum of(float[] pcm, FingerprintParams params) {
      List<float[]> rows = new ArrayList<>();
      Stft stft = new Stft(params.fftSize(), params.hopSamples(), (i, power) -> {
        float[] db = new float[power.length];
        for (int b = 0; b < power.length; b++) {
          db[b] = (float) (10 * Math.log10(power[b] + 1e-10));
        }
        rows.add(db);
      });
      stft.push(pcm, 0, pcm.length);
      int frames = rows.size();
      int bins = frames == 0 ? 0 : rows.get(0).length;
      boolean[] lm = new boolean[frames * bins];
      float[] con = new float[frames * bins];
      for (int t = 0; t < frames; t++) {
        float[] row = rows.get(t);
        double[] prefix = new double[bins + 1];
        for (int b = 0; b < bins; b++) {
          prefix[b + 1] = prefix[b] + row[b];
        }
        for (int b = 0; b < bins; b++) {
          int lo = Math.max(0, b - CONTRAST_BINS);
          int hi = Math.min(bins, b + CONTRAST_BINS + 1);
          con[t * bins + b] = (float) (row[b] - (prefix[hi] - prefix[lo]) / (hi - lo));
          boolean max = true;
          for (int dt = -1; dt <= 1 && max; dt++) {
            if (t + dt < 0 || t + dt >= frames) {
              continue;
            }
            float[] r = rows.get(t + dt);
            for (int db = -1; db <= 1; db++) {
              if ((dt != 0 || db != 0) && b + db >= 0 && b + db < bins && r[b + db] > row[b]) {
                max = false;
                break;
              }
            }
          }
          lm[t * bins + b] = max && row[b] > -40;
        }
      }
      return new Spectrum(frames, bins, lm, con);
    }

    /**
     * At the candidate's alignment and every other within MAX_SHIFT: the share of the reference's
     * peaks over the clip at which the clip has a local maximum (within the tolerance), and their
     * mean contrast. Returns {lm share, lm z, contrast mean, contrast z, peaks compared}.
     */
    double[] measure(TrackPeaks ref, Candidate c) {
      double ts = c.variant().timeScale();
      double fs = c.variant().freqScale();
      int tol = ts == 1.0 ? 1 : 2;
      double[] lmAt = new double[2 * MAX_SHIFT + 1];
      double[] conAt = new double[2 * MAX_SHIFT + 1];
      int compared0 = 0;
      for (int shift = -MAX_SHIFT; shift <= MAX_SHIFT; shift++) {
        int delta = c.deltaFrames() + shift;
        int first = ref.firstAtOrAfter(Math.max(0, delta));
        int n = 0;
        int hits = 0;
        double sum = 0;
        for (int i = first; i < ref.size(); i++) {
          int qf = (int) Math.round((ref.frame(i) - delta) / ts);
          if (qf >= frames) {
            break;
          }
          if (qf < 0) {
            continue;
          }
          int qb = (int) Math.round(ref.bin(i) * fs);
          if (qb < 1 || qb >= bins - 1) {
            continue;
          }
          n++;
          boolean hit = false;
          float best = -1e9f;
          for (int t = Math.max(0, qf - tol); t <= Math.min(frames - 1, qf + tol); t++) {
            for (int b = qb - 1; b <= qb + 1; b++) {
              hit |= localMax[t * bins + b];
              best = Math.max(best, contrast[t * bins + b]);
            }
          }
          hits += hit ? 1 : 0;
          sum += best;
        }
        lmAt[shift + MAX_SHIFT] = n == 0 ? 0 : (double) hits / n;
        conAt[shift + MAX_SHIFT] = n == 0 ? 0 : sum / n;
        if (shift == 0) {
          compared0 = n;
        }
      }
      double[] lm = stats(lmAt);
      double[] con = stats(conAt);
      return new double[] {lmAt[MAX_SHIFT], z(lmAt), conAt[MAX_SHIFT], z(conAt), compared0,
          lm[0], lm[1], lm[2], con[0], con[1], con[2]};
    }

    /** Mean, standard deviation and maximum over the other alignments. */
    private static double[] stats(double[] at) {
      double sum = 0;
      double sq = 0;
      double max = -1e9;
      int n = 0;
      for (int i = 0; i < at.length; i++) {
        if (Math.abs(i - MAX_SHIFT) >= NEAR) {
          sum += at[i];
          sq += at[i] * at[i];
          max = Math.max(max, at[i]);
          n++;
        }
      }
      double mean = sum / n;
      return new double[] {mean, Math.sqrt(Math.max(0, sq / n - mean * mean)), max};
    }

    private static double z(double[] at) {
      double sum = 0;
      double sq = 0;
      int n = 0;
      for (int i = 0; i < at.length; i++) {
        if (Math.abs(i - MAX_SHIFT) >= NEAR) {
          sum += at[i];
          sq += at[i] * at[i];
          n++;
        }
      }
      double mean = sum / n;
      double sd = Math.sqrt(Math.max(1e-12, sq / n - mean * mean));
      return (at[MAX_SHIFT] - mean) / sd;
    }
  }
}
