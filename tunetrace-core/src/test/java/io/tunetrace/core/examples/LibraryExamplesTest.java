package io.tunetrace.core.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.AddResult;
import io.tunetrace.core.Match;
import io.tunetrace.core.MatchResult;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.core.match.AudioOverlap;
import io.tunetrace.core.match.SameAudioGroup;
import io.tunetrace.core.testing.TestMusic;
import io.tunetrace.core.testing.WavFiles;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runnable examples of the public API, kept here so they always compile and work. */
class LibraryExamplesTest {
  @TempDir Path dir;

  /** Index files into an embedded index on disk, then name a clip. */
  @Test
  void indexFilesAndMatchAClip() throws Exception {
    Path song = WavFiles.write(dir.resolve("song.wav"), TestMusic.piece(1, 30, 44100), 44100);
    float[] noisyClip = TestMusic.withWhiteNoise(
        TestMusic.clip(TestMusic.piece(1, 30, 44100), 10 * 44100, 5 * 44100), 10, 3);
    Path clip = WavFiles.write(dir.resolve("clip.wav"), noisyClip, 44100);

    try (TuneTrace tuneTrace = TuneTrace.openEmbedded(dir.resolve("index"))) {
      AddResult added = tuneTrace.add(song, new TrackMetadata("Song", "Artist", "", "", 0, ""));
      assertTrue(!added.duplicate());
      assertTrue(tuneTrace.add(song, null).duplicate()); // same bytes: skipped

      MatchResult result = tuneTrace.match(clip);
      Match best = result.best().orElseThrow();
      assertEquals("Song", best.track().metadata().title());
      assertEquals(10_000, best.deltaMillis(), 50); // the clip starts 10 s into the song
    }
  }

  /** Learn that a new file holds audio already indexed, and list every group of shared audio. */
  @Test
  void findCopiesOfARecording() throws Exception {
    float[] music = TestMusic.piece(3, 30, 22050);
    Path original = WavFiles.writeTagged(dir.resolve("song.wav"), music, 22050, "Song", "Band");
    Path retagged = WavFiles.writeTagged(dir.resolve("copy.wav"), music, 22050, "Song!", "Band");

    try (TuneTrace tuneTrace = TuneTrace.openEmbedded(dir.resolve("index"))) {
      AddResult first = tuneTrace.add(original, null);
      AddResult copy = tuneTrace.add(retagged, null); // other bytes, same audio: added
      assertEquals(first.track(), copy.sameAudioAs().orElseThrow());

      // Every track's file is read again; unreadable ones are reported and skipped.
      List<SameAudioGroup> groups = tuneTrace.findSameAudio(
          (track, error) -> System.err.println("skipped #" + track.id() + ": " + error));
      assertEquals(List.of(first.track(), copy.track()), groups.get(0).tracks());
      AudioOverlap shared = groups.get(0).overlaps().get(0);
      assertEquals(30_000, shared.firstStopMillis() - shared.firstStartMillis(), 1000);
    }
  }

  /** Recognize PCM you already hold (from a microphone, a stream...) against an index. */
  @Test
  void recognizePcmInMemory() throws Exception {
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir.resolve("index"))) {
      TuneTrace tuneTrace = TuneTrace.using(index);
      float[] pcm = TestMusic.piece(2, 30, 16000);
      index.add(new TrackMetadata("In memory", "", "", "", 30_000, ""),
          tuneTrace.fingerprinter().fingerprint(pcm, 16000));

      Recognizer recognizer = tuneTrace.recognizer(); // thread-safe: share it
      MatchResult result = recognizer.recognize(TestMusic.clip(pcm, 16000 * 7, 16000 * 4), 16000);
      assertEquals("In memory", result.best().orElseThrow().track().metadata().title());
    }
  }
}
