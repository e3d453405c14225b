package io.tunetrace.core.explain;

import io.tunetrace.core.ClipTooShortException;
import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.audio.Resampler;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.match.Candidate;
import io.tunetrace.core.match.MatchDecision;
import io.tunetrace.core.match.MatchPolicy;
import io.tunetrace.core.match.PeakAgreement;
import io.tunetrace.core.match.QueryHashes;
import io.tunetrace.core.match.SpectralAgreement;
import io.tunetrace.core.match.Variant;
import io.tunetrace.core.peaks.Peaks;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Searches a clip the way its {@link Recognizer} does — the same peaks, hashes, votes and decision
 * — and keeps what the recognizer throws away: the peaks, the pairs that voted for the winning
 * alignment, the votes per Δt, the runner-up, and the reference audio over the aligned stretch.
 * Slower than recognizing (it decodes part of the reference); meant for one clip at a time.
 *
 * <p>Thread-safe when its recognizer is.
 */
public final class Explainer {
  /** Most Δt bins in the vote histogram. */
  static final int HISTOGRAM_BINS = 240;

  private final Recognizer recognizer;

  public Explainer(Recognizer recognizer) {
    if (recognizer == null) {
      throw new IllegalArgumentException("recognizer == null");
    }
    this.recognizer = recognizer;
  }

  /**
   * Explains mono samples in [-1, 1].
   *
   * @throws ClipTooShortException if the clip is shorter than {@link Recognizer#MIN_CLIP_MILLIS}
   */
  public Explanation explain(float[] samples, int sampleRateHz, ReferenceAudio audio) {
    if (sampleRateHz <= 0) {
      throw new IllegalArgumentException("sampleRateHz <= 0: " + sampleRateHz);
    }
    FingerprintIndex index = recognizer.index();
    FingerprintParams params = index.params();
    MatchPolicy policy = recognizer.policy();
    long durationMillis = samples.length * 1000L / sampleRateHz;
    if (durationMillis < Recognizer.MIN_CLIP_MILLIS) {
      throw new ClipTooShortException("clip too short: " + durationMillis + " ms of audio, at least "
          + Recognizer.MIN_CLIP_MILLIS + " ms needed");
    }
    float[] pcm = sampleRateHz == params.sampleRateHz()
        ? samples
        : Resampler.resample(samples, sampleRateHz, params.sampleRateHz(),
            Resampler.Quality.ANALYSIS);
    // The clip analysed as a match analyses it: dense peaks as it is, index-neighbourhood ones for
    // the variants.
    QueryHashes query = recognizer.analyze(pcm, params.sampleRateHz());
    Peaks own = query.peaks();
    Spectrogram querySpectrogram = Spectrogram.of(pcm, 0, params, 0, own.frameCount());
    List<Explanation.Peak> queryPeaks = new ArrayList<>();
    double binHz = (double) params.sampleRateHz() / params.fftSize();
    for (int i = 0; i < own.size(); i++) {
      queryPeaks.add(new Explanation.Peak(own.frame(i) * params.frameMillis(),
          own.bin(i) * binHz));
    }

    long start = System.nanoTime();
    QueryHashes searched = query;
    List<Candidate> candidates = List.of();
    if (query.identitySize() > 0) {
      Recognizer.Search search = recognizer.search(query);
      searched = search.searched();
      candidates = search.votes().candidates();
    }
    List<MatchDecision.Group> groups = MatchDecision.group(candidates);
    long searchMillis = (System.nanoTime() - start) / 1_000_000;
    if (groups.isEmpty()) {
      return new Explanation(querySpectrogram, queryPeaks, Optional.empty(), Optional.empty(),
          "no candidate", List.of(), Explanation.VoteHistogram.empty(), false,
          "Refused: no track shares two time-consistent hashes with the clip, so there is no "
              + "candidate to weigh.", durationMillis, searchMillis);
    }
    Candidate leader = groups.get(0).leader();
    Candidate runnerUp = groups.get(0).runnerUp();
    double score = MatchDecision.score(leader, runnerUp);
    double chance = MatchDecision.chance(leader, runnerUp);
    Optional<Track> track = index.track(leader.trackId());
    boolean accepted = score >= MatchDecision.threshold() && score >= policy.minScore()
        && track.isPresent();
    String title = track.map(t -> t.metadata().title()).orElse("track " + leader.trackId());
    String artist = track.map(t -> t.metadata().artist()).orElse("");
    String runnerUpTitle = runnerUp == null ? ""
        : index.track(runnerUp.trackId()).map(t -> t.metadata().title())
            .orElse("track " + runnerUp.trackId());
    int runnerUpMoments = runnerUp == null ? 0 : runnerUp.anchorFrames();
    Variant variant = leader.variant();
    Explanation.Candidate candidate = new Explanation.Candidate(leader.trackId(), title, artist,
        leader.confidence(), leader.anchorFrames(), score, MatchDecision.threshold(), chance,
        runnerUpTitle, runnerUpMoments, variant.timeScale(), variant.freqScale(),
        params.framesToMillis(leader.deltaFrames()), Math.min(1, leader.matchedShare()));

    Peaks used = variant.isIdentity() ? own : query.variantPeaks();
    List<Explanation.VotedPair> pairs = pairs(leader, used, params);
    Explanation.VoteHistogram votes = histogram(index, searched, leader, policy);

    int fromFrame = Math.max(0, leader.deltaFrames());
    int toFrame = Math.max(fromFrame + 1, leader.deltaFrames()
        + (int) Math.round(own.frameCount() * variant.timeScale()));
    Optional<Spectrogram> reference = Optional.empty();
    String problem = "";
    if (track.isEmpty()) {
      problem = "the track is no longer in the index";
    } else {
      try {
        reference = reference(audio, track.get(), params, fromFrame, toFrame);
        if (reference.isEmpty()) {
          problem = "the track's audio is not reachable (" + track.get().metadata().sourcePath() + ")";
        }
      } catch (IOException | RuntimeException e) {
        problem = "the track's audio could not be read: " + e.getMessage();
      }
    }
    return new Explanation(querySpectrogram, queryPeaks, Optional.of(candidate), reference,
        problem, pairs, votes, accepted,
        reason(candidate, leader, runnerUp, accepted, track.isPresent()),
        durationMillis, searchMillis);
  }

