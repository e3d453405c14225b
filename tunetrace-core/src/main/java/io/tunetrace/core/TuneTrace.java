package io.tunetrace.core;

import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.CountingPcmSource;
import io.tunetrace.core.audio.AudioTags;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.NewTrack;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.core.match.MatchPolicy;
import io.tunetrace.core.match.SameAudio;
import io.tunetrace.core.match.SameAudioFinder;
import io.tunetrace.core.match.SameAudioGroup;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;

/**
 * The library's front door: an index plus the fingerprinter and recognizer that go with it.
 *
 * <pre>{@code
 * try (TuneTrace tt = TuneTrace.openEmbedded(Path.of("my-index"))) {
 *   tt.add(Path.of("song.mp3"), null);
 *   tt.match(Path.of("clip.wav")).best().ifPresent(m -> System.out.println(m.track().metadata().title()));
 * }
 * }</pre>
 *
 * <p>Thread-safe: add and match may be called from many threads.
 */
public final class TuneTrace implements Closeable {
  private final FingerprintIndex index;
  private final Recognizer recognizer;
  private final SameAudioFinder sameAudioFinder;
  /** Held while {@link #add} checks for duplicates, replaces by path and writes. */
  private final Object addLock = new Object();

  private TuneTrace(FingerprintIndex index, MatchPolicy policy) {
    this.index = index;
    this.recognizer = new Recognizer(index, policy);
    this.sameAudioFinder = new SameAudioFinder(index, policy);
  }

  /** Opens (creating if needed) an embedded index in {@code directory} with default parameters. */
  public static TuneTrace openEmbedded(Path directory) {
    return using(EmbeddedFingerprintIndex.open(directory));
  }

  /** Wraps an index; closing the result closes the index. */
  public static TuneTrace using(FingerprintIndex index) {
    return using(index, MatchPolicy.DEFAULT);
  }

  /** Wraps an index with a non-default match policy; closing the result closes the index. */
  public static TuneTrace using(FingerprintIndex index, MatchPolicy policy) {
    if (index == null || policy == null) {
      throw new IllegalArgumentException("index and policy are required");
    }
    return new TuneTrace(index, policy);
  }

  public FingerprintIndex index() {
    return index;
  }

  public Recognizer recognizer() {
    return recognizer;
  }

  public Fingerprinter fingerprinter() {
    return recognizer.fingerprinter();
  }

  /**
   * Decodes, fingerprints and indexes a file. Title, artist and album come from {@code metadata}
   * when given (its path, duration and hash are filled in here), else from the file's tags, else
   * from its name.
   *
   * <ul>
   *   <li>A file whose bytes are already indexed is skipped and reported as a duplicate.
   *   <li>A file whose path (absolute, normalized) is already indexed with other bytes (its tags
   *       were edited, say) replaces that track: the new one is added, then the old one removed,
   *       and {@link AddResult#replaced()} names it.
   *   <li>Another file with audio already indexed (a re-encoding, a re-tagged copy, a compilation
   *       that holds a track) is added, and {@link AddResult#sameAudioAs()} names the indexed track
   *       that shares the most of it ({@link SameAudioFinder}).
   * </ul>
   *
   * <p>Hashing, decoding and fingerprinting run on the calling thread, in parallel with other adds;
   * the checks above and the write run under one lock per instance, so concurrent adds of one file
   * (or one path) index it once.
   */
  public AddResult add(Path file, TrackMetadata metadata) throws IOException {
    String sha256 = sha256(file);
    Optional<Track> existing = index.findBySha256(sha256);
    if (existing.isPresent()) {
      return duplicate(existing.get());
    }
    NewTrack analyzed = analyze(file, metadata, sha256);
    TrackMetadata meta = analyzed.metadata();
    synchronized (addLock) {
      existing = index.findBySha256(sha256);
      if (existing.isPresent()) {
        return duplicate(existing.get());
      }
      Optional<Track> replaced = index.findByPath(meta.sourcePath());
      int replacedId = replaced.map(Track::id).orElse(0);
      List<SameAudio> same = sameAudioFinder.find(analyzed.fingerprints(), meta.durationMillis(),
          id -> id != replacedId);
      Track track = index.add(meta, analyzed.fingerprints());
      replaced.ifPresent(old -> index.remove(old.id()));
      return new AddResult(track, false, meta.durationMillis(),
          same.stream().findFirst().map(SameAudio::track), replaced);
    }
  }

  private static AddResult duplicate(Track track) {
    return new AddResult(track, true, track.metadata().durationMillis());
  }

  /** The finder {@link #add} uses to name an indexed track with the same audio. */
  public SameAudioFinder sameAudioFinder() {
    return sameAudioFinder;
  }

  /**
   * Groups the indexed tracks that share audio (copies in other encodings or taggings, compilations
   * holding a track), with the stretches they share. Every track's file is read again from its
   * stored path ({@link TrackMetadata#sourcePath()}), streamed, fingerprinted at the index's density
   * and searched for with {@link SameAudioFinder}. Tracks whose file cannot be read are handed to
   * {@code unreadable} and skipped.
   *
   * @param unreadable told about each track whose file is gone ({@link NoSuchFileException}, also
   *     when no path is stored) or cannot be decoded, with why
   */
  public List<SameAudioGroup> findSameAudio(BiConsumer<Track, Exception> unreadable) {
    return findSameAudio(1, unreadable);
  }

