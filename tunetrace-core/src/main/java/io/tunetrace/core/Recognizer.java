package io.tunetrace.core;

import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.audio.Resampler;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackPeaks;
import io.tunetrace.core.match.Candidate;
import io.tunetrace.core.match.MatchDecision;
import io.tunetrace.core.match.MatchPolicy;
import io.tunetrace.core.match.OffsetVoter;
import io.tunetrace.core.match.PeakAgreement;
import io.tunetrace.core.match.QueryHashes;
import io.tunetrace.core.match.SpectralAgreement;
import io.tunetrace.core.peaks.LocalMaxima;
import io.tunetrace.core.peaks.Peaks;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Names the track a clip comes from: fingerprints the clip, looks the hashes up, votes per
 * (track, offset), verifies the best candidates and applies a calibrated acceptance rule, so unknown
 * audio gets "no match" rather than a guess. When nothing is found at the clip's own speed, a few
 * nearby playback speeds are tried (a sped-up clip is a resampled one, so resampling undoes it).
 *
 * <p>Thread-safe when its index is (every {@link FingerprintIndex} is).
 */
public final class Recognizer {
  /** Longest clip {@link #recognize(PcmSource)} keeps; the rest is ignored. */
  public static final int MAX_CLIP_SECONDS = 120;

  /** Shortest clip {@link #recognize} accepts, in milliseconds. */
  public static final int MIN_CLIP_MILLIS = 1000;

  /** Tracks verified per query before the decision. */
  private static final int CANDIDATES = 10;

  private static final int MONITOR_WINDOW_SECONDS = 10;
  private static final int MONITOR_HOP_SECONDS = 5;

  private final FingerprintIndex index;
  private final Fingerprinter fingerprinter;
  private final MatchPolicy policy;

  public Recognizer(FingerprintIndex index) {
    this(index, MatchPolicy.DEFAULT);
  }

  public Recognizer(FingerprintIndex index, MatchPolicy policy) {
    if (index == null || policy == null) {
      throw new IllegalArgumentException("index and policy are required");
    }
    this.index = index;
    this.policy = policy;
    this.fingerprinter = new Fingerprinter(index.params());
  }

  public FingerprintIndex index() {
    return index;
  }

  public Fingerprinter fingerprinter() {
    return fingerprinter;
  }

  public MatchPolicy policy() {
    return policy;
  }

  /**
   * Recognizes a clip of mono samples in [-1, 1].
   *
   * @throws ClipTooShortException if the clip is shorter than {@link #MIN_CLIP_MILLIS}
   */
  public MatchResult recognize(float[] samples, int sampleRateHz) {
    QueryHashes query = analyze(samples, sampleRateHz);
    return decide(query, samples.length * 1000L / sampleRateHz);
  }

  /**
   * The hashes a clip is searched with: the clip's own and those of every variant of the policy.
   *
   * @throws ClipTooShortException if the clip is shorter than {@link #MIN_CLIP_MILLIS}
   */
  public QueryHashes analyze(float[] samples, int sampleRateHz) {
    if (sampleRateHz <= 0) {
      throw new IllegalArgumentException("sampleRateHz <= 0: " + sampleRateHz);
    }
    FingerprintParams params = index.params();
    long durationMillis = samples.length * 1000L / sampleRateHz;
    if (durationMillis < MIN_CLIP_MILLIS) {
      throw new ClipTooShortException("clip too short: " + durationMillis + " ms of audio, at least "
          + MIN_CLIP_MILLIS + " ms needed");
    }
    float[] pcm = sampleRateHz == params.sampleRateHz()
        ? samples
        : Resampler.resample(samples, sampleRateHz, params.sampleRateHz(),
            Resampler.Quality.ANALYSIS);
    LocalMaxima.Builder maxima = new LocalMaxima.Builder();
    Peaks[] peaks = fingerprinter.peaks(pcm, 2 * policy.variantPeaksPerSecond(),
        policy.queryPeaksPerSecond(), policy.queryPeakRadius(), policy.queryPeakRadius(), maxima);
    return QueryHashes.of(peaks[1], peaks[0], policy.variants(), params, policy.queryFanOut(),
        policy.variantPeaksPerSecond(), policy.variantFanOut(), maxima.build());
  }

