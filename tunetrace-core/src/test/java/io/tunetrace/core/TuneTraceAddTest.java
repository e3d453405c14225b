package io.tunetrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.index.Track;
import io.tunetrace.core.match.AudioOverlap;
import io.tunetrace.core.match.SameAudioGroup;
import io.tunetrace.core.testing.TestMusic;
import io.tunetrace.core.testing.WavFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link TuneTrace#add}: duplicates, replacing by path, same audio; and finding shared audio. */
@Timeout(120)
class TuneTraceAddTest {
  static final int RATE = 22050;

  @TempDir Path dir;
  TuneTrace tt;

  @BeforeEach
  void open() {
    tt = TuneTrace.openEmbedded(dir.resolve("index"));
  }

  @AfterEach
  void close() {
    tt.close();
  }

  @Test
  void reAddingAPathWhoseTagsChangedReplacesItsTrack() throws IOException {
    float[] music = TestMusic.piece(1, 30, RATE);
    Path song = WavFiles.writeTagged(dir.resolve("song.wav"), music, RATE, "Old Title", "Old Band");
    AddResult first = tt.add(song, null);
    assertFalse(first.duplicate());
    assertEquals("Old Title", first.track().metadata().title());

    WavFiles.writeTagged(song, music, RATE, "New Title", "New Band");
    AddResult second = tt.add(song, null);
    assertFalse(second.duplicate());
    assertEquals(Optional.of(first.track()), second.replaced());
    assertEquals(Optional.empty(), second.sameAudioAs(), "its own old version is not another track");
    assertNotEquals(first.track().id(), second.track().id());
    assertEquals(List.of(second.track()), tt.index().tracks());
    assertEquals("New Title", second.track().metadata().title());
    assertEquals("New Band", second.track().metadata().artist());
    assertEquals(second.track(), tt.match(song).best().orElseThrow().track());

    // The same file named through "./" is the same path.
    WavFiles.writeTagged(song, music, RATE, "Third Title", "New Band");
    AddResult third = tt.add(dir.resolve(".").resolve("song.wav"), null);
    assertEquals(Optional.of(second.track()), third.replaced());
    assertEquals(List.of(third.track()), tt.index().tracks());
    assertEquals(song.toAbsolutePath().normalize().toString(),
        third.track().metadata().sourcePath());
  }

  @Test
  void identicalBytesAreSkippedAsADuplicate() throws IOException {
    Path song = WavFiles.write(dir.resolve("song.wav"), TestMusic.piece(2, 20, RATE), RATE);
    Path copy = Files.copy(song, dir.resolve("copy.wav"));
    AddResult first = tt.add(song, null);
    AddResult again = tt.add(song, null);
    AddResult ofCopy = tt.add(copy, null);
    assertFalse(first.duplicate());
    assertTrue(again.duplicate());
    assertTrue(ofCopy.duplicate());
    assertEquals(first.track(), again.track());
    assertEquals(first.track(), ofCopy.track());
    assertEquals(Optional.empty(), ofCopy.replaced());
    assertEquals(List.of(first.track()), tt.index().tracks());
  }

  @Test
  void reEncodedMp3AndReTaggedCopyAreAddedAndNameTheOriginal() throws Exception {
    float[] music = TestMusic.piece(3, 30, RATE);
    Path wav = WavFiles.writeTagged(dir.resolve("song.wav"), music, RATE, "Song", "Band");
    Path mp3 = dir.resolve("song.mp3");
    ffmpeg("-i", wav.toString(), "-codec:a", "libmp3lame", "-b:a", "128k", mp3.toString());
    Path retagged = WavFiles.writeTagged(dir.resolve("remaster.wav"), music, RATE, "Song (2024)",
        "Band");
    Path other = WavFiles.write(dir.resolve("other.wav"), TestMusic.piece(4, 30, RATE), RATE);

    AddResult original = tt.add(wav, null);
    AddResult reEncoded = tt.add(mp3, null);
    AddResult reTagged = tt.add(retagged, null);
    AddResult unrelated = tt.add(other, null);

    assertEquals(Optional.empty(), original.sameAudioAs());
    assertFalse(reEncoded.duplicate());
    assertEquals(Optional.of(original.track()), reEncoded.sameAudioAs());
    assertEquals(Optional.empty(), reEncoded.replaced());
    assertFalse(reTagged.duplicate());
    // Both earlier copies hold all of it; the lowest id is named.
    assertEquals(Optional.of(original.track()), reTagged.sameAudioAs());
    assertEquals(Optional.empty(), unrelated.sameAudioAs());
    assertEquals(4, tt.index().tracks().size());
  }

  @Test
  void unrelatedMusicNamesNoTrack() throws IOException {
    for (int seed = 10; seed < 15; seed++) {
      Path song = WavFiles.write(dir.resolve(seed + ".wav"), TestMusic.piece(seed, 25, RATE), RATE);
      AddResult added = tt.add(song, null);
      assertEquals(Optional.empty(), added.sameAudioAs(), "seed " + seed);
    }
    assertEquals(5, tt.index().tracks().size());
  }

  @Test
  void compilationHoldingATrackNamesIt() throws IOException {
    float[] track = TestMusic.piece(20, 30, RATE);
    Path song = WavFiles.write(dir.resolve("song.wav"), track, RATE);
    Path compilation = WavFiles.write(dir.resolve("compilation.wav"), concat(
        TestMusic.piece(21, 15, RATE), track, TestMusic.piece(22, 15, RATE)), RATE);
    AddResult added = tt.add(song, null);
    AddResult holding = tt.add(compilation, null);
    assertEquals(Optional.of(added.track()), holding.sameAudioAs());
    assertEquals(60_000, holding.audioMillis());
  }