  private static String reason(Explanation.Candidate c, Candidate leader, Candidate runnerUp,
      boolean accepted, boolean inIndex) {
    String odds = c.chance() >= 0.5 ? "a coin toss"
        : c.chance() < 1e-6 ? "under 1 in a million"
        : "about 1 in " + String.format(Locale.ROOT, "%,d", Math.round(1 / c.chance()));
    String against = c.runnerUpTitle().isEmpty()
        ? "no other recording agrees at all"
        : "the runner-up (" + c.runnerUpTitle() + ") has " + c.runnerUpMoments();
    if (!inIndex) {
      return "Refused: the candidate's track was deleted from the index meanwhile.";
    }
    if (leader.peakChecked()) {
      PeakAgreement.Measure m = leader.peaks();
      String other = runnerUp == null || !runnerUp.peakChecked()
          ? "no other recording was checked"
          : String.format(Locale.ROOT, "the runner-up (%s) checks at %.1f", c.runnerUpTitle(),
              MatchDecision.checked(runnerUp));
      String loop = m.clearOfOtherAlignments() ? ""
          : " — but about as many land one bar away (a shared loop, not this recording)";
      SpectralAgreement.Measure s = leader.spectrum();
      String spectrum = !s.measured() ? ""
          : String.format(Locale.ROOT, ", and the clip's spectrum peaks at %.0f%% of the track's "
              + "%d peaks there (%.0f%% at other alignments; a check of %.1f): %.1f together",
              100 * s.share(), s.compared(), 100 * s.chanceMean(), s.z(),
              MatchDecision.checked(leader));
      return String.format(Locale.ROOT, "%s: score %.2f %s %.2f — %d moments of the clip agree on one "
              + "alignment, and %d of its %d peaks land on the track's peaks there (%.1f at other "
              + "alignments on average, at most %d; a check of %.1f)%s%s; %s; the chance of a "
              + "coincidence this strong is %s.",
          accepted ? "Accepted" : "Refused", c.score(), accepted ? "≥" : "<", c.threshold(),
          c.moments(), m.agreeing(), m.compared(), m.chanceMean(), m.chanceMax(), m.z(), spectrum,
          loop, other, odds);
    }
    return String.format(Locale.ROOT, "%s: score %.2f %s %.2f — %d moments of the clip agree on one "
            + "alignment, %s; the chance of a coincidence this strong is %s.",
        accepted ? "Accepted" : "Refused", c.score(), accepted ? "≥" : "<", c.threshold(),
        c.moments(), against, odds);
  }

