package io.tunetrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.audio.Resampler;
import io.tunetrace.core.index.IncompatibleParamsException;
import io.tunetrace.core.index.InMemoryFingerprintIndex;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.core.internal.SincResampler;
import io.tunetrace.core.match.Candidate;
import io.tunetrace.core.match.MatchDecision;
import io.tunetrace.core.match.QueryHashes;
import io.tunetrace.core.peaks.Peaks;
import io.tunetrace.core.testing.TestMusic;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecognizerTest {
  static final int RATE = 22050;
  static InMemoryFingerprintIndex index;
  static Recognizer recognizer;
  static final List<float[]> tracks = new ArrayList<>();
  static final List<Track> stored = new ArrayList<>();

  @BeforeAll
  static void indexFivePieces() {
    index = new InMemoryFingerprintIndex(FingerprintParams.DEFAULT);
    Fingerprinter fingerprinter = new Fingerprinter(FingerprintParams.DEFAULT);
    for (int i = 0; i < 5; i++) {
      float[] pcm = TestMusic.piece(100 + i, 40, RATE);
      tracks.add(pcm);
      TrackMetadata meta = new TrackMetadata("piece " + i, "tests", "", "piece" + i + ".wav",
          pcm.length * 1000L / RATE, "");
      stored.add(index.add(meta, fingerprinter.fingerprint(pcm, RATE)));
    }
    recognizer = new Recognizer(index);
  }

  @AfterAll
  static void close() {
    index.close();
  }

  @Test
  void namesANoisyFiveSecondClipAndWhereItStarts() {
    for (int i = 0; i < 5; i++) {
      int offset = (7 + 3 * i) * RATE + 1234;
      float[] clip = TestMusic.withWhiteNoise(TestMusic.clip(tracks.get(i), offset, 5 * RATE), 10, i);
      MatchResult result = recognizer.recognize(clip, RATE);
      Match best = result.best().orElseThrow(() -> new AssertionError("no match"));
      assertEquals(stored.get(i).id(), best.track().id());
      assertEquals(offset * 1000.0 / RATE, best.deltaMillis(), 40);
      assertTrue(best.score() >= MatchDecision.THRESHOLD && best.score() <= 1, "score " + best.score());
      assertTrue(best.confidence() >= 5);
      assertTrue(best.matchedShare() > 0.5, "share " + best.matchedShare());
      assertTrue(best.queryStartMillis() >= 0 && best.queryStopMillis() > best.queryStartMillis());
      assertTrue(best.queryStopMillis() <= 5000, "stop " + best.queryStopMillis());
      assertEquals(best.refStartMillis() - best.queryStartMillis(), best.deltaMillis(), 40);
    }
  }

  @Test
  void namesAClipPlayedTwoPercentFaster() {
    int offset = 12 * RATE;
    float[] clean = TestMusic.clip(tracks.get(2), offset, 8 * RATE);
    float[] faster = SincResampler.resample(clean, 1.02);
    Match best = recognizer.recognize(faster, RATE).best().orElseThrow();
    assertEquals(stored.get(2).id(), best.track().id());
    assertEquals(1.02, best.speed(), 1e-9);
    assertEquals(12000, best.deltaMillis(), 60);
  }

  /**
   * Issue 6: a phone-quality query (8 kHz, 32 kbps MPEG-2.5 MP3, as phones record) is decoded in
   * the JVM, with ffmpeg unreachable, and still named at the right moment.
   */
  @Test
  void namesAPhoneQualityMp3ClipWithoutFfmpeg(@TempDir Path dir) throws Exception {
    assumeTrue(ffmpegWorks(), "ffmpeg not installed (needed to make the MP3)");
    int offset = 9 * RATE;
    float[] clip = TestMusic.clip(tracks.get(3), offset, 5 * RATE);
    float[] phone = Resampler.resample(clip, RATE, 8000);
    Path raw = dir.resolve("clip.f32");
    ByteBuffer b = ByteBuffer.allocate(phone.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : phone) {
      b.putFloat(v);
    }
    Files.write(raw, b.array());
    Path mp3 = dir.resolve("clip.mp3");
    Process p =
        new ProcessBuilder(List.of("ffmpeg", "-nostdin", "-v", "error", "-f", "f32le", "-ar", "8000",
                "-ac", "1", "-i", raw.toString(), "-c:a", "libmp3lame", "-b:a", "32k",
                mp3.toString()))
            .redirectErrorStream(true)
            .start();
    p.getInputStream().transferTo(OutputStream.nullOutputStream());
    assertEquals(0, p.waitFor());

    String previous = System.getProperty("tunetrace.ffmpeg");
    System.setProperty("tunetrace.ffmpeg", dir.resolve("no-ffmpeg-here").toString());
    try (PcmSource source = AudioDecoders.open(mp3, FingerprintParams.DEFAULT.sampleRateHz())) {
      assertEquals(8000, source.sampleRateHz());
      Match best = recognizer.recognize(source).best().orElseThrow(() -> new AssertionError("no match"));
      assertEquals(stored.get(3).id(), best.track().id());
      assertEquals(9000, best.deltaMillis(), 40);
    } finally {
      if (previous == null) {
        System.clearProperty("tunetrace.ffmpeg");
      } else {
        System.setProperty("tunetrace.ffmpeg", previous);
      }
    }
  }

  private static boolean ffmpegWorks() {
    try {
      Process p = new ProcessBuilder(List.of("ffmpeg", "-version")).redirectErrorStream(true).start();
      p.getInputStream().transferTo(OutputStream.nullOutputStream());
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * An index whose peak neighbourhood narrows towards the bass: its clips are analysed with the
   * index's own neighbourhood (the query's peaks narrow the same way), so they are named, and
   * unknown music is not.
   */
  @Test
  void anIndexWithANarrowingNeighbourhoodNamesItsClips() {
    FingerprintParams narrowing =
        new FingerprintParams(8000, 512, 64, 4, 230, 12, 12, 20, 4, 2, 63, 63, 1, 8, 3);
    try (InMemoryFingerprintIndex narrowIndex = new InMemoryFingerprintIndex(narrowing)) {
      Fingerprinter fingerprinter = new Fingerprinter(narrowing);
      List<Track> narrowTracks = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        TrackMetadata meta = new TrackMetadata("piece " + i, "tests", "", "piece" + i + ".wav",
            tracks.get(i).length * 1000L / RATE, "");
        narrowTracks.add(narrowIndex.add(meta, fingerprinter.fingerprint(tracks.get(i), RATE)));
      }
      Recognizer narrow = new Recognizer(narrowIndex);
      for (int i = 0; i < 5; i++) {
        int offset = (5 + 4 * i) * RATE;
        float[] clip =
            TestMusic.withWhiteNoise(TestMusic.clip(tracks.get(i), offset, 5 * RATE), 10, i);
        Match best = narrow.recognize(clip, RATE).best().orElseThrow(
            () -> new AssertionError("no match"));
        assertEquals(narrowTracks.get(i).id(), best.track().id());
        assertEquals(offset * 1000.0 / RATE, best.deltaMillis(), 40);
      }
      // Played a few percent fast or slow: named in the right variant.
      for (int i = 0; i < 5; i++) {
        double speed = i % 2 == 0 ? 1.03 : 0.97;
        float[] played = SincResampler.resample(
            TestMusic.clip(tracks.get(i), (6 + 4 * i) * RATE, 4 * RATE), speed);
        Match best = narrow.recognize(played, RATE).best().orElseThrow(
            () -> new AssertionError("no match at speed " + speed));
        assertEquals(narrowTracks.get(i).id(), best.track().id());
        assertEquals(speed, best.speed(), 0.006);
      }
      float[] other = TestMusic.clip(TestMusic.piece(901, 12, RATE), 2 * RATE, 5 * RATE);
      assertFalse(narrow.recognize(other, RATE).matched());
      // The clip's own peaks narrow as the index's do: more of them in the bass.
      float[] at8k = Resampler.resample(TestMusic.clip(tracks.get(1), 3 * RATE, 5 * RATE), RATE,
          8000, Resampler.Quality.ANALYSIS);
      Fingerprinter wide = new Fingerprinter(FingerprintParams.DEFAULT);
      assertTrue(bassPeaks(fingerprinter.peaks(at8k, 40, 40, 12, 12)[1])
          > bassPeaks(wide.peaks(at8k, 40, 40, 12, 12)[1]));
      // Hashes made with the default neighbourhood are refused by this index.
      assertThrows(IncompatibleParamsException.class,
          () -> narrowIndex.checkParams(FingerprintParams.DEFAULT));
    }
  }

  private static int bassPeaks(Peaks peaks) {
    int n = 0;
    for (int i = 0; i < peaks.size(); i++) {
      n += peaks.bin(i) < 92 ? 1 : 0;
    }
    return n;
  }

  /**
   * A clip's candidates are checked both ways: its peaks on the track's, and the track's peaks on
   * its spectrum; the right one far beyond chance in both, the others not. A query made from stored
   * fingerprints (the same-audio check's) has no spectrum, and is weighed by its peaks alone.
   */
  @Test
  void candidatesAreCheckedAgainstTheClipsSpectrumToo() {
    int offset = 9 * RATE;
    float[] clip = TestMusic.withWhiteNoise(TestMusic.clip(tracks.get(3), offset, 5 * RATE), 0, 3);
    QueryHashes query = recognizer.analyze(clip, RATE);
    assertNotNull(query.maxima());
    List<Candidate> candidates = recognizer.vote(query).candidates();
    Candidate right = candidates.stream().filter(c -> c.trackId() == stored.get(3).id())
        .findFirst().orElseThrow();
    assertTrue(right.spectrum().measured(), right.toString());
    assertTrue(right.spectrum().z() > 5, right.toString());
    assertTrue(right.spectrum().share() > right.spectrum().chanceMean() + 0.2, right.toString());
    for (Candidate c : candidates) {
      if (c != right) {
        assertTrue(c.spectrum().z() < right.spectrum().z() / 2, c + " against " + right);
      }
    }

    QueryHashes stored3 = QueryHashes.of(
        new Fingerprinter(FingerprintParams.DEFAULT).fingerprint(clip, RATE));
    assertNull(stored3.maxima());
    for (Candidate c : recognizer.vote(stored3).candidates()) {
      assertFalse(c.spectrum().measured(), c.toString());
    }
  }

  @Test
  void unknownMusicGetsNoMatch() {
    for (int seed = 900; seed < 905; seed++) {
      float[] other = TestMusic.clip(TestMusic.piece(seed, 12, RATE), 2 * RATE, 5 * RATE);
      assertFalse(recognizer.recognize(other, RATE).matched(), "seed " + seed);
    }
  }

  @Test
  void silenceGetsNoMatch() {
    MatchResult result = recognizer.recognize(new float[5 * RATE], RATE);
    assertFalse(result.matched());
    assertEquals(0, result.queryHashes());
    assertEquals(5000, result.queryDurationMillis());
  }

  @Test
  void clipsUnderOneSecondAreRefusedWithAClearError() {
    ClipTooShortException e = assertThrows(ClipTooShortException.class,
        () -> recognizer.recognize(TestMusic.clip(tracks.get(0), RATE, RATE / 2), RATE));
    assertEquals("clip too short: 500 ms of audio, at least 1000 ms needed", e.getMessage());
    e = assertThrows(ClipTooShortException.class, () -> recognizer.recognize(new float[0], RATE));
    assertEquals("clip too short: 0 ms of audio, at least 1000 ms needed", e.getMessage());
  }
}