  @Test
  void concurrentAddsOfOneFileIndexItOnce() throws Exception {
    Path song = WavFiles.write(dir.resolve("song.wav"), TestMusic.piece(30, 30, RATE), RATE);
    List<Path> names = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      // Half the threads add the file itself, half byte-identical copies of it.
      names.add(i % 2 == 0 ? song : Files.copy(song, dir.resolve("copy" + i + ".wav")));
    }
    ExecutorService pool = Executors.newFixedThreadPool(names.size());
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<AddResult>> futures = new ArrayList<>();
      for (Path name : names) {
        futures.add(pool.submit(() -> {
          start.await();
          return tt.add(name, null);
        }));
      }
      start.countDown();
      Set<Integer> ids = new HashSet<>();
      int added = 0;
      for (Future<AddResult> f : futures) {
        AddResult r = f.get();
        ids.add(r.track().id());
        added += r.duplicate() ? 0 : 1;
      }
      assertEquals(1, added);
      assertEquals(1, ids.size(), "ids " + ids);
      assertEquals(1, tt.index().tracks().size());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentAddsOfOnePathWithNewBytesLeaveOneTrack() throws Exception {
    float[] music = TestMusic.piece(31, 20, RATE);
    Path song = WavFiles.writeTagged(dir.resolve("song.wav"), music, RATE, "Before", "");
    tt.add(song, null);
    WavFiles.writeTagged(song, music, RATE, "After", "");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<AddResult>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          return tt.add(song, null);
        }));
      }
      start.countDown();
      int added = 0;
      for (Future<AddResult> f : futures) {
        added += f.get().duplicate() ? 0 : 1;
      }
      assertEquals(1, added);
      List<Track> tracks = tt.index().tracks();
      assertEquals(1, tracks.size(), "tracks " + tracks);
      assertEquals("After", tracks.get(0).metadata().title());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void findSameAudioGroupsCopiesWithTheSpansTheyShare() throws Exception {
    float[] a = TestMusic.piece(40, 30, RATE);
    float[] b = TestMusic.piece(41, 20, RATE);
    Path aWav = WavFiles.write(dir.resolve("a.wav"), a, RATE);
    Path aMp3 = dir.resolve("a.mp3");
    ffmpeg("-i", aWav.toString(), "-codec:a", "libmp3lame", "-b:a", "128k", aMp3.toString());
    Path bWav = WavFiles.write(dir.resolve("b.wav"), b, RATE);
    // b sits at 12 s to 32 s of the compilation.
    Path compilation = WavFiles.write(dir.resolve("compilation.wav"),
        concat(TestMusic.piece(42, 12, RATE), b, TestMusic.piece(43, 8, RATE)), RATE);
    Path unrelated = WavFiles.write(dir.resolve("c.wav"), TestMusic.piece(44, 20, RATE), RATE);
    Path gone = WavFiles.write(dir.resolve("gone.wav"), TestMusic.piece(45, 20, RATE), RATE);
    Track tA = tt.add(aWav, null).track();
    Track tAmp3 = tt.add(aMp3, null).track();
    Track tB = tt.add(bWav, null).track();
    Track tComp = tt.add(compilation, null).track();
    tt.add(unrelated, null);
    Track tGone = tt.add(gone, null).track();
    Files.delete(gone);

    Map<Integer, String> unreadable = new TreeMap<>();
    List<SameAudioGroup> groups =
        tt.findSameAudio((t, e) -> unreadable.put(t.id(), e.getClass().getSimpleName()));

    assertEquals(Map.of(tGone.id(), "NoSuchFileException"), unreadable);
    assertEquals(2, groups.size(), groups.toString());
    assertEquals(List.of(tA, tAmp3), groups.get(0).tracks());
    assertEquals(List.of(tB, tComp), groups.get(1).tracks());

    AudioOverlap copies = single(groups.get(0).overlaps());
    assertSpan(0, 30_000, copies.firstStartMillis(), copies.firstStopMillis());
    // MP3 encoders put a few dozen ms of silence first.
    assertSpan(0, 30_000, copies.secondStartMillis(), copies.secondStopMillis());
    AudioOverlap held = single(groups.get(1).overlaps());
    assertSpan(0, 20_000, held.firstStartMillis(), held.firstStopMillis());
    assertSpan(12_000, 32_000, held.secondStartMillis(), held.secondStopMillis());

    // On three threads: the same groups, and the unreadable track told on this thread.
    Thread caller = Thread.currentThread();
    Map<Integer, String> unreadableOnThreads = new TreeMap<>();
    List<SameAudioGroup> onThreads = tt.findSameAudio(3, (t, e) -> {
      assertEquals(caller, Thread.currentThread());
      unreadableOnThreads.put(t.id(), e.getClass().getSimpleName());
    });
    assertEquals(unreadable, unreadableOnThreads);
    assertEquals(groups, onThreads);
  }

  private static AudioOverlap single(List<AudioOverlap> overlaps) {
    assertEquals(1, overlaps.size(), overlaps.toString());
    return overlaps.get(0);
  }

  /** The span found covers the truth to within 1 s at each end. */
  private static void assertSpan(long start, long stop, long foundStart, long foundStop) {
    String found = "[" + foundStart + ", " + foundStop + "] for [" + start + ", " + stop + "]";
    assertEquals(start, foundStart, 1000, found);
    assertEquals(stop, foundStop, 1000, found);
  }

  static float[] concat(float[]... parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** Runs ffmpeg, a test dependency (as in CI): its absence fails the test. */
  static void ffmpeg(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-y"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("ffmpeg failed: " + output);
    }
  }
}