  /**
   * Votes for the alignments of {@code query} in the index and checks the leading ones peak by
   * peak: the candidates before the decision.
   */
  public OffsetVoter.Votes vote(QueryHashes query) {
    return verify(vote(query, null), query, new Checked());
  }

  /** What one clip's search has read and checked, so that its steps do not repeat it. */
  private static final class Checked {
    final Map<Integer, TrackPeaks> read = new HashMap<>();
    final PeakAgreement.Memo peaks = new PeakAgreement.Memo();
    final SpectralAgreement.Memo spectra = new SpectralAgreement.Memo();
  }

  /**
   * Checks each candidate's alignment, and the other alignments of its track that the votes
   * offered, peak by peak against the track's stored peaks ({@link PeakAgreement#checkBest}): each
   * track stays a candidate at the alignment that agrees best. That alignment is then checked
   * against the clip's spectrum when the query holds it ({@link SpectralAgreement}). Candidates
   * whose track has no peaks stored are left as they are.
   */
  private OffsetVoter.Votes verify(OffsetVoter.Votes votes, QueryHashes query, Checked checked) {
    Peaks peaks = query.peaks();
    LocalMaxima maxima = query.maxima();
    List<Candidate> candidates = votes.candidates();
    if (peaks == null || peaks.size() == 0 || candidates.isEmpty()) {
      return votes;
    }
    // Tracks read for the clip's own candidates are not read again for the variants'.
    Map<Integer, TrackPeaks> read = checked.read;
    int[] missing = candidates.stream().mapToInt(Candidate::trackId).distinct()
        .filter(id -> !read.containsKey(id)).toArray();
    if (missing.length > 0) {
      Map<Integer, TrackPeaks> found = index.peaks(missing);
      for (int id : missing) {
        read.put(id, found.get(id));
      }
    }
    List<Candidate> out = new ArrayList<>(candidates.size());
    for (Candidate c : candidates) {
      TrackPeaks reference = read.get(c.trackId());
      if (reference == null) {
        out.add(c);
        continue;
      }
      Candidate best =
          PeakAgreement.checkBest(peaks, reference, c, votes.alternatives(), checked.peaks);
      out.add(maxima == null ? best : checked.spectra.check(maxima, reference, best));
    }
    return new OffsetVoter.Votes(out, votes.lookedUp(), votes.postings());
  }

  /** Whether a candidate of {@code votes}, at its own or another alignment, could be accepted. */
  private static boolean anyCouldBeAccepted(OffsetVoter.Votes votes) {
    for (Candidate c : votes.candidates()) {
      if (MatchDecision.couldBeAccepted(c)) {
        return true;
      }
    }
    for (Candidate c : votes.alternatives()) {
      if (MatchDecision.couldBeAccepted(c)) {
        return true;
      }
    }
    return false;
  }

  private List<MatchDecision.Accepted> decide(OffsetVoter.Votes votes) {
    return MatchDecision.decide(votes.candidates(), policy.maxResults(), policy.minScore());
  }

  private OffsetVoter.Votes vote(QueryHashes query, Predicate<OffsetVoter.Votes> ownSuffices) {
    FingerprintParams params = index.params();
    double framesPerSecond = (double) params.sampleRateHz() / params.hopSamples();
    return OffsetVoter.vote(index, query, policy.maxPostingsPerHash(index.postingCount()),
        policy.variantMaxPostingsPerHash(), policy.toleranceFrames(),
        CANDIDATES, framesPerSecond, ownSuffices);
  }

  /**
   * What the search of {@code query} found: the candidates checked peak by peak, and whether the
   * clip's own hashes sufficed (the variants were not searched).
   */
  public record Search(QueryHashes query, boolean ownSufficed, OffsetVoter.Votes votes) {
    /** The hashes the candidates were found with: the clip's own only, when those sufficed. */
    public QueryHashes searched() {
      return ownSufficed ? query.identityOnly() : query;
    }
  }

