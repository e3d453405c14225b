package io.tunetrace.core.match;

import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.internal.LongIntMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Offset voting over every variant of the query at once: each distinct hash is looked up once, and
 * each of its postings votes for (variant, track, reference frame − scaled query frame) of every
 * query entry that made the hash. A true match piles its votes on one alignment; votes within
 * ±tolerance frames are pooled (frame jitter, and the drift left by the spacing of the variant grid).
 * The best alignment of each of the leading tracks is verified by counting distinct agreeing peak
 * pairs, moments and hash values, which the decision ({@link MatchDecision}) weighs.
 *
 * <p>Thread-safe (stateless).
 */
public final class OffsetVoter {
  private static final int DELTA_BIAS = 1 << 24;

  private OffsetVoter() {}

  /**
   * What voting found: the verified leading candidates, best first, and what the query cast (the
   * distinct hashes looked up and the postings that voted).
   */
  public record Votes(List<Candidate> candidates, int lookedUp, long postings) {
    public Votes {
      candidates = List.copyOf(candidates);
    }
  }

  /**
   * Votes for the query's alignments.
   *
   * @param maxPostingsPerHash hashes of the clip as it is with more postings are skipped
   * @param variantMaxPostingsPerHash the same for the hashes of the other variants
   * @param tolerance alignment jitter pooled for the identity variant, in frames (one more for
   *     time-scaled variants)
   * @param maxCandidates how many tracks to verify
   * @param framesPerSecond STFT frame rate, for the matched share
   */
  public static Votes vote(
      FingerprintIndex index,
      QueryHashes query,
      int maxPostingsPerHash,
      int variantMaxPostingsPerHash,
      int tolerance,
      int maxCandidates,
      double framesPerSecond) {
    return vote(index, query, maxPostingsPerHash, variantMaxPostingsPerHash, tolerance,
        maxCandidates, framesPerSecond, null);
  }

  /**
   * Votes in two steps: first with the clip's own hashes only; when {@code ownSuffices} accepts
   * what those found, that is the answer and the variants are never looked up; otherwise the
   * variants' hashes are looked up and added to the postings already read, and all are counted
   * again. Each distinct hash is looked up once either way.
   *
   * @param ownSuffices decides on the clip's own votes; {@code null} searches every variant at once
   */
  public static Votes vote(
      FingerprintIndex index,
      QueryHashes query,
      int maxPostingsPerHash,
      int variantMaxPostingsPerHash,
      int tolerance,
      int maxCandidates,
      double framesPerSecond,
      Predicate<Votes> ownSuffices) {
    int n = query.size;
    if (n == 0) {
      return new Votes(List.of(), 0, 0);
    }
    long[] sorted = new long[n];
    for (int j = 0; j < n; j++) {
      sorted[j] = ((long) query.hashes[j] << 32) | j;
    }
    Arrays.sort(sorted);
    int[] unique = new int[n];
    int[] rangeStart = new int[n + 1];
    int u = 0;
    for (int i = 0; i < n; i++) {
      int h = (int) (sorted[i] >>> 32);
      if (u == 0 || unique[u - 1] != h) {
        unique[u] = h;
        rangeStart[u] = i;
        u++;
      }
    }
    rangeStart[u] = n;
    int uniqueCount = u;
    int[] entryOrder = new int[n];
    for (int i = 0; i < n; i++) {
      entryOrder[i] = (int) sorted[i];
    }
    Postings postings = new Postings(Math.max(64, n * 2));
    // The clip's own hashes are looked up with the full cap; the variants' with a lower one: they
    // are many, and a common hash in a variant mostly adds chance votes.
    int ownLookedUp = lookup(index, query, unique, uniqueCount, rangeStart, entryOrder, true,
        maxPostingsPerHash, postings);
    if (query.identitySize == n) {
      return count(query, postings, tolerance, maxCandidates, framesPerSecond, ownLookedUp);
    }
    if (ownSuffices != null) {
      Votes own = count(query, postings, tolerance, maxCandidates, framesPerSecond, ownLookedUp);
      if (ownSuffices.test(own)) {
        return own;
      }
    }
    int variantLookedUp = lookup(index, query, unique, uniqueCount, rangeStart, entryOrder, false,
        variantMaxPostingsPerHash, postings);
    return count(query, postings, tolerance, maxCandidates, framesPerSecond,
        ownLookedUp + variantLookedUp);
  }

