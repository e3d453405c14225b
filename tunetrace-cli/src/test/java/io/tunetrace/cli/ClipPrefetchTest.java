package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.ClipTooShortException;
import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.MatchResult;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.audio.Resampler;
import io.tunetrace.core.audio.UnsupportedAudioFormatException;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.index.InMemoryFingerprintIndex;
import io.tunetrace.core.match.MatchPolicy;
import io.tunetrace.core.match.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clips of a short {@code match} decoded while the command starts: the same samples, or nothing. */
class ClipPrefetchTest {
  private static final int RATE = 8000;

  @TempDir Path dir;

  @Test
  void candidatesAreTheFilesNamedAfterMatch() throws IOException {
    Path clip = Files.createFile(dir.resolve("clip.wav"));
    Path other = Files.createFile(dir.resolve("other.ogg"));
    Path index = Files.createDirectory(dir.resolve("index"));
    String c = clip.toString();
    String o = other.toString();
    String missing = dir.resolve("missing.wav").toString();

    assertEquals(List.of(c, o), ClipPrefetch.candidates(new String[] {
        "match", "--index", index.toString(), c, "--top", "2", "-", missing, o, c}));
    assertEquals(List.of(c), ClipPrefetch.candidates(new String[] {"match", "--json", "--", c}));
    assertEquals(List.of(c), ClipPrefetch.candidates(new String[] {"--verbose", "match", c}));
    assertEquals(List.of(), ClipPrefetch.candidates(new String[] {"add", c}));
    assertEquals(List.of(), ClipPrefetch.candidates(new String[] {c, "match"}));
    assertEquals(List.of(), ClipPrefetch.candidates(new String[] {"match"}));
    assertEquals(List.of(), ClipPrefetch.candidates(new String[] {}));
  }

  @Test
  void moreClipsThanTheLimitStartNothing() throws IOException {
    String[] args = new String[ClipPrefetch.MAX_CLIPS + 2];
    args[0] = "match";
    for (int i = 1; i < args.length; i++) {
      args[i] = Files.createFile(dir.resolve("c" + i + ".wav")).toString();
    }
    assertEquals(List.of(), ClipPrefetch.candidates(args));
    assertEquals(ClipPrefetch.MAX_CLIPS,
        ClipPrefetch.candidates(java.util.Arrays.copyOf(args, args.length - 1)).size());
  }

  @Test
  void aWavClipIsRecognizedAsTheCommandWouldRecognizeIt() throws IOException {
    Path clip = dir.resolve("clip.wav");
    writeClip(clip, 22050, 8, 5);
    assertSameAsRecognizingIt(clip, recognizer(MatchPolicy.DEFAULT));
  }

  @Test
  void anMpeg1Mp3IsRecognizedAsTheCommandWouldRecognizeIt() throws IOException {
    // MPEG-1 layer III at 44.1 kHz: decoded ahead in Java at 11,025 Hz, resampled when analysed
    assertSameAsRecognizingIt(SONG, recognizer(MatchPolicy.DEFAULT));
  }

  @Test
  void theRecognizersPolicyAndTheIndexsParametersAreTheirOwn() throws IOException {
    Path clip = dir.resolve("clip.wav");
    writeClip(clip, 8000, 8, 5);
    assertSameAsRecognizingIt(clip, recognizer(
        MatchPolicy.DEFAULT.withQueryDensity(20, 4, 10, 2).withVariants(List.of(Variant.IDENTITY))));
    assertSameAsRecognizingIt(clip, recognizer(params(8000, 40), MatchPolicy.DEFAULT));
  }

  /** The prefetch's answer equals decoding and recognizing the clip on the spot, which names it. */
  private static void assertSameAsRecognizingIt(Path clip, Recognizer recognizer)
      throws IOException {
    String query = clip.toString();
    ClipPrefetch prefetch = ClipPrefetch.start(new String[] {"match", query});
    Queries.Clip ahead = prefetch.match(query, recognizer);
    assertNotNull(ahead);
    MatchResult expected;
    try (PcmSource source = AudioDecoders.open(clip, RATE)) {
      expected = recognizer.recognize(source);
    }
    assertEquals(expected, ahead.result());
    assertFalse(expected.matches().isEmpty(), "the clip is named");
    assertFalse(ahead.longerThanKept());
    assertTrue(ahead.decodedAheadNanos() >= 0);
    assertNull(prefetch.match(query, recognizer),
        "a clip is taken once; named twice, it is decoded again");
  }

  @Test
  void aClipAskedForAtAnotherRateOrNeverStartedIsNotTaken() throws IOException {
    Path clip = dir.resolve("clip.wav");
    writeClip(clip, 8000, 8, 5);
    ClipPrefetch prefetch = ClipPrefetch.start(new String[] {"match", clip.toString()});
    assertNull(prefetch.match(clip.toString(), recognizer(params(16000, 63), MatchPolicy.DEFAULT)),
        "an index of another rate decodes the clip itself");
    assertNull(prefetch.match(dir.resolve("other.wav").toString(), recognizer(MatchPolicy.DEFAULT)));
    assertNull(ClipPrefetch.NONE.match(clip.toString(), recognizer(MatchPolicy.DEFAULT)));
  }