  /**
   * Searches {@code query} as {@link #recognize} does: most clips that match at all match as they
   * are, far beyond doubt, and are answered from the clip's own hashes (its rare ones first); the
   * variants are searched only for the rest. Candidates are checked peak by peak.
   */
  public Search search(QueryHashes query) {
    return search(query, false);
  }

  /**
   * As {@link #search(QueryHashes)}; with {@code rareOnly}, the clip's rare hashes are all that is
   * searched (the first step's: at most an eighth of the posting cap each), whatever they
   * find.
   */
  private Search search(QueryHashes query, boolean rareOnly) {
    OffsetVoter.Votes[] own = new OffsetVoter.Votes[2];
    Checked checked = new Checked();
    OffsetVoter.Votes raw = vote(query, ownVotes -> {
      own[0] = ownVotes;
      if (rareOnly) {
        // Nothing more is searched: when no candidate could be accepted, none is checked.
        own[1] = anyCouldBeAccepted(ownVotes) ? verify(ownVotes, query, checked) : ownVotes;
        return true;
      }
      own[1] = verify(ownVotes, query, checked);
      // Sureness is the decision's own, before --min-score: a stricter bar must not send a sure
      // clip on to the variants, where another alignment could answer instead.
      List<MatchDecision.Accepted> d =
          MatchDecision.decide(own[1].candidates(), policy.maxResults(), 0);
      return !d.isEmpty() && d.get(0).score() >= MatchDecision.SURE;
    });
    return raw == own[0] ? new Search(query, true, own[1])
        : new Search(query, false, verify(raw, query, checked));
  }

  private MatchResult decide(QueryHashes query, long durationMillis) {
    return decide(query, durationMillis, false);
  }

  private MatchResult decide(QueryHashes query, long durationMillis, boolean rareOnly) {
    if (query.identitySize() == 0) {
      return new MatchResult(List.of(), durationMillis, 0);
    }
    List<MatchDecision.Accepted> decided = decide(search(query, rareOnly).votes());
    List<Match> accepted = new ArrayList<>();
    for (MatchDecision.Accepted a : decided) {
      Optional<Track> track = index.track(a.candidate().trackId());
      if (track.isEmpty()) {
        continue;
      }
      List<SameRecording> copies = new ArrayList<>();
      for (Candidate c : a.sameRecording()) {
        index.track(c.trackId()).ifPresent(t -> {
          Match copy = toMatch(c, 0, t, durationMillis);
          copies.add(new SameRecording(t, copy.deltaMillis(),
              MatchDecision.score(c, null), copy.queryStartMillis(),
              copy.queryStopMillis()));
        });
      }
      accepted.add(toMatch(a.candidate(), a.score(), track.get(), durationMillis)
          .withSameRecording(copies));
    }
    return new MatchResult(accepted, durationMillis, query.identitySize());
  }

  /**
   * Finds other copies of audio already fingerprinted (the stored-density fingerprints of a file
   * about to be added, {@link QueryHashes#of(Fingerprints, int)}): recognizes them from their rare
   * hashes only (those of the search's first step, at most an eighth of the posting cap each), and
   * decides as {@link #recognize(float[], int)} does. Another copy of the same audio shares nearly every hash,
   * the rare ones too, so it is found from them alone; audio that is in no other track, the common
   * case, no longer reads the common hashes, which hold most of a large library's postings
   * (docs/MATCHING.md §2).
   *
   * @param durationMillis duration of the audio the hashes were made from
   */
  public MatchResult recognizeCopies(QueryHashes query, long durationMillis) {
    return decide(query, durationMillis, true);
  }

  private Match toMatch(Candidate c, double score, Track track, long queryDurationMillis) {
    FingerprintParams p = index.params();
    double timeScale = c.variant().timeScale();
    long queryStart = p.framesToMillis(c.queryFirstFrame());
    // The last agreeing hash reaches up to a target zone past its anchor, but not past the clip.
    long queryStop = Math.min(queryDurationMillis,
        p.framesToMillis(c.queryLastFrame() + p.maxDeltaFrames()));
    long refStart = p.framesToMillis(Math.round(c.queryFirstFrame() * timeScale) + c.deltaFrames());
    long refStop = refStart + Math.round((queryStop - queryStart) * timeScale);
    return new Match(track, c.confidence(), score, p.framesToMillis(c.deltaFrames()), queryStart,
        queryStop, refStart, refStop, Math.min(1, c.matchedShare()), timeScale);
  }