  /**
   * As {@link #findSameAudio(BiConsumer)}, with {@code threads} tracks read, fingerprinted and
   * searched at a time. The groups are the same whatever the number of threads, and {@code
   * unreadable} is called on the calling thread, in the order of {@link FingerprintIndex#tracks()}.
   * At most two tracks per thread are held at once.
   *
   * @param threads how many tracks are worked on at once, at least 1
   */
  public List<SameAudioGroup> findSameAudio(int threads, BiConsumer<Track, Exception> unreadable) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads < 1: " + threads);
    }
    if (unreadable == null) {
      throw new IllegalArgumentException("unreadable is required");
    }
    List<Track> tracks = index.tracks();
    Map<Track, List<SameAudio>> found = new LinkedHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "tunetrace-same-audio");
      t.setDaemon(true);
      return t;
    });
    try {
      Deque<Future<SameAudioOutcome>> pending = new ArrayDeque<>();
      int next = 0;
      while (next < tracks.size() || !pending.isEmpty()) {
        while (next < tracks.size() && pending.size() < 2 * threads) {
          Track track = tracks.get(next++);
          pending.add(pool.submit(() -> sameAudioOf(track)));
        }
        SameAudioOutcome outcome = await(pending.remove());
        if (outcome.failure() != null) {
          unreadable.accept(outcome.track(), outcome.failure());
        } else if (!outcome.same().isEmpty()) {
          found.put(outcome.track(), outcome.same());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return SameAudioFinder.group(found);
  }

  /** What {@link #findSameAudio} learned of one track: its copies, or why it could not be read. */
  private record SameAudioOutcome(Track track, List<SameAudio> same, Exception failure) {}

  private SameAudioOutcome sameAudioOf(Track track) {
    String path = track.metadata().sourcePath();
    try {
      if (path.isEmpty()) {
        throw new NoSuchFileException("", null, "no file path stored");
      }
      Fingerprints fingerprints;
      long durationMillis;
      try (CountingPcmSource source = new CountingPcmSource(
          AudioDecoders.open(Path.of(path), index.params().sampleRateHz()))) {
        fingerprints = fingerprinter().fingerprint(source);
        durationMillis = source.samplesRead() * 1000 / source.sampleRateHz();
      }
      return new SameAudioOutcome(track,
          sameAudioFinder.find(fingerprints, durationMillis, id -> id != track.id()), null);
    } catch (IOException | TuneTraceException | InvalidPathException e) {
      return new SameAudioOutcome(track, List.of(), e);
    }
  }

  private static SameAudioOutcome await(Future<SameAudioOutcome> outcome) {
    try {
      return outcome.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TuneTraceException("interrupted while looking for tracks that share audio", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new TuneTraceException("looking for tracks that share audio failed: " + cause, cause);
    }
  }

  /**
   * Decodes and fingerprints a file without indexing it, for callers that batch their adds (see
   * {@link FingerprintIndex#add(java.util.List)}); the metadata rules are those of {@link #add}.
   */
  public NewTrack analyze(Path file, TrackMetadata metadata) throws IOException {
    return analyze(file, metadata, sha256(file));
  }

  /**
   * As {@link #analyze(Path, TrackMetadata)} for a caller that already holds the file's SHA-256
   * (from {@link #sha256(Path)}, to look for duplicates first).
   */
  public NewTrack analyze(Path file, TrackMetadata metadata, String sha256) throws IOException {
    FingerprintParams params = index.params();
    Fingerprints fingerprints;
    long samples;
    int rate;
    try (CountingPcmSource source =
        new CountingPcmSource(AudioDecoders.open(file, params.sampleRateHz()))) {
      rate = source.sampleRateHz();
      fingerprints = fingerprinter().fingerprint(source);
      samples = source.samplesRead();
    }
    long durationMillis = samples * 1000 / rate;
    TrackMetadata named = metadata != null ? metadata : nameOf(file);
    TrackMetadata complete = new TrackMetadata(named.title(), named.artist(), named.album(),
        file.toAbsolutePath().normalize().toString(), durationMillis, sha256);
    return new NewTrack(complete, fingerprints);
  }

  /**
   * Title, artist and album of a file: its tags win field by field; what they lack comes from the
   * file name, where "Artist - Title.mp3" gives both and any other name the title only (underscores
   * read as spaces). Path, duration and hash are left empty.
   */
  public static TrackMetadata nameOf(Path file) {
    TrackMetadata named = nameFromFileName(file);
    AudioTags.Tags tags = AudioTags.read(file).orElse(null);
    if (tags == null) {
      return named;
    }
    return new TrackMetadata(
        tags.title() != null && !tags.title().isBlank() ? tags.title() : named.title(),
        tags.artist() != null && !tags.artist().isBlank() ? tags.artist() : named.artist(),
        tags.album() != null ? tags.album() : "",
        "",
        0,
        "");
  }

  private static TrackMetadata nameFromFileName(Path file) {
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = (dot > 0 ? name.substring(0, dot) : name).replace('_', ' ').strip();
    if (stem.isEmpty()) {
      stem = name.isBlank() ? "untitled" : name;
    }
    int dash = stem.indexOf(" - ");
    if (dash > 0 && dash + 3 < stem.length()) {
      String artist = stem.substring(0, dash).strip();
      String title = stem.substring(dash + 3).strip();
      if (!artist.isEmpty() && !title.isEmpty()) {
        return new TrackMetadata(title, artist, "", "", 0, "");
      }
    }
    return new TrackMetadata(stem, "", "", "", 0, "");
  }

  /** Decodes and recognizes a clip. */
  public MatchResult match(Path file) throws IOException {
    try (PcmSource source = AudioDecoders.open(file, index.params().sampleRateHz())) {
      return recognizer.recognize(source);
    }
  }

  /** Lowercase hex SHA-256 of a file's bytes. */
  public static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  @Override
  public void close() {
    index.close();
  }
}