  @Test
  void aClipLongerThanTheRecognizerKeepsSaysSo() throws IOException {
    int rate = AudioDecoders.MIN_SAMPLE_RATE_HZ;
    Path clip = dir.resolve("long.wav");
    SampleGenerator.writeWav(clip, tone(rate, Recognizer.MAX_CLIP_SECONDS + 1), rate);
    ClipPrefetch prefetch = ClipPrefetch.start(new String[] {"match", clip.toString()});
    Queries.Clip ahead = prefetch.match(clip.toString(), recognizer(MatchPolicy.DEFAULT));
    assertTrue(ahead.longerThanKept());
    assertEquals(Recognizer.MAX_CLIP_SECONDS * 1000L, ahead.result().queryDurationMillis());
  }

  @Test
  void aFileThatIsNotAudioFailsAsDecodingItWould() throws IOException {
    Path junk = Files.write(dir.resolve("junk.wav"), "not audio at all, just text".getBytes());
    UnsupportedAudioFormatException direct =
        assertThrows(UnsupportedAudioFormatException.class, () -> AudioDecoders.open(junk, RATE));
    ClipPrefetch prefetch = ClipPrefetch.start(new String[] {"match", junk.toString()});
    UnsupportedAudioFormatException ahead = assertThrows(UnsupportedAudioFormatException.class,
        () -> prefetch.match(junk.toString(), recognizer(MatchPolicy.DEFAULT)));
    assertEquals(direct.getMessage(), ahead.getMessage());
  }

  @Test
  void aClipTooShortFailsAsRecognizingItWould() throws IOException {
    Path clip = dir.resolve("short.wav");
    SampleGenerator.writeWav(clip, tone(8000, 0.5), 8000);
    ClipPrefetch prefetch = ClipPrefetch.start(new String[] {"match", clip.toString()});
    ClipTooShortException e = assertThrows(ClipTooShortException.class,
        () -> prefetch.match(clip.toString(), recognizer(MatchPolicy.DEFAULT)));
    assertTrue(e.getMessage().startsWith("clip too short: 500 ms"), e.getMessage());
  }

  @Test
  void aClipDecodedAheadIsNamedByMatch() throws IOException {
    Path index = dir.resolve("index");
    Cli added = Cli.run("add", SONG.toString(),
        "--index", index.toString());
    assertEquals(0, added.exitCode(), added.err());
    Path clip = dir.resolve("clip.wav");
    writeClip(clip, RATE, 8, 5);
    Cli matched = Cli.run("match", clip.toString(), "--index", index.toString(), "--json");
    assertEquals(0, matched.exitCode(), matched.err());
    assertEquals("Blue Lantern", Cli.stringField(matched.out(), "title"));
    assertTrue(Cli.numberField(matched.out(), "elapsed_ms") > 0);
  }

  /** The song the indexes hold: an MPEG-1 MP3, which Layer3Decoder decodes at a quarter rate. */
  private static final Path SONG = Cli.samples().resolve("blue-lantern.mp3");

  private static final Map<FingerprintParams, FingerprintIndex> INDEXES = new HashMap<>();

  /** A recognizer with {@code policy} over an index of {@link #SONG} with the default parameters. */
  private static Recognizer recognizer(MatchPolicy policy) throws IOException {
    return recognizer(FingerprintParams.DEFAULT, policy);
  }

  private static synchronized Recognizer recognizer(FingerprintParams params, MatchPolicy policy)
      throws IOException {
    FingerprintIndex index = INDEXES.get(params);
    if (index == null) {
      index = new InMemoryFingerprintIndex(params);
      TuneTrace.using(index).add(SONG, TuneTrace.nameOf(SONG));
      INDEXES.put(params, index);
    }
    return new Recognizer(index, policy);
  }

  /** The default parameters with another sample rate and target zone. */
  private static FingerprintParams params(int sampleRateHz, int maxDeltaFrames) {
    FingerprintParams d = FingerprintParams.DEFAULT;
    return new FingerprintParams(sampleRateHz, d.fftSize(), d.hopSamples(), d.minBin(), d.maxBin(),
        d.peakBinRadius(), d.peakFrameRadius(), d.peaksPerSecond(), d.fanOut(), d.minDeltaFrames(),
        maxDeltaFrames, d.maxDeltaBins(), d.hashVersion());
  }

  /** Writes {@code seconds} of {@link #SONG} from {@code fromSecond} as a WAV file at {@code rate}. */
  private static void writeClip(Path clip, int rate, int fromSecond, int seconds)
      throws IOException {
    // the decoder may return another rate than asked for (MPEG-1 in Java: 11,025 Hz for 8 kHz)
    try (PcmSource source = Resampler.resample(AudioDecoders.open(SONG, rate), rate)) {
      float[] all = PcmSource.readAll(source, (fromSecond + seconds) * rate);
      SampleGenerator.writeWav(clip, Arrays.copyOfRange(all, fromSecond * rate, all.length), rate);
    }
  }

  private static float[] tone(int rate, double seconds) {
    float[] x = new float[(int) (rate * seconds)];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / rate)
          + 0.2 * Math.sin(2 * Math.PI * (600 + 200 * Math.sin(i / (double) rate)) * i / rate));
    }
    return x;
  }
}
