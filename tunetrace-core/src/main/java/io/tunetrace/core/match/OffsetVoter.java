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
   * Votes in steps: first with the clip's own rare hashes (at most {@link #rareCap} postings
   * each); when {@code ownSuffices} accepts what those found, that is the answer; otherwise the
   * clip's other own hashes (up to {@code maxPostingsPerHash} postings) are added and
   * {@code ownSuffices} asked again; only then are the variants' hashes looked up and added to the
   * postings already read, and all are counted again. A true match gets one vote per agreeing hash
   * whether the hash is rare or common, while chance votes grow with the postings read, so a clip
   * that matches beyond doubt mostly does so on its rare hashes, for a fraction of the postings.
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
    boolean[] own = made(query, uniqueCount, rangeStart, entryOrder, true);
    int ownLookedUp = 0;
    for (boolean o : own) {
      ownLookedUp += o ? 1 : 0;
    }
    int rare = rareCap(maxPostingsPerHash);
    if (ownSuffices != null && rare < maxPostingsPerHash) {
      boolean[] found = new boolean[uniqueCount];
      lookup(index, query, unique, rangeStart, entryOrder, true, rare, postings, own, found);
      Votes rareVotes = count(query, postings, tolerance, maxCandidates, framesPerSecond,
          ownLookedUp);
      if (ownSuffices.test(rareVotes)) {
        return rareVotes;
      }
      // The own hashes that gave nothing are the common ones (and those absent from the index).
      boolean[] common = new boolean[uniqueCount];
      for (int k = 0; k < uniqueCount; k++) {
        common[k] = own[k] && !found[k];
      }
      lookup(index, query, unique, rangeStart, entryOrder, true, maxPostingsPerHash, postings,
          common, null);
    } else {
      lookup(index, query, unique, rangeStart, entryOrder, true, maxPostingsPerHash, postings,
          own, null);
    }
    if (query.identitySize == n) {
      return count(query, postings, tolerance, maxCandidates, framesPerSecond, ownLookedUp);
    }
    if (ownSuffices != null) {
      Votes ownVotes = count(query, postings, tolerance, maxCandidates, framesPerSecond,
          ownLookedUp);
      if (ownSuffices.test(ownVotes)) {
        return ownVotes;
      }
    }
    // The clip's own hashes are looked up with the full cap; the variants' with a lower one: they
    // are many, and a common hash in a variant mostly adds chance votes.
    boolean[] others = made(query, uniqueCount, rangeStart, entryOrder, false);
    int variantLookedUp = lookup(index, query, unique, rangeStart, entryOrder, false,
        variantMaxPostingsPerHash, postings, others, null);
    return count(query, postings, tolerance, maxCandidates, framesPerSecond,
        ownLookedUp + variantLookedUp);
  }

  /**
   * Counts the postings' votes per alignment and verifies the leading track's best alignments.
   *
   * <p>No hash table: the postings are grouped by track (a counting sort over the tracks that got
   * any), each track's packed (variant, delta) alignments are sorted, and one sliding window per
   * track pools the votes within ±tolerance of each alignment. A track's best alignment is the
   * first (lowest variant, then lowest delta) of those with the most pooled votes.
   */
  private static Votes count(QueryHashes query, Postings postings, int tolerance,
      int maxCandidates, double framesPerSecond, int lookedUp) {
    int size = postings.size;
    if (size == 0) {
      return new Votes(List.of(), lookedUp, 0);
    }
    DenseTracks dense = DenseTracks.of(postings.tracks, size);
    int trackCount = dense.trackIds.length;
    int[] start = new int[trackCount + 1];
    for (int i = 0; i < size; i++) {
      start[dense.ofPosting[i] + 1]++;
    }
    for (int t = 0; t < trackCount; t++) {
      start[t + 1] += start[t];
    }
    int[] fill = Arrays.copyOf(start, trackCount);
    int[] packed = new int[size];
    for (int i = 0; i < size; i++) {
      packed[fill[dense.ofPosting[i]]++] = pack(query.variants[postings.entries[i]],
          postings.deltas[i]);
    }
    List<Variant> variants = query.variantList;
    int[] variantTolerance = new int[variants.size()];
    for (int v = 0; v < variantTolerance.length; v++) {
      variantTolerance[v] = tolerance + (variants.get(v).timeScale() == 1.0 ? 0 : 1);
    }
    int[] bestKey = new int[trackCount];
    long[] ranked = new long[trackCount];
    int rankedCount = 0;
    for (int t = 0; t < trackCount; t++) {
      int from = start[t];
      int to = start[t + 1];
      if (to - from < 2) {
        continue; // one vote cannot pool to the two a candidate needs
      }
      Arrays.sort(packed, from, to);
      int best = 0;
      int lo = from;
      int hi = from;
      for (int p = from; p < to; ) {
        int k = packed[p];
        int q = p + 1;
        while (q < to && packed[q] == k) {
          q++;
        }
        int tol = variantTolerance[k >>> 25];
        while (packed[lo] < k - tol) {
          lo++;
        }
        if (hi < q) {
          hi = q;
        }
        while (hi < to && packed[hi] <= k + tol) {
          hi++;
        }
        if (hi - lo > best) {
          best = hi - lo;
          bestKey[t] = k;
        }
        p = q;
      }
      if (best >= 2) {
        ranked[rankedCount++] = ((long) best << 32) | dense.trackIds[t];
      }
    }
    Arrays.sort(ranked, 0, rankedCount);
    int queryFrameCount = Math.max(1, query.queryFrameCount);
    int seconds = Math.max(1, (int) Math.ceil(queryFrameCount / framesPerSecond));
    int chosen = 0;
    int[] trackIds = new int[maxCandidates];
    int[] chosenVariant = new int[maxCandidates];
    int[] chosenDelta = new int[maxCandidates];
    int[] chosenTolerance = new int[maxCandidates];
    int[] slot = new int[trackCount];
    for (int i = rankedCount - 1; i >= 0 && chosen < maxCandidates; i--) {
      int trackId = (int) ranked[i];
      int t = dense.denseOf(trackId);
      int k = bestKey[t];
      trackIds[chosen] = trackId;
      chosenVariant[chosen] = k >>> 25;
      chosenDelta[chosen] = (k & 0x1FFFFFF) - DELTA_BIAS;
      chosenTolerance[chosen] = variantTolerance[chosenVariant[chosen]];
      slot[t] = chosen + 1;
      chosen++;
    }
    BitSet[] agreeing = new BitSet[chosen];
    for (int c = 0; c < chosen; c++) {
      agreeing[c] = new BitSet();
    }
    for (int i = 0; i < size; i++) {
      int c = slot[dense.ofPosting[i]] - 1;
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
   * The posting cap of the first, rare-hash step of {@link #vote}: an eighth of the full cap (250
   * of 2,000). At 100 h nearly every hash of a clip is below it and the step changes little; as
   * the library grows the postings per hash grow with it, and the step leaves out the common
   * hashes, which carry most of the postings, for the clips it answers (docs/SCALE.md).
   */
  static int rareCap(int maxPostingsPerHash) {
    return Math.max(1, maxPostingsPerHash / 8);
  }

  /**
   * Which distinct hashes are made by the clip as it is ({@code identity}, variant 0) or by the
   * other variants.
   */
  private static boolean[] made(QueryHashes query, int uniqueCount, int[] rangeStart,
      int[] entryOrder, boolean identity) {
    boolean[] made = new boolean[uniqueCount];
    for (int k = 0; k < uniqueCount; k++) {
      for (int i = rangeStart[k]; i < rangeStart[k + 1]; i++) {
        if ((query.variants[entryOrder[i]] == 0) == identity) {
          made[k] = true;
          break;
        }
      }
    }
    return made;
  }

  /**
   * Looks up the distinct hashes in {@code wanted} and adds a posting per (entry of the clip as
   * it is, if {@code identity}, else of the other variants; posting of its hash).
   *
   * @param found if not null, set for each distinct hash that gave a posting
   * @return how many distinct hashes were looked up
   */
  private static int lookup(FingerprintIndex index, QueryHashes query, int[] unique,
      int[] rangeStart, int[] entryOrder, boolean identity, int maxPostingsPerHash,
      Postings postings, boolean[] wanted, boolean[] found) {
    int[] hashes = new int[wanted.length];
    int[] uniqueIndex = new int[wanted.length];
    int m = 0;
    for (int k = 0; k < wanted.length; k++) {
      if (wanted[k]) {
        uniqueIndex[m] = k;
        hashes[m++] = unique[k];
      }
    }
    index.lookup(Arrays.copyOf(hashes, m), maxPostingsPerHash, (q, trackId, frame) -> {
      int k = uniqueIndex[q];
      if (found != null) {
        found[k] = true;
      }
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

  /** (variant, delta) in one int that sorts by variant, then delta. */
  private static int pack(int variant, int delta) {
    return (variant << 25) | ((delta + DELTA_BIAS) & 0x1FFFFFF);
  }

  /**
   * The tracks that got postings, numbered 0.. densely: by id minus the lowest id when the ids are
   * close together (the usual case), through a hash table otherwise.
   */
  private static final class DenseTracks {
    /** Dense number of each posting's track. */
    final int[] ofPosting;
    /** Track id of each dense number. */
    final int[] trackIds;
    private final int minTrack;
    private final LongIntMap byId;

    private DenseTracks(int[] ofPosting, int[] trackIds, int minTrack, LongIntMap byId) {
      this.ofPosting = ofPosting;
      this.trackIds = trackIds;
      this.minTrack = minTrack;
      this.byId = byId;
    }

    static DenseTracks of(int[] tracks, int size) {
      int min = Integer.MAX_VALUE;
      int max = Integer.MIN_VALUE;
      for (int i = 0; i < size; i++) {
        min = Math.min(min, tracks[i]);
        max = Math.max(max, tracks[i]);
      }
      int[] ofPosting = new int[size];
      long range = (long) max - min + 1;
      if (range <= 4L * size + 65536) {
        int[] ids = new int[(int) range];
        for (int t = 0; t < ids.length; t++) {
          ids[t] = min + t;
        }
        for (int i = 0; i < size; i++) {
          ofPosting[i] = tracks[i] - min;
        }
        return new DenseTracks(ofPosting, ids, min, null);
      }
      LongIntMap byId = new LongIntMap(64);
      int[] ids = new int[64];
      int n = 0;
      for (int i = 0; i < size; i++) {
        int d = byId.get(tracks[i]) - 1;
        if (d < 0) {
          if (n == ids.length) {
            ids = Arrays.copyOf(ids, n * 2);
          }
          ids[n] = tracks[i];
          d = n++;
          byId.put(tracks[i], d + 1);
        }
        ofPosting[i] = d;
      }
      return new DenseTracks(ofPosting, Arrays.copyOf(ids, n), min, byId);
    }

    int denseOf(int trackId) {
      return byId == null ? trackId - minTrack : byId.get(trackId) - 1;
    }
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