  /** Counts the postings' votes per alignment and verifies the leading track's best alignments. */
  private static Votes count(QueryHashes query, Postings postings, int tolerance,
      int maxCandidates, double framesPerSecond, int lookedUp) {
    if (postings.size == 0) {
      return new Votes(List.of(), lookedUp, 0);
    }
    LongIntMap votes = new LongIntMap(postings.size);
    for (int i = 0; i < postings.size; i++) {
      votes.add(key(postings.tracks[i], query.variants[postings.entries[i]], postings.deltas[i]), 1);
    }
    List<Variant> variants = query.variantList;
    LongIntMap bestScore = new LongIntMap(64);
    LongIntMap bestKey = new LongIntMap(64);
    votes.forEach((k, count) -> {
      int trackId = (int) (k >>> 32);
      int variant = (int) ((k >>> 25) & 0x7F);
      int delta = (int) (k & 0x1FFFFFF) - DELTA_BIAS;
      if (count < 2 && bestScore.get(trackId) >= 2) {
        return; // a lone vote cannot beat a pooled alignment that already holds two
      }
      int tol = tolerance + (variants.get(variant).timeScale() == 1.0 ? 0 : 1);
      int pooled = count;
      for (int d = delta - tol; d <= delta + tol; d++) {
        if (d != delta) {
          pooled += votes.get(key(trackId, variant, d));
        }
      }
      if (pooled > bestScore.get(trackId)) {
        bestScore.put(trackId, pooled);
        bestKey.put(trackId, (variant << 25) | (delta + DELTA_BIAS));
      }
    });
    long[] ranked = new long[bestScore.size()];
    int[] r = {0};
    bestScore.forEach((trackId, score) -> ranked[r[0]++] = ((long) score << 32) | trackId);
    Arrays.sort(ranked);
    int queryFrameCount = Math.max(1, query.queryFrameCount);
    int seconds = Math.max(1, (int) Math.ceil(queryFrameCount / framesPerSecond));
    int chosen = 0;
    int[] trackIds = new int[maxCandidates];
    int[] chosenVariant = new int[maxCandidates];
    int[] chosenDelta = new int[maxCandidates];
    int[] chosenTolerance = new int[maxCandidates];
    LongIntMap slot = new LongIntMap(maxCandidates * 2);
    for (int i = ranked.length - 1; i >= 0 && chosen < maxCandidates; i--) {
      int trackId = (int) ranked[i];
      int pooled = (int) (ranked[i] >>> 32);
      if (pooled < 2) {
        break;
      }
      int packed = bestKey.get(trackId);
      trackIds[chosen] = trackId;
      chosenVariant[chosen] = packed >>> 25;
      chosenDelta[chosen] = (packed & 0x1FFFFFF) - DELTA_BIAS;
      chosenTolerance[chosen] = tolerance
          + (variants.get(chosenVariant[chosen]).timeScale() == 1.0 ? 0 : 1);
      slot.put(trackId, chosen + 1);
      chosen++;
    }
    BitSet[] agreeing = new BitSet[chosen];
    for (int c = 0; c < chosen; c++) {
      agreeing[c] = new BitSet();
    }
    for (int i = 0; i < postings.size; i++) {
      int c = slot.get(postings.tracks[i]) - 1;
      if (c >= 0) {
        int j = postings.entries[i];
        if (query.variants[j] == chosenVariant[c]
            && Math.abs(postings.deltas[i] - chosenDelta[c]) <= chosenTolerance[c]) {
          agreeing[c].set(j);
        }
      }
    }
    List<Candidate> out = new ArrayList<>();
    for (int c = 0; c < chosen; c++) {
      out.add(verify(query, agreeing[c], trackIds[c], chosenVariant[c], chosenDelta[c],
          framesPerSecond, seconds));
    }
    out.sort(Comparator.comparingInt(Candidate::confidence).reversed());
    return new Votes(out, lookedUp, postings.size);
  }

