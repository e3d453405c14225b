package io.tunetrace.core.bench;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.audio.Resampler;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import io.tunetrace.core.index.TrackPeaks;
import io.tunetrace.core.match.Candidate;
import io.tunetrace.core.match.QueryHashes;
import io.tunetrace.core.spectrum.Stft;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Experiment: a "soft" check of each candidate, on the clip's whole spectrum instead of its picked
 * peaks. Per candidate: the mean whitened level of the clip's spectrum at the reference's peaks
 * (max over ±tol frames, ±1 bin), against the same at every other alignment within 1.9 s.
 * Usage: {@code SoftCheck INDEX CORPUS OUT.csv}.
 */
public final class SoftCheck {
  private SoftCheck() {}

  public static void main(String[] args) throws Exception {
    Path corpus = Path.of(args[1]);
    double cap = Double.parseDouble(System.getProperty("cap", "15"));
    double floor = Double.parseDouble(System.getProperty("floor", "0"));
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.openReadOnly(Path.of(args[0]));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])))) {
      Map<Integer, String> names = DecisionFeatures.fileNames(index);
      Recognizer recognizer = new Recognizer(index);
      FingerprintParams params = index.params();
      out.println("query,expected,length,condition,track,right,z,clear,anchors,variant,zs,zsmax,n");
      List<String> lines = Files.readAllLines(corpus.resolve("manifest.csv"));
      int done = 0;
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split(",", -1);
        DecisionFeatures.Clip clip = DecisionFeatures.readClip(corpus, f[0]);
        float[] pcm = clip.rateHz() == params.sampleRateHz() ? clip.samples()
            : Resampler.resample(clip.samples(), clip.rateHz(), params.sampleRateHz(),
                Resampler.Quality.ANALYSIS);
        float[][] p = whitened(pcm, params, cap, floor);
        QueryHashes q = recognizer.analyze(clip.samples(), clip.rateHz());
        List<Candidate> candidates = recognizer.vote(q).candidates();
        int[] ids = candidates.stream().mapToInt(Candidate::trackId).distinct().toArray();
        Map<Integer, TrackPeaks> peaks = index.peaks(ids);
        for (Candidate c : candidates) {
          TrackPeaks ref = peaks.get(c.trackId());
          double[] s = soft(p, ref, c);
          String name = names.getOrDefault(c.trackId(), "?");
          out.printf(Locale.ROOT, "%s,%s,%s,%s,%s,%d,%.2f,%d,%d,%d,%.2f,%.2f,%d%n", f[0], f[1],
              f[3], f[4], name, name.equals(f[1]) ? 1 : 0, c.peaks().z(),
              c.peaks().clearOfOtherAlignments() ? 1 : 0, c.anchorFrames(),
              c.variant().isIdentity() ? 0 : 1, s[0], s[1], (int) s[2]);
        }
        if (++done % 200 == 0) {
          System.err.println(done + " queries");
        }
      }
    }
  }

  /** Log power (dB) minus each bin's median over the clip, limited to [floor, cap]. */
  static float[][] whitened(float[] pcm, FingerprintParams params, double cap, double floor) {
    List<float[]> frames = new ArrayList<>();
    Stft stft = new Stft(params.fftSize(), params.hopSamples(), (i, power) -> {
      float[] db = new float[power.length];
      for (int b = 0; b < power.length; b++) {
        db[b] = (float) (10 * Math.log10(power[b] + 1e-12));
      }
      frames.add(db);
    });
    stft.push(pcm, 0, pcm.length);
    int n = frames.size();
    int bins = params.fftSize() / 2 + 1;
    float[][] p = frames.toArray(new float[0][]);
    float[] col = new float[n];
    for (int b = 0; b < bins; b++) {
      for (int t = 0; t < n; t++) {
        col[t] = p[t][b];
      }
      float[] sorted = col.clone();
      Arrays.sort(sorted);
      float med = n == 0 ? 0 : sorted[n / 2];
      for (int t = 0; t < n; t++) {
        p[t][b] = (float) Math.max(floor, Math.min(cap, col[t] - med));
      }
    }
    return p;
  }

  /** {zs, (value − best other)/σ, reference peaks counted} for candidate c. */
  static double[] soft(float[][] p, TrackPeaks ref, Candidate c) {
    double ts = c.variant().timeScale();
    double fs = c.variant().freqScale();
    int tol = ts == 1.0 ? 1 : 2;
    int frames = p.length;
    int delta = c.deltaFrames();
    double own = Double.NaN;
    int ownN = 0;
    double sum = 0;
    double sum2 = 0;
    double max = Double.NEGATIVE_INFINITY;
    int k = 0;
    for (int shift = -240; shift <= 240; shift++) {
      if (shift != 0 && Math.abs(shift) < 8) {
        continue;
      }
      int d = delta + shift;
      int lo = (int) Math.floor(d - tol);
      int hi = (int) Math.ceil(d + frames * ts + tol);
      double v = 0;
      int n = 0;
      for (int i = ref.firstAtOrAfter(Math.max(0, lo)); i < ref.size() && ref.frame(i) <= hi;
          i++) {
        int t = (int) Math.round((ref.frame(i) - d) / ts);
        if (t < 0 || t >= frames) {
          continue;
        }
        int b = (int) Math.round(ref.bin(i) * fs);
        float best = Float.NEGATIVE_INFINITY;
        for (int tt = Math.max(0, t - tol); tt <= Math.min(frames - 1, t + tol); tt++) {
          for (int bb = Math.max(0, b - 1); bb <= Math.min(p[tt].length - 1, b + 1); bb++) {
            best = Math.max(best, p[tt][bb]);
          }
        }
        if (best > Float.NEGATIVE_INFINITY) {
          v += best;
          n++;
        }
      }
      double mean = n == 0 ? 0 : v / n;
      if (shift == 0) {
        own = mean;
        ownN = n;
      } else if (n > 0) {
        sum += mean;
        sum2 += mean * mean;
        max = Math.max(max, mean);
        k++;
      }
    }
    if (k < 2 || ownN == 0) {
      return new double[] {0, 0, ownN};
    }
    double mu = sum / k;
    double sd = Math.sqrt(Math.max(1e-9, sum2 / k - mu * mu));
    return new double[] {(own - mu) / sd, (own - max) / sd, ownN};
  }
}
