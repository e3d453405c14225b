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
import io.tunetrace.core.testing.TestMusic;
import io.tunetrace.core.testing.WavFiles;
import java.nio.file.Path;
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
