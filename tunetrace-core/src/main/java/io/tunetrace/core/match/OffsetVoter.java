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
   * What voting found: the verified leading candidates, best first (one per track, at its best
   * alignment by votes), the next best alignments of those tracks ({@code alternatives}, at most
   * {@link #ALIGNMENTS} − 1 per track, the best in a variant when the track's best is the clip as
   * it is, and a time-stretched one when it gathers more of the clip's
   * own postings, for the peak check to choose from; empty once checked), and what the query cast
   * (the distinct hashes looked up and the postings that voted).
   */
  public record Votes(List<Candidate> candidates, List<Candidate> alternatives, int lookedUp,
      long postings) {
    public Votes {
      candidates = List.copyOf(candidates);
      alternatives = List.copyOf(alternatives);
    }

    /** Votes without other alignments of the candidates' tracks. */
    public Votes(List<Candidate> candidates, int lookedUp, long postings) {
      this(candidates, List.of(), lookedUp, postings);
    }
  }

  /**
   * Alignments of each leading track handed to the peak check: its best by votes and up to two
   * more ({@link Votes#alternatives}). In heavy noise a clip's few agreeing pairs can pile up at a
   * wrong alignment of the right track by chance, while its right alignment, a few votes behind,
   * agrees far better peak by peak. Chosen on the tune music (docs/MATCHING.md §1b): with 3
   * instead of 1, 439 of 450 wesnoth noise clips named (the same), 190 of 200 harder ones (189),
   * 433 of 462 warzone clips (429), with no more unknown clips accepted; 2 and 5 did no better.
   */
  static final int ALIGNMENTS = 3;

  /** Another alignment of a track within this many frames of one already taken is that one. */
  private static final int ALIGNMENT_NEAR = 8;

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
    // The entries made so far: the clip's own, and the variants' only if they are made already.
    int n = query.size;
    if (n == 0 && !query.hasVariants()) {
      return new Votes(List.of(), 0, 0);
    }
    Distinct d = Distinct.of(query);
    int[] unique = d.unique();
    int[] rangeStart = d.rangeStart();
    int[] entryOrder = d.entryOrder();
    int uniqueCount = d.count();
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
          ownLookedUp, null).votes();
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
    if (!query.hasVariants()) {
      return count(query, postings, tolerance, maxCandidates, framesPerSecond, ownLookedUp, null)
          .votes();
    }
    Counted ownCount = null;
    if (ownSuffices != null) {
      ownCount = count(query, postings, tolerance, maxCandidates, framesPerSecond, ownLookedUp,
          null);
      if (ownSuffices.test(ownCount.votes())) {
        return ownCount.votes();
      }
    }
    // Only now are the variants' entries made (most clips that match never need them); the
    // clip's own keep their places, so the postings read so far stay valid.
    QueryHashes all = query.withVariants();
    Distinct e = all == query ? d : Distinct.of(all);
    // The clip's own hashes are looked up with the full cap; the variants' with a lower one: they
    // are many, and a common hash in a variant mostly adds chance votes.
    boolean[] others = made(all, e.count(), e.rangeStart(), e.entryOrder(), false);
    int variantLookedUp = lookup(index, all, e.unique(), e.rangeStart(), e.entryOrder(), false,
        variantMaxPostingsPerHash, postings, others, null);
    // The own postings were counted above: only the variants' are, and the two merged.
    return count(all, postings, tolerance, maxCandidates, framesPerSecond,
        ownLookedUp + variantLookedUp, ownCount).votes();
  }

  /**
   * The distinct hashes of a query's entries, ascending ({@code unique[0, count)}), each with its
   * run {@code [rangeStart[k], rangeStart[k + 1])} of {@code entryOrder}: the entries holding it,
   * in entry order.
   */
  private record Distinct(int[] unique, int[] rangeStart, int[] entryOrder, int count) {
    static Distinct of(QueryHashes query) {
      int n = query.size;
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
      int[] entryOrder = new int[n];
      for (int i = 0; i < n; i++) {
        entryOrder[i] = (int) sorted[i];
      }
      return new Distinct(unique, rangeStart, entryOrder, u);
    }
  }

  /** A count's votes, and the per-track best alignments they were chosen from. */
  private record Counted(Votes votes, Bests bests, int counted) {}

  /**
   * The best alignment of each track with at least two pooled votes in a run of postings, in
   * ascending track id: its pooled votes and its packed (variant, delta).
   */
  record Bests(int[] trackIds, int[] votes, int[] keys) {
    static final Bests NONE = new Bests(new int[0], new int[0], new int[0]);

    int size() {
      return trackIds.length;
    }

    /**
     * Each track's better best of {@code a} and {@code b}, where every alignment of {@code a}
     * sorts before every alignment of {@code b} (the clip's own before the variants'): a tie
     * keeps {@code a}'s, as counting both runs together would.
     */
    static Bests merge(Bests a, Bests b) {
      int n = a.size() + b.size();
      int[] ids = new int[n];
      int[] votes = new int[n];
      int[] keys = new int[n];
      int i = 0;
      int j = 0;
      int k = 0;
      while (i < a.size() || j < b.size()) {
        int idA = i < a.size() ? a.trackIds[i] : Integer.MAX_VALUE;
        int idB = j < b.size() ? b.trackIds[j] : Integer.MAX_VALUE;
        if (j >= b.size() || (i < a.size() && idA < idB)) {
          ids[k] = idA;
          votes[k] = a.votes[i];
          keys[k++] = a.keys[i++];
        } else if (i >= a.size() || idB < idA) {
          ids[k] = idB;
          votes[k] = b.votes[j];
          keys[k++] = b.keys[j++];
        } else {
          boolean takeB = b.votes[j] > a.votes[i];
          ids[k] = idA;
          votes[k] = takeB ? b.votes[j] : a.votes[i];
          keys[k++] = takeB ? b.keys[j] : a.keys[i];
          i++;
          j++;
        }
      }
      return new Bests(Arrays.copyOf(ids, k), Arrays.copyOf(votes, k), Arrays.copyOf(keys, k));
    }
  }

  /**
   * Counts the postings' votes per alignment and verifies the leading tracks' best alignments.
   *
   * <p>No hash table: the postings are grouped by track (a counting sort over the tracks that got
   * any), each track's packed (variant, delta) alignments are sorted, and one sliding window per
   * track pools the votes within ±tolerance of each alignment. A track's best alignment is the
   * first (lowest variant, then lowest delta) of those with the most pooled votes.
   *
   * @param prior when not null, the count of the postings before {@code prior.counted()}, all of
   *     the clip as it is: only the later ones (the variants') are counted, and merged with it
   */
  private static Counted count(QueryHashes query, Postings postings, int tolerance,
      int maxCandidates, double framesPerSecond, int lookedUp, Counted prior) {
    int size = postings.size;
    if (size == 0) {
      return new Counted(new Votes(List.of(), lookedUp, 0), Bests.NONE, 0);
    }
    List<Variant> variants = query.variantList;
    int[] variantTolerance = new int[variants.size()];
    for (int v = 0; v < variantTolerance.length; v++) {
      variantTolerance[v] = tolerance + (variants.get(v).timeScale() == 1.0 ? 0 : 1);
    }
    int from = prior == null ? 0 : prior.counted();
    Bests counted = bests(query, postings, from, size, variantTolerance);
    Bests bests = prior == null ? counted : Bests.merge(prior.bests(), counted);
    long[] ranked = new long[bests.size()];
    for (int t = 0; t < ranked.length; t++) {
      ranked[t] = ((long) bests.votes[t] << 32) | bests.trackIds[t];
    }
    Arrays.sort(ranked);
    int queryFrameCount = Math.max(1, query.queryFrameCount);
    int seconds = Math.max(1, (int) Math.ceil(queryFrameCount / framesPerSecond));
    int chosen = 0;
    int[] trackIds = new int[maxCandidates];
    int[] chosenKey = new int[maxCandidates];
    int maxId = 0;
    int[] chosenVotes = new int[maxCandidates];
    for (int i = ranked.length - 1; i >= 0 && chosen < maxCandidates; i--) {
      int trackId = (int) ranked[i];
      chosenVotes[chosen] = (int) (ranked[i] >>> 32);
      trackIds[chosen] = trackId;
      chosenKey[chosen] = bests.keys[Arrays.binarySearch(bests.trackIds, trackId)];
      maxId = Math.max(maxId, trackId);
      chosen++;
    }
    // Which postings agree with a chosen alignment: a bit per track id screens out the others.
    long[] isChosen = new long[(maxId >>> 6) + 1];
    for (int c = 0; c < chosen; c++) {
      isChosen[trackIds[c] >>> 6] |= 1L << trackIds[c];
    }
    // Each chosen track's postings (by index) and their packed alignments, read in one pass: the
    // alignments worth a peak check are found among them, and their agreeing entries counted.
    int[][] keys = new int[chosen][16];
    int[][] held = new int[chosen][16]; // which postings each chosen track holds
    int[] keyCount = new int[chosen];
    for (int i = 0; i < size; i++) {
      int c = chosenIndex(postings.tracks[i], isChosen, trackIds);
      if (c < 0) {
        continue;
      }
      if (keyCount[c] == keys[c].length) {
        keys[c] = Arrays.copyOf(keys[c], keyCount[c] * 2);
        held[c] = Arrays.copyOf(held[c], keyCount[c] * 2);
      }
      held[c][keyCount[c]] = i;
      keys[c][keyCount[c]++] = pack(query.variants[postings.entries[i]], postings.deltas[i]);
    }
    List<Candidate> out = new ArrayList<>();
    List<Candidate> others = new ArrayList<>();
    for (int c = 0; c < chosen; c++) {
      int best = chosenKey[c];
      int[] next = otherAlignments(keys[c], keyCount[c], best, variantTolerance);
      // A time-stretched alignment of the clip's own postings, verified after the others.
      int stretched = stretchedAlignment(query, postings, held[c], keyCount[c], best,
          chosenVotes[c], variantTolerance);
      int plain = next.length + 1;
      int[] alignments = new int[plain + (stretched == NONE ? 0 : 1)];
      alignments[0] = best;
      System.arraycopy(next, 0, alignments, 1, next.length);
      if (stretched != NONE) {
        alignments[plain] = stretched;
      }
      BitSet[] agreeing = new BitSet[alignments.length];
      for (int a = 0; a < alignments.length; a++) {
        agreeing[a] = new BitSet();
      }
      for (int h = 0; h < keyCount[c]; h++) {
        int i = held[c][h];
        int j = postings.entries[i];
        int v = query.variants[j];
        for (int a = 0; a < plain; a++) {
          int k = alignments[a];
          if (v == k >>> 25
              && Math.abs(postings.deltas[i] - unpackDelta(k)) <= variantTolerance[v]) {
            agreeing[a].set(j);
          }
        }
        if (stretched != NONE && v == 0) {
          int w = stretched >>> 25;
          if (Math.abs(stretchedDelta(query, postings, i, w) - unpackDelta(stretched))
              <= variantTolerance[w]) {
            agreeing[plain].set(j);
          }
        }
      }
      for (int a = 0; a < alignments.length; a++) {
        int k = alignments[a];
        (a == 0 ? out : others).add(verify(query, agreeing[a], trackIds[c], k >>> 25,
            unpackDelta(k), framesPerSecond, seconds));
      }
    }
    out.sort(Comparator.comparingInt(Candidate::confidence).reversed());
    return new Counted(new Votes(out, others, lookedUp, postings.size), bests, size);
  }

  /** No alignment. */
  private static final int NONE = -1;

  /**
   * How many more votes than a track's best alignment a stretched one needs to be offered: a
   * real tempo change gathers several times the slice its best alignment holds, while the best of
   * fourteen slopes through chance postings gains one or two.
   */
  static final int STRETCH_GAIN = 3;

  /**
   * The clip's own postings among a chosen track's ({@code held[0, heldCount)}) voted again as if
   * the clip were time-stretched (each variant that changes the time only, {@link Variant#tempo}):
   * a clip played a few percent faster or slower with its pitch kept still shares many hashes
   * with the track (a pair's frequencies are unchanged and its time step changes by less than a
   * frame), but their alignment drifts along the clip, so no one alignment of the clip as it is
   * gathers them. The stretched alignment with the most pooled votes, packed (variant, delta), if
   * it has at least {@link #STRETCH_GAIN} more than {@code votes} (those of the track's best
   * alignment, {@code bestKey}), and there are at least twice as many own postings within the
   * drift as that; else {@link #NONE}. This finds tempo changes where the variants'
   * own hashes are too common to be searched (a large library, docs/SCALE.md).
   */
  private static int stretchedAlignment(QueryHashes query, Postings postings, int[] held,
      int heldCount, int bestKey, int votes, int[] variantTolerance) {
    if (bestKey >>> 25 != 0) {
      return NONE; // found in a variant already: its hashes were searched
    }
    // A stretched alignment passes through the track's best one (its slice of the clip), so only
    // the own postings within the drift of the largest stretch can be on it.
    List<Variant> variants = query.variantList;
    double stretch = 0;
    for (Variant v : variants) {
      if (v.freqScale() == 1.0) {
        stretch = Math.max(stretch, Math.abs(v.timeScale() - 1));
      }
    }
    int drift = (int) Math.ceil(stretch * query.queryFrameCount) + 2 * variantTolerance[0] + 2;
    int delta = unpackDelta(bestKey);
    int[] near = new int[heldCount];
    int n = 0;
    for (int h = 0; h < heldCount; h++) {
      int i = held[h];
      if (query.variants[postings.entries[i]] == 0
          && Math.abs(postings.deltas[i] - delta) <= drift) {
        near[n++] = i;
      }
    }
    if (n < votes + STRETCH_GAIN || n < 2 * votes) {
      return NONE; // no stretched alignment can gather enough more
    }
    int[] keys = new int[n];
    int[] cellKeys = new int[n];
    int[] cellVotes = new int[n];
    int best = NONE;
    int bestVotes = votes + STRETCH_GAIN - 1;
    for (int w = 1; w < variants.size(); w++) {
      Variant variant = variants.get(w);
      if (variant.freqScale() != 1.0 || variant.timeScale() == 1.0) {
        continue;
      }
      for (int k = 0; k < n; k++) {
        keys[k] = pack(w, stretchedDelta(query, postings, near[k], w));
      }
      Arrays.sort(keys, 0, n);
      int cells = pool(keys, 0, n, variantTolerance, cellKeys, cellVotes);
      for (int c = 0; c < cells; c++) {
        if (cellVotes[c] > bestVotes) {
          bestVotes = cellVotes[c];
          best = cellKeys[c];
        }
      }
    }
    return best;
  }

  /**
   * The alignment of posting {@code i} (of the clip as it is) if the clip were played at variant
   * {@code w}'s time scale: the reference frame less the query frame moved as {@link QueryHashes}
   * moves the variant's peaks.
   */
  private static int stretchedDelta(QueryHashes query, Postings postings, int i, int w) {
    int j = postings.entries[i];
    int q = query.queryFrames[j];
    int refFrame = postings.deltas[i] + query.refFrames[j];
    return refFrame - (int) Math.round(q * query.variantList.get(w).timeScale());
  }

  /**
   * Where {@code track} is among the chosen {@code trackIds}, or −1: {@code isChosen} has a bit
   * per chosen id (up to the highest), so most postings are screened out by one test.
   */
  private static int chosenIndex(int track, long[] isChosen, int[] trackIds) {
    if (track < 0 || (track >>> 6) >= isChosen.length
        || (isChosen[track >>> 6] & (1L << track)) == 0) {
      return -1;
    }
    int c = 0;
    while (trackIds[c] != track) {
      c++;
    }
    return c;
  }

  /**
   * A track's next best alignments after its best (packed {@code bestKey}), by pooled votes (at
   * least two; a tie goes to the lower variant, then the lower delta), each more than {@link
   * #ALIGNMENT_NEAR} frames from every one taken: packed (variant, delta), at most {@link
   * #ALIGNMENTS} − 1. When the best is the clip as it is and none of those is in a variant, the
   * best alignment in a variant follows, wherever it lies: a clip played 1–4 % fast still shares
   * bass pairs with the track as it is (a bass peak moves by less than half a bin), whose votes
   * drift along the clip and can outnumber the right variant's; only its peak check, in the right
   * variant, tells (docs/MATCHING.md §1b). {@code keys[0, n)}: the track's packed alignments, one
   * per posting.
   */
  static int[] otherAlignments(int[] keys, int n, int bestKey, int[] variantTolerance) {
    Arrays.sort(keys, 0, n);
    int[] cellKeys = new int[n];
    int[] cellVotes = new int[n];
    int cells = pool(keys, 0, n, variantTolerance, cellKeys, cellVotes);
    long[] pooled = new long[cells];
    int m = 0;
    for (int c = 0; c < cells; c++) {
      if (cellVotes[c] >= 2) {
        // Most votes first, then the lowest key: sort descending on (votes, −key).
        pooled[m++] = ((long) cellVotes[c] << 32) | (0xFFFFFFFFL - (cellKeys[c] & 0xFFFFFFFFL));
      }
    }
    Arrays.sort(pooled, 0, m);
    int[] taken = new int[ALIGNMENTS];
    int t = 0;
    int delta = unpackDelta(bestKey);
    boolean inVariant = bestKey >>> 25 != 0;
    for (int i = m - 1; i >= 0 && t < ALIGNMENTS - 1; i--) {
      int k = (int) (0xFFFFFFFFL - (pooled[i] & 0xFFFFFFFFL));
      int d = unpackDelta(k);
      boolean near = Math.abs(d - delta) <= ALIGNMENT_NEAR;
      for (int j = 0; j < t && !near; j++) {
        near = Math.abs(d - unpackDelta(taken[j])) <= ALIGNMENT_NEAR;
      }
      if (!near) {
        taken[t++] = k;
        inVariant |= k >>> 25 != 0;
      }
    }
    for (int i = m - 1; i >= 0 && !inVariant; i--) {
      int k = (int) (0xFFFFFFFFL - (pooled[i] & 0xFFFFFFFFL));
      if (k >>> 25 != 0) {
        taken[t++] = k;
        inVariant = true;
      }
    }
    return Arrays.copyOf(taken, t);
  }

  /** The per-track best alignments of postings {@code from} to {@code to}. */
  private static Bests bests(QueryHashes query, Postings postings, int from, int to,
      int[] variantTolerance) {
    int size = to - from;
    if (size <= 0) {
      return Bests.NONE;
    }
    DenseTracks dense = DenseTracks.of(postings.tracks, from, to);
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
      packed[fill[dense.ofPosting[i]]++] = pack(query.variants[postings.entries[from + i]],
          postings.deltas[from + i]);
    }
    int cap = Math.min(trackCount, size / 2);
    int[] ids = new int[cap];
    int[] votes = new int[cap];
    int[] keys = new int[cap];
    int n = 0;
    int longest = 0;
    for (int t = 0; t < trackCount; t++) {
      longest = Math.max(longest, start[t + 1] - start[t]);
    }
    int[] cellKeys = new int[longest];
    int[] cellVotes = new int[longest];
    for (int t = 0; t < trackCount; t++) {
      int lo = start[t];
      int end = start[t + 1];
      if (end - lo < 2) {
        continue; // one vote cannot pool to the two a candidate needs
      }
      Arrays.sort(packed, lo, end);
      int cells = pool(packed, lo, end, variantTolerance, cellKeys, cellVotes);
      int best = 0;
      int bestKey = 0;
      for (int c = 0; c < cells; c++) {
        if (cellVotes[c] > best) {
          best = cellVotes[c];
          bestKey = cellKeys[c];
        }
      }
      if (best >= 2) {
        ids[n] = dense.trackIds[t];
        votes[n] = best;
        keys[n] = bestKey;
        n++;
      }
    }
    // Dense numbers ascend with the ids, so the bests come in ascending track id.
    return new Bests(Arrays.copyOf(ids, n), Arrays.copyOf(votes, n), Arrays.copyOf(keys, n));
  }

  /**
   * Pools the sorted packed alignments {@code keys[from, to)}: each distinct alignment gets the
   * votes within its variant's tolerance of it (a sliding window). Writes the distinct alignments
   * in ascending order to {@code cellKeys} and their pooled votes to {@code cellVotes}; returns
   * how many.
   */
  private static int pool(int[] keys, int from, int to, int[] variantTolerance, int[] cellKeys,
      int[] cellVotes) {
    int cells = 0;
    int lo = from;
    int hi = from;
    for (int p = from; p < to; ) {
      int k = keys[p];
      int q = p + 1;
      while (q < to && keys[q] == k) {
        q++;
      }
      int tol = variantTolerance[k >>> 25];
      while (keys[lo] < k - tol) {
        lo++;
      }
      if (hi < q) {
        hi = q;
      }
      while (hi < to && keys[hi] <= k + tol) {
        hi++;
      }
      cellKeys[cells] = k;
      cellVotes[cells++] = hi - lo;
      p = q;
    }
    return cells;
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
  static int pack(int variant, int delta) {
    return (variant << 25) | ((delta + DELTA_BIAS) & 0x1FFFFFF);
  }

  /** The delta of a packed (variant, delta); its variant is {@code key >>> 25}. */
  private static int unpackDelta(int key) {
    return (key & 0x1FFFFFF) - DELTA_BIAS;
  }

  /**
   * The tracks that got postings, numbered 0.. densely in ascending id: by id minus the lowest id
   * when the ids are close together (the usual case), through a hash table otherwise.
   */
  private static final class DenseTracks {
    /** Dense number of each posting's track. */
    final int[] ofPosting;
    /** Track id of each dense number. */
    final int[] trackIds;

    private DenseTracks(int[] ofPosting, int[] trackIds) {
      this.ofPosting = ofPosting;
      this.trackIds = trackIds;
    }

    /** Numbers the tracks of postings {@code from} to {@code to}; ofPosting[i - from]. */
    static DenseTracks of(int[] tracks, int from, int to) {
      int size = to - from;
      int min = Integer.MAX_VALUE;
      int max = Integer.MIN_VALUE;
      for (int i = from; i < to; i++) {
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
          ofPosting[i] = tracks[from + i] - min;
        }
        return new DenseTracks(ofPosting, ids);
      }
      LongIntMap byId = new LongIntMap(64);
      int[] ids = new int[64];
      int n = 0;
      for (int i = 0; i < size; i++) {
        int track = tracks[from + i];
        int d = byId.get(track) - 1;
        if (d < 0) {
          if (n == ids.length) {
            ids = Arrays.copyOf(ids, n * 2);
          }
          ids[n] = track;
          d = n++;
          byId.put(track, d + 1);
        }
        ofPosting[i] = d;
      }
      // Renumber in ascending id (the ids are distinct).
      int[] met = Arrays.copyOf(ids, n);
      int[] sorted = met.clone();
      Arrays.sort(sorted);
      int[] rank = new int[n];
      for (int d = 0; d < n; d++) {
        rank[d] = Arrays.binarySearch(sorted, met[d]);
      }
      for (int i = 0; i < size; i++) {
        ofPosting[i] = rank[ofPosting[i]];
      }
      return new DenseTracks(ofPosting, sorted);
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
