package io.tunetrace.core.match;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.Match;
import io.tunetrace.core.MatchResult;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.SameRecording;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.Track;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/**
 * Finds the indexed tracks that hold the same audio as a whole file: another encoding or tagging of
 * the recording, or a compilation or mix that contains it (or that it contains).
 *
 * <p>The rule: the file's fingerprints (made at the index's own density) are cut into windows of
 * {@link #WINDOW_MILLIS} (a tail shorter than half a window joins the last one), and each window is
 * recognized on its own with {@link Recognizer#recognizeCopies}: from one hash value in {@link
 * #HASHES_ONE_IN}, and of those the rare ones only. A track holds the same audio when at least two
 * windows find it at one alignment (within {@link #ALIGNMENT_TOLERANCE_MILLIS}), or the only window
 * when the file has just one. One window alone can be a coincidence in a large library; two that
 * agree on the track and the alignment are not.
 *
 * <p>Thread-safe when its index is (every {@link FingerprintIndex} is).
 */
public final class SameAudioFinder {
  /** Length of the windows a file is recognized in. */
  public static final long WINDOW_MILLIS = 10_000;

  /** How far the alignments of two windows may differ and still count as one. */
  public static final long ALIGNMENT_TOLERANCE_MILLIS = 100;

  /**
   * One hash value in this many is searched in each window ({@link QueryHashes#of(Fingerprints,
   * int)}): another copy of the same audio shares nearly every hash, so a quarter of them still
   * gives it far more votes than the decision needs, for a quarter of the lookups.
   */
  public static final int HASHES_ONE_IN = 4;

  /** Results asked of each window: the file itself, its copies and the compilations holding it. */
  private static final int MIN_RESULTS = 20;

  private final Recognizer recognizer;
  private final FingerprintParams params;

  /**
   * @param policy the search and acceptance policy of each window; at least {@value #MIN_RESULTS}
   *     results are asked for, so that several copies are all found
   */
  public SameAudioFinder(FingerprintIndex index, MatchPolicy policy) {
    if (index == null || policy == null) {
      throw new IllegalArgumentException("index and policy are required");
    }
    this.recognizer =
        new Recognizer(index, policy.withMaxResults(Math.max(MIN_RESULTS, policy.maxResults())));
    this.params = index.params();
  }

  /**
   * The indexed tracks holding the same audio as {@code audio}, most windows first, then by where
   * the shared stretch starts in {@code audio}. A track that shares several stretches at different
   * alignments (a mix that plays it twice) appears once per stretch.
   *
   * @param audio fingerprints of a whole file at the index's density ({@code
   *     Fingerprinter.fingerprint(PcmSource)})
   * @param durationMillis duration of that audio
   * @param consider which track ids may be reported (to leave out the file's own track)
   */
  public List<SameAudio> find(Fingerprints audio, long durationMillis, IntPredicate consider) {
    if (audio == null || consider == null) {
      throw new IllegalArgumentException("audio and consider are required");
    }
    if (durationMillis < 0) {
      throw new IllegalArgumentException("durationMillis < 0: " + durationMillis);
    }
    int windowFrames = (int) Math.round(WINDOW_MILLIS / params.frameMillis());
    // The STFT's last frame ends a window length before the audio does: count by duration.
    int totalFrames = Math.max(1,
        Math.max(audio.frameCount(), (int) Math.round(durationMillis / params.frameMillis())));
    int windows = Math.max(1, totalFrames / windowFrames);
    if (totalFrames - windows * windowFrames >= windowFrames / 2) {
      windows++;
    }
    int[] hashes = audio.hashes();
    int[] frames = audio.frames();
    Map<Integer, List<Hit>> hits = new HashMap<>();
    Map<Integer, Track> tracks = new HashMap<>();
    for (int w = 0; w < windows; w++) {
      int startFrame = w * windowFrames;
      int stopFrame = w == windows - 1 ? totalFrames : startFrame + windowFrames;
      long startMillis = params.framesToMillis(startFrame);
      long stopMillis = w == windows - 1
          ? Math.max(startMillis, durationMillis)
          : params.framesToMillis(stopFrame);
      Fingerprints window = slice(hashes, frames, startFrame, stopFrame);
      MatchResult result = recognizer.recognizeCopies(QueryHashes.of(window, HASHES_ONE_IN),
          stopMillis - startMillis);
      for (Match m : result.matches()) {
        long qStart = startMillis + m.queryStartMillis();
        long qStop = startMillis + m.queryStopMillis();
        record(hits, tracks, consider, m.track(), w, qStart, qStop, m.refStartMillis(),
            m.refStopMillis());
        for (SameRecording copy : m.sameRecording()) {
          record(hits, tracks, consider, copy.track(), w, startMillis + copy.queryStartMillis(),
              startMillis + copy.queryStopMillis(), copy.queryStartMillis() + copy.deltaMillis(),
              copy.queryStopMillis() + copy.deltaMillis());
        }
      }
    }
    int needed = Math.min(2, windows);
    List<SameAudio> found = new ArrayList<>();
    for (Map.Entry<Integer, List<Hit>> e : hits.entrySet()) {
      Track track = tracks.get(e.getKey());
      for (List<Hit> cluster : clusters(e.getValue())) {
        long distinctWindows = cluster.stream().mapToInt(Hit::window).distinct().count();
        if (distinctWindows >= needed) {
          found.add(span(track, cluster, (int) distinctWindows));
        }
      }
    }
    found.sort(Comparator.comparingInt(SameAudio::windows).reversed()
        .thenComparingLong(SameAudio::queryStartMillis)
        .thenComparingInt(s -> s.track().id()));
    return List.copyOf(found);
  }