  /**
   * Looks up the distinct hashes made by the clip as it is ({@code identity}) or by the other
   * variants, and adds a posting per (entry of those variants, posting of its hash).
   */
  private static int lookup(FingerprintIndex index, QueryHashes query, int[] unique,
      int uniqueCount, int[] rangeStart, int[] entryOrder, boolean identity,
      int maxPostingsPerHash, Postings postings) {
    int[] hashes = new int[uniqueCount];
    int[] uniqueIndex = new int[uniqueCount];
    int m = 0;
    for (int k = 0; k < uniqueCount; k++) {
      for (int i = rangeStart[k]; i < rangeStart[k + 1]; i++) {
        if ((query.variants[entryOrder[i]] == 0) == identity) {
          uniqueIndex[m] = k;
          hashes[m++] = unique[k];
          break;
        }
      }
    }
    index.lookup(Arrays.copyOf(hashes, m), maxPostingsPerHash, (q, trackId, frame) -> {
      int k = uniqueIndex[q];
      for (int i = rangeStart[k]; i < rangeStart[k + 1]; i++) {
        int j = entryOrder[i];
        if ((query.variants[j] == 0) == identity) {
          postings.add(j, trackId, frame - query.refFrames[j]);
        }
      }
    });
    return m;
  }

  private static Candidate verify(
      QueryHashes query,
      BitSet entries,
      int trackId,
      int variant,
      int delta,
      double framesPerSecond,
      int seconds) {
    int count = entries.cardinality();
    long[] pairs = new long[count];
    int[] frames = new int[count];
    int[] hashes = new int[count];
    BitSet secondsHit = new BitSet(seconds);
    int first = Integer.MAX_VALUE;
    int last = Integer.MIN_VALUE;
    int k = 0;
    for (int j = entries.nextSetBit(0); j >= 0; j = entries.nextSetBit(j + 1)) {
      int f = query.queryFrames[j];
      pairs[k] = query.pairs[j];
      frames[k] = f;
      hashes[k] = query.hashes[j];
      k++;
      first = Math.min(first, f);
      last = Math.max(last, f);
      secondsHit.set(Math.min(seconds - 1, (int) (f / framesPerSecond)));
    }
    return new Candidate(trackId, query.variantList.get(variant), delta, count,
        distinct(frames), distinct(hashes), first, last,
        (double) secondsHit.cardinality() / seconds, pairs);
  }

  private static int distinct(int[] values) {
    int[] v = values.clone();
    Arrays.sort(v);
    int d = 0;
    for (int i = 0; i < v.length; i++) {
      if (i == 0 || v[i] != v[i - 1]) {
        d++;
      }
    }
    return d;
  }

  private static long key(int trackId, int variant, int delta) {
    return ((long) trackId << 32) | ((long) variant << 25) | ((delta + DELTA_BIAS) & 0x1FFFFFFL);
  }

  /** Parallel arrays of (query entry, track, delta). */
  private static final class Postings {
    int[] entries;
    int[] tracks;
    int[] deltas;
    int size;

    Postings(int capacity) {
      entries = new int[capacity];
      tracks = new int[capacity];
      deltas = new int[capacity];
    }

    void add(int entry, int track, int delta) {
      if (size == entries.length) {
        entries = Arrays.copyOf(entries, size * 2);
        tracks = Arrays.copyOf(tracks, size * 2);
        deltas = Arrays.copyOf(deltas, size * 2);
      }
      entries[size] = entry;
      tracks[size] = track;
      deltas[size] = delta;
      size++;
    }
  }
}