  private static List<Explanation.VotedPair> pairs(Candidate leader, Peaks peaks,
      FingerprintParams params) {
    Variant v = leader.variant();
    double binHz = (double) params.sampleRateHz() / params.fftSize();
    double frameMillis = params.frameMillis();
    List<Explanation.VotedPair> out = new ArrayList<>();
    for (long pair : leader.pairs()) {
      int a = (int) (pair >>> 32);
      int b = (int) pair;
      if (a < 0 || a >= peaks.size() || b < 0 || b >= peaks.size()) {
        continue;
      }
      out.add(new Explanation.VotedPair(
          queryPeak(peaks, a, v, binHz, frameMillis), queryPeak(peaks, b, v, binHz, frameMillis),
          refPeak(peaks, a, leader, binHz, frameMillis), refPeak(peaks, b, leader, binHz, frameMillis)));
    }
    return out;
  }

  private static Explanation.Peak queryPeak(Peaks p, int i, Variant v, double binHz,
      double frameMillis) {
    double bins = v.isIdentity() ? p.bin(i) : p.frequencyBins(i);
    return new Explanation.Peak(p.frame(i) * frameMillis, bins * binHz);
  }

  private static Explanation.Peak refPeak(Peaks p, int i, Candidate c, double binHz,
      double frameMillis) {
    Variant v = c.variant();
    double frame = (v.timeScale() == 1.0 ? p.frame(i) : Math.round(p.frame(i) * v.timeScale()))
        + c.deltaFrames();
    double bins = v.isIdentity() ? p.bin(i) : p.frequencyBins(i) / v.freqScale();
    return new Explanation.Peak(frame * frameMillis, bins * binHz);
  }

  /** Votes per Δt of the candidate's track, from the entries of the candidate's variant. */
  private static Explanation.VoteHistogram histogram(FingerprintIndex index, QueryHashes query,
      Candidate leader, MatchPolicy policy) {
    int variant = query.variants().indexOf(leader.variant());
    Map<Integer, List<Integer>> entriesByHash = new HashMap<>();
    for (int j = 0; j < query.size(); j++) {
      if (query.variant(j) == variant) {
        entriesByHash.computeIfAbsent(query.hash(j), h -> new ArrayList<>()).add(j);
      }
    }
    int[] hashes = entriesByHash.keySet().stream().mapToInt(Integer::intValue).toArray();
    int cap = leader.variant().isIdentity() ? policy.maxPostingsPerHash(index.postingCount())
        : policy.variantMaxPostingsPerHash();
    int[] deltas = new int[64];
    int[] n = {0};
    int[][] box = {deltas};
    index.lookup(hashes, cap, (q, trackId, frame) -> {
      if (trackId != leader.trackId()) {
        return;
      }
      for (int j : entriesByHash.get(hashes[q])) {
        if (n[0] == box[0].length) {
          box[0] = Arrays.copyOf(box[0], n[0] * 2);
        }
        box[0][n[0]++] = frame - query.refFrame(j);
      }
    });
    int[] d = Arrays.copyOf(box[0], n[0]);
    if (d.length == 0) {
      return Explanation.VoteHistogram.empty();
    }
    int min = Math.min(Arrays.stream(d).min().getAsInt(), leader.deltaFrames());
    int max = Math.max(Arrays.stream(d).max().getAsInt(), leader.deltaFrames());
    int binFrames = Math.max(1, (int) Math.ceil((max - min + 1) / (double) HISTOGRAM_BINS));
    int[] counts = new int[(max - min) / binFrames + 1];
    for (int delta : d) {
      counts[(delta - min) / binFrames]++;
    }
    double frameMillis = index.params().frameMillis();
    return new Explanation.VoteHistogram(min * frameMillis, binFrames * frameMillis, counts,
        (leader.deltaFrames() - min) / binFrames);
  }

  private static Optional<Spectrogram> reference(ReferenceAudio audio, Track track,
      FingerprintParams params, int fromFrame, int toFrame) throws IOException {
    Optional<PcmSource> opened = audio.open(track);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    // Closing the resampler closes the source.
    try (PcmSource pcm = Resampler.resample(opened.get(), params.sampleRateHz(),
        Resampler.Quality.ANALYSIS)) {
      long skip = (long) fromFrame * params.hopSamples();
      float[] scratch = new float[16384];
      while (skip > 0) {
        int got = pcm.read(scratch, 0, (int) Math.min(scratch.length, skip));
        if (got < 0) {
          break;
        }
        skip -= got;
      }
      int length = (toFrame - fromFrame) * params.hopSamples() + params.fftSize();
      float[] samples = new float[length];
      int filled = 0;
      while (filled < length) {
        int got = pcm.read(samples, filled, length - filled);
        if (got < 0) {
          break;
        }
        filled += got;
      }
      // Past the end of the track the columns stay silent.
      return Optional.of(Spectrogram.of(samples, fromFrame, params, fromFrame, toFrame));
    }
  }
}
