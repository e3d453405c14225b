package io.tunetrace.core.match;

import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.internal.LongIntMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/**
 * Offset voting: every posting of a query hash votes for (track, reference frame − query frame);
 * a true match piles its votes on one alignment. Votes within ±tolerance frames are pooled (frame
 * jitter), and the best alignment of each track is verified by counting distinct agreeing query
 * hashes. Each candidate also carries the runner-up: the most votes of any other track, which
 * measures how far coincidence alone gets for this query and this library (other alignments of the
 * same track are left out: a song that repeats itself is no evidence against it).
 *
 * <p>Thread-safe (stateless).
 */
public final class OffsetVoter {
  private OffsetVoter() {}

  /**
   * Votes for the query's alignments.
   *
   * @param framesPerSecond STFT frame rate, for the matched share
   * @return verified candidates, best first (at most {@code maxCandidates})
   */
  public static List<Candidate> vote(
      FingerprintIndex index,
      Fingerprints query,
      int maxPostingsPerHash,
      int tolerance,
      int maxCandidates,
      double framesPerSecond) {
    int[] queryFrames = query.frames();
    Postings postings = new Postings(Math.max(64, query.size() * 4), queryFrames);
    index.lookup(query.hashes(), maxPostingsPerHash,
        (q, trackId, frame) -> postings.add(q, trackId, frame - queryFrames[q]));
    if (postings.size == 0) {
      return List.of();
    }
    LongIntMap votes = new LongIntMap(postings.size);
    for (int i = 0; i < postings.size; i++) {
      votes.add(key(postings.tracks[i], postings.deltas[i]), 1);
    }
    // Best pooled alignment per track.
    LongIntMap bestScore = new LongIntMap(64);
    LongIntMap bestDelta = new LongIntMap(64);
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
    int topOther = ranked.length >= 2 ? (int) (ranked[ranked.length - 2] >>> 32) : 0;
    int top = (int) (ranked[ranked.length - 1] >>> 32);
    List<Candidate> out = new ArrayList<>();
    for (int r = ranked.length - 1; r >= 0 && out.size() < maxCandidates; r--) {
      int trackId = (int) ranked[r];
      int pooled = (int) (ranked[r] >>> 32);
      if (pooled < 2) {
        break;
      }
      int delta = bestDelta.get(trackId);
      int otherTracks = r == ranked.length - 1 ? topOther : top;
      int runnerUp = otherTracks;
      out.add(verify(postings, trackId, delta, tolerance, framesPerSecond, seconds, runnerUp));
    }
    out.sort(Comparator.comparingInt(Candidate::confidence).reversed());
    return out;
  }

  private static Candidate verify(
      Postings postings,
      int trackId,
      int delta,
      int tolerance,
      double framesPerSecond,
      int seconds,
      int runnerUp) {
    BitSet queries = new BitSet();
    for (int i = 0; i < postings.size; i++) {
      if (postings.tracks[i] == trackId && Math.abs(postings.deltas[i] - delta) <= tolerance) {
        queries.set(postings.queries[i]);
      }
    }
    BitSet secondsHit = new BitSet(seconds);
    int first = Integer.MAX_VALUE;
    int last = Integer.MIN_VALUE;
    int anchors = 0;
    int previousFrame = -1;
    for (int q = queries.nextSetBit(0); q >= 0; q = queries.nextSetBit(q + 1)) {
      int f = postings.queryFrames[q];
      if (f != previousFrame) {
        anchors++; // query hashes come in frame order, so equal frames are adjacent
        previousFrame = f;
      }
      first = Math.min(first, f);
      last = Math.max(last, f);
      secondsHit.set(Math.min(seconds - 1, (int) (f / framesPerSecond)));
    }
    return new Candidate(trackId, delta, queries.cardinality(), anchors, first, last,
        (double) secondsHit.cardinality() / seconds, runnerUp);
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
  }
}
