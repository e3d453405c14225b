package io.tunetrace.core.match;

import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.internal.LongIntMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Offset voting: every posting of a query hash votes for (track, reference frame − query frame);
 * a true match piles its votes on one alignment. Votes within ±tolerance frames are pooled (frame
 * jitter), the best alignment of each track is verified by counting distinct agreeing query hashes,
 * and each is given a significance against the chance of as many votes landing there at random
 * (a Poisson tail with the track's own vote rate).
 *
 * <p>Thread-safe (stateless).
 */
public final class OffsetVoter {
  private OffsetVoter() {}

  /**
   * Votes for the query's alignments.
   *
   * @param framesPerSecond STFT frame rate, for the matched share
   * @param trials number of query variants tried so far (speeds), for the significance correction
   * @return verified candidates, best first (at most {@code maxCandidates})
   */
  public static List<Candidate> vote(
      FingerprintIndex index,
      Fingerprints query,
      int maxPostingsPerHash,
      int tolerance,
      int maxCandidates,
      double framesPerSecond,
      int trials) {
    int[] queryFrames = query.frames();
    Postings postings = new Postings(Math.max(64, query.size() * 4), queryFrames);
    index.lookup(query.hashes(), maxPostingsPerHash,
        (q, trackId, frame) -> postings.add(q, trackId, frame - queryFrames[q]));
    if (postings.size == 0) {
      return List.of();
    }
    LongIntMap votes = new LongIntMap(postings.size);
    LongIntMap perTrack = new LongIntMap(64);
    for (int i = 0; i < postings.size; i++) {
      votes.add(key(postings.tracks[i], postings.deltas[i]), 1);
      perTrack.add(postings.tracks[i], 1);
    }
    // Best pooled alignment per track.
    LongIntMap bestScore = new LongIntMap(perTrack.size());
    LongIntMap bestDelta = new LongIntMap(perTrack.size());
    votes.forEach((k, count) -> {
      int trackId = (int) (k >>> 32);
      int delta = (int) k;
      int pooled = 0;
      for (int d = delta - tolerance; d <= delta + tolerance; d++) {
        pooled += d == delta ? count : votes.get(key(trackId, d));
      }
      if (pooled > bestScore.get(trackId)) {
        bestScore.put(trackId, pooled);
        bestDelta.put(trackId, delta);
      }
    });
    long[] ranked = new long[bestScore.size()];
    int[] n = {0};
    bestScore.forEach((trackId, score) -> ranked[n[0]++] = ((long) score << 32) | trackId);
    Arrays.sort(ranked);
    int queryFrameCount = Math.max(1, query.frameCount());
    int seconds = Math.max(1, (int) Math.ceil(queryFrameCount / framesPerSecond));
    double tests = Math.max(1.0, votes.size()) * Math.max(1, trials);
    List<Candidate> out = new ArrayList<>();
    for (int r = ranked.length - 1; r >= 0 && out.size() < maxCandidates; r--) {
      int trackId = (int) ranked[r];
      int pooled = (int) (ranked[r] >>> 32);
      if (pooled < 2) {
        break;
      }
      int delta = bestDelta.get(trackId);
      Optional<Track> track = index.track(trackId);
      if (track.isEmpty()) {
        continue;
      }
      out.add(verify(postings, trackId, delta, tolerance, perTrack.get(trackId), track.get(),
          queryFrameCount, framesPerSecond, seconds, tests));
    }
    out.sort(Comparator.comparingDouble(Candidate::significance).reversed()
        .thenComparing(Comparator.comparingInt(Candidate::confidence).reversed()));
    return out;
  }

  private static Candidate verify(
      Postings postings,
      int trackId,
      int delta,
      int tolerance,
      int trackVotes,
      Track track,
      int queryFrameCount,
      double framesPerSecond,
      int seconds,
      double tests) {
    BitSet queries = new BitSet();
    BitSet secondsHit = new BitSet(seconds);
    int first = Integer.MAX_VALUE;
    int last = Integer.MIN_VALUE;
    for (int i = 0; i < postings.size; i++) {
      if (postings.tracks[i] != trackId || Math.abs(postings.deltas[i] - delta) > tolerance) {
        continue;
      }
      queries.set(postings.queries[i]);
    }
    int[] frames = postings.queryFramesOf(queries);
    for (int f : frames) {
      first = Math.min(first, f);
      last = Math.max(last, f);
      secondsHit.set(Math.min(seconds - 1, (int) (f / framesPerSecond)));
    }
    int confidence = queries.cardinality();
    long trackFrames = Math.round(track.metadata().durationMillis() * framesPerSecond / 1000.0);
    double span = Math.max(1.0, trackFrames + queryFrameCount);
    double lambda = trackVotes * (2.0 * tolerance + 1) / span;
    double significance = -log10PoissonTail(lambda, confidence) - Math.log10(tests);
    return new Candidate(trackId, delta, confidence, first, last,
        (double) secondsHit.cardinality() / seconds, significance);
  }

  /** log10 P(X >= k) for X ~ Poisson(lambda). */
  static double log10PoissonTail(double lambda, int k) {
    if (k <= 0) {
      return 0;
    }
    if (lambda <= 0) {
      return -300;
    }
    // Sum terms from k upward in log space: term(i) = exp(-lambda) lambda^i / i!.
    double logTerm = -lambda + k * Math.log(lambda) - logFactorial(k);
    double sum = 0;
    double ratio = 1;
    for (int i = k; i < k + 200; i++) {
      sum += ratio;
      ratio *= lambda / (i + 1);
      if (ratio < 1e-12 * sum) {
        break;
      }
    }
    double log10 = (logTerm + Math.log(sum)) / Math.log(10);
    return Math.min(0, log10);
  }

  private static double logFactorial(int k) {
    double s = 0;
    for (int i = 2; i <= k; i++) {
      s += Math.log(i);
    }
    return s;
  }

  private static long key(int trackId, int delta) {
    return ((long) trackId << 32) | (delta & 0xFFFFFFFFL);
  }

  /** Parallel arrays of (query hash index, track, delta). */
  private static final class Postings {
    int[] queries;
    int[] tracks;
    int[] deltas;
    final int[] queryFrames;
    int size;

    Postings(int capacity, int[] queryFrames) {
      this.queryFrames = queryFrames;
      queries = new int[capacity];
      tracks = new int[capacity];
      deltas = new int[capacity];
    }

    void add(int query, int track, int delta) {
      if (size == queries.length) {
        queries = Arrays.copyOf(queries, size * 2);
        tracks = Arrays.copyOf(tracks, size * 2);
        deltas = Arrays.copyOf(deltas, size * 2);
      }
      queries[size] = query;
      tracks[size] = track;
      deltas[size] = delta;
      size++;
    }

    int[] queryFramesOf(BitSet set) {
      return set.stream().map(q -> queryFrames[q]).toArray();
    }
  }
}