  /** Reads the clip to its end (at most {@link #MAX_CLIP_SECONDS} are kept) and recognizes it. */
  public MatchResult recognize(PcmSource source) throws IOException {
    int rate = source.sampleRateHz();
    return recognize(PcmSource.readAll(source, MAX_CLIP_SECONDS * rate), rate);
  }

  /**
   * Slides a window over a long recording in bounded memory and reports every track heard, as it
   * is found, with its start and stop in the recording and in the track. Consecutive windows that
   * agree on the track and its alignment are merged into one detection.
   */
  public void monitor(PcmSource recording, Consumer<Detection> detections) throws IOException {
    int rate = recording.sampleRateHz();
    int windowSamples = MONITOR_WINDOW_SECONDS * rate;
    int hopSamples = MONITOR_HOP_SECONDS * rate;
    float[] window = new float[windowSamples];
    int filled = 0;
    long windowStartMillis = 0;
    Open open = null;
    boolean ended = false;
    while (!ended) {
      int n = recording.read(window, filled, windowSamples - filled);
      if (n < 0) {
        ended = true;
      } else {
        filled += n;
        if (filled < windowSamples) {
          continue;
        }
      }
      if (filled >= rate) {
        MatchResult result = recognize(Arrays.copyOf(window, filled), rate);
        Optional<Match> best = result.best();
        if (best.isPresent()) {
          Match m = best.get();
          long qStart = windowStartMillis + m.queryStartMillis();
          long qStop = windowStartMillis + Math.min(m.queryStopMillis(), filled * 1000L / rate);
          long alignment = m.refStartMillis() - qStart;
          if (open != null && open.track.id() == m.track().id()
              && Math.abs(open.alignment - alignment) <= 2000) {
            open.queryStop = Math.max(open.queryStop, qStop);
            open.refStop = Math.max(open.refStop, m.refStopMillis());
            open.score = Math.max(open.score, m.score());
            open.misses = 0;
          } else {
            if (open != null) {
              detections.accept(open.toDetection());
            }
            open = new Open(m.track(), qStart, qStop, m.refStartMillis(), m.refStopMillis(),
                m.score(), alignment, inRecording(m.sameRecording(), windowStartMillis));
          }
        } else if (open != null && ++open.misses >= 2) {
          detections.accept(open.toDetection());
          open = null;
        }
      }
      if (!ended) {
        System.arraycopy(window, hopSamples, window, 0, windowSamples - hopSamples);
        filled = windowSamples - hopSamples;
        windowStartMillis += MONITOR_HOP_SECONDS * 1000L;
      }
    }
    if (open != null) {
      detections.accept(open.toDetection());
    }
  }

  /** Copies found in a window, with offsets from the start of the recording. */
  private static List<SameRecording> inRecording(List<SameRecording> copies, long windowStart) {
    List<SameRecording> out = new ArrayList<>();
    for (SameRecording c : copies) {
      out.add(new SameRecording(c.track(), c.deltaMillis() - windowStart, c.score(),
          c.queryStartMillis() + windowStart, c.queryStopMillis() + windowStart));
    }
    return out;
  }

  /** A detection still being extended by later windows. */
  private static final class Open {
    final Track track;
    final long queryStart;
    long queryStop;
    final long refStart;
    long refStop;
    double score;
    final long alignment;
    final List<SameRecording> copies;
    int misses;

    Open(Track track, long queryStart, long queryStop, long refStart, long refStop, double score,
        long alignment, List<SameRecording> copies) {
      this.copies = copies;
      this.track = track;
      this.queryStart = queryStart;
      this.queryStop = queryStop;
      this.refStart = refStart;
      this.refStop = refStop;
      this.score = score;
      this.alignment = alignment;
    }

    Detection toDetection() {
      return new Detection(track, queryStart, queryStop, refStart, refStop, score, copies);
    }
  }
}