  /**
   * Groups tracks that share audio, from what {@link #find} reported for each indexed track read
   * again (its own id left out). A shared stretch found from both sides is reported once.
   *
   * @param found for each track, what {@link #find} found for its audio
   * @return groups ordered by their lowest track id
   */
  public static List<SameAudioGroup> group(Map<Track, List<SameAudio>> found) {
    List<AudioOverlap> pairs = new ArrayList<>();
    for (Map.Entry<Track, List<SameAudio>> e : found.entrySet()) {
      Track query = e.getKey();
      for (SameAudio s : e.getValue()) {
        if (s.track().id() == query.id()) {
          continue;
        }
        pairs.add(query.id() < s.track().id()
            ? new AudioOverlap(query, s.queryStartMillis(), s.queryStopMillis(), s.track(),
                s.trackStartMillis(), s.trackStopMillis())
            : new AudioOverlap(s.track(), s.trackStartMillis(), s.trackStopMillis(), query,
                s.queryStartMillis(), s.queryStopMillis()));
      }
    }
    pairs.sort(Comparator.<AudioOverlap>comparingInt(o -> o.first().id())
        .thenComparingInt(o -> o.second().id())
        .thenComparingLong(SameAudioFinder::offset)
        .thenComparingLong(AudioOverlap::firstStartMillis));
    // Merge what both sides found at one alignment (chained within the tolerance).
    List<AudioOverlap> merged = new ArrayList<>();
    for (AudioOverlap o : pairs) {
      AudioOverlap last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && last.first().id() == o.first().id()
          && last.second().id() == o.second().id()
          && Math.abs(offset(o) - offset(last)) <= ALIGNMENT_TOLERANCE_MILLIS) {
        merged.set(merged.size() - 1, new AudioOverlap(last.first(),
            Math.min(last.firstStartMillis(), o.firstStartMillis()),
            Math.max(last.firstStopMillis(), o.firstStopMillis()), last.second(),
            Math.min(last.secondStartMillis(), o.secondStartMillis()),
            Math.max(last.secondStopMillis(), o.secondStopMillis())));
      } else {
        merged.add(o);
      }
    }
    // Union-find over track ids.
    Map<Integer, Integer> parent = new HashMap<>();
    Map<Integer, Track> byId = new HashMap<>();
    for (AudioOverlap o : merged) {
      byId.put(o.first().id(), o.first());
      byId.put(o.second().id(), o.second());
      int a = root(parent, o.first().id());
      int b = root(parent, o.second().id());
      if (a != b) {
        parent.put(Math.max(a, b), Math.min(a, b));
      }
    }
    TreeMap<Integer, List<Track>> members = new TreeMap<>();
    for (Track t : byId.values()) {
      members.computeIfAbsent(root(parent, t.id()), k -> new ArrayList<>()).add(t);
    }
    Map<Integer, List<AudioOverlap>> overlaps = new HashMap<>();
    for (AudioOverlap o : merged) {
      overlaps.computeIfAbsent(root(parent, o.first().id()), k -> new ArrayList<>()).add(o);
    }
    List<SameAudioGroup> groups = new ArrayList<>();
    for (Map.Entry<Integer, List<Track>> e : members.entrySet()) {
      List<Track> tracks = new ArrayList<>(e.getValue());
      tracks.sort(Comparator.comparingInt(Track::id));
      List<AudioOverlap> shared = new ArrayList<>(overlaps.get(e.getKey()));
      shared.sort(Comparator.<AudioOverlap>comparingInt(o -> o.first().id())
          .thenComparingInt(o -> o.second().id())
          .thenComparingLong(AudioOverlap::firstStartMillis));
      groups.add(new SameAudioGroup(tracks, shared));
    }
    return List.copyOf(groups);
  }

  private static long offset(AudioOverlap o) {
    return o.secondStartMillis() - o.firstStartMillis();
  }

  private static int root(Map<Integer, Integer> parent, int id) {
    int r = id;
    while (parent.containsKey(r)) {
      r = parent.get(r);
    }
    return r;
  }

  /** One window's match of one track, in the whole query's time. */
  private record Hit(int window, long queryStart, long queryStop, long refStart, long refStop) {
    long offset() {
      return refStart - queryStart;
    }
  }

  private static void record(Map<Integer, List<Hit>> hits, Map<Integer, Track> tracks,
      IntPredicate consider, Track track, int window, long queryStart, long queryStop,
      long refStart, long refStop) {
    if (!consider.test(track.id())) {
      return;
    }
    tracks.putIfAbsent(track.id(), track);
    hits.computeIfAbsent(track.id(), k -> new ArrayList<>())
        .add(new Hit(window, queryStart, Math.max(queryStart, queryStop), refStart,
            Math.max(refStart, refStop)));
  }

  /** Hits of one track split where consecutive alignments differ by more than the tolerance. */
  private static List<List<Hit>> clusters(List<Hit> hits) {
    List<Hit> sorted = new ArrayList<>(hits);
    sorted.sort(Comparator.comparingLong(Hit::offset));
    List<List<Hit>> out = new ArrayList<>();
    List<Hit> current = new ArrayList<>();
    for (Hit h : sorted) {
      if (!current.isEmpty()
          && h.offset() - current.get(current.size() - 1).offset() > ALIGNMENT_TOLERANCE_MILLIS) {
        out.add(current);
        current = new ArrayList<>();
      }
      current.add(h);
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }

  private static SameAudio span(Track track, List<Hit> cluster, int windows) {
    long qStart = Long.MAX_VALUE;
    long qStop = Long.MIN_VALUE;
    long rStart = Long.MAX_VALUE;
    long rStop = Long.MIN_VALUE;
    for (Hit h : cluster) {
      qStart = Math.min(qStart, h.queryStart());
      qStop = Math.max(qStop, h.queryStop());
      rStart = Math.min(rStart, h.refStart());
      rStop = Math.max(rStop, h.refStop());
    }
    long duration = track.metadata().durationMillis();
    if (duration > 0) {
      rStop = Math.min(rStop, duration);
      rStart = Math.min(rStart, rStop);
    }
    rStart = Math.max(0, rStart);
    rStop = Math.max(rStart, rStop);
    return new SameAudio(track, qStart, qStop, rStart, rStop, windows);
  }

  /** The hashes whose frames lie in [startFrame, stopFrame), frames counted from startFrame. */
  private static Fingerprints slice(int[] hashes, int[] frames, int startFrame, int stopFrame) {
    int from = firstAtOrAfter(frames, startFrame);
    int to = firstAtOrAfter(frames, stopFrame);
    int[] h = Arrays.copyOfRange(hashes, from, to);
    int[] f = new int[to - from];
    for (int i = from; i < to; i++) {
      f[i - from] = frames[i] - startFrame;
    }
    return Fingerprints.of(h, f, f.length, stopFrame - startFrame);
  }

  private static int firstAtOrAfter(int[] sortedFrames, int frame) {
    int lo = 0;
    int hi = sortedFrames.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sortedFrames[mid] < frame) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
