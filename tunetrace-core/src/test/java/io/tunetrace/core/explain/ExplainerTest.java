package io.tunetrace.core.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.ClipTooShortException;
import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.Fingerprinter;
import io.tunetrace.core.Match;
import io.tunetrace.core.MatchResult;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.index.InMemoryFingerprintIndex;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.core.match.MatchDecision;
import io.tunetrace.core.testing.TestMusic;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ExplainerTest {
  static final int RATE = 22050;
  static InMemoryFingerprintIndex index;
  static Recognizer recognizer;
  static Explainer explainer;
  static final List<float[]> tracks = new ArrayList<>();
  static final List<Track> stored = new ArrayList<>();
  /** The reference audio, from memory: the test's "files". */
  static final ReferenceAudio AUDIO = track -> {
    for (int i = 0; i < stored.size(); i++) {
      if (stored.get(i).id() == track.id()) {
        return Optional.of(PcmSource.of(tracks.get(i), RATE));
      }
    }
    return Optional.empty();
  };

  @BeforeAll
  static void indexFourPieces() {
    index = new InMemoryFingerprintIndex(FingerprintParams.DEFAULT);
    Fingerprinter fingerprinter = new Fingerprinter(FingerprintParams.DEFAULT);
    for (int i = 0; i < 4; i++) {
      float[] pcm = TestMusic.piece(300 + i, 30, RATE);
      tracks.add(pcm);
      stored.add(index.add(new TrackMetadata("piece " + i, "tests", "", "piece" + i + ".wav",
          pcm.length * 1000L / RATE, ""), fingerprinter.fingerprint(pcm, RATE)));
    }
    recognizer = new Recognizer(index);
    explainer = new Explainer(recognizer);
  }

  @AfterAll
  static void close() {
    index.close();
  }

  @Test
  void explainsAMatchWithTheVotedPairsTheWinningDeltaAndTheReference() {
    int offset = 11 * RATE + 500;
    float[] clip = TestMusic.withWhiteNoise(TestMusic.clip(tracks.get(2), offset, 6 * RATE), 10, 7);
    Match match = recognizer.recognize(clip, RATE).best().orElseThrow();
    Explanation e = explainer.explain(clip, RATE, AUDIO);

    assertTrue(e.accepted(), e.reason());
    Explanation.Candidate c = e.candidate().orElseThrow();
    assertEquals("piece 2", c.title());
    assertEquals(match.confidence(), c.votes());
    assertEquals(match.score(), c.score(), 1e-9);
    assertEquals(match.deltaMillis(), c.deltaMillis());
    assertEquals(1.0, c.timeScale());
    assertTrue(e.reason().startsWith("Accepted: score "), e.reason());
    assertTrue(e.reason().contains(" peaks land on the track's peaks there"), e.reason());
    assertTrue(e.reason().contains(", and the clip's spectrum peaks at "), e.reason());
    // Every voted pair, moved by the alignment, lands where the clip was cut from.
    assertEquals(c.votes(), e.pairs().size());
    for (Explanation.VotedPair p : e.pairs()) {
      assertEquals(offset * 1000.0 / RATE, p.refAnchor().millis() - p.queryAnchor().millis(), 20);
      assertEquals(p.queryAnchor().hz(), p.refAnchor().hz(), 1e-9);
      assertTrue(p.queryTarget().millis() > p.queryAnchor().millis());
    }
    // The winning Δt stands far above the background.
    Explanation.VoteHistogram h = e.votes();
    assertTrue(h.count(h.winningBin()) >= c.votes(), h.count(h.winningBin()) + " < " + c.votes());
    assertTrue(h.count(h.winningBin()) > 3 * Math.max(1, h.background()),
        "winner " + h.count(h.winningBin()) + ", background " + h.background());
    assertEquals(offset * 1000.0 / RATE, h.firstMillis() + (h.winningBin() + 0.5) * h.binMillis(),
        h.binMillis());
    // The reference spans the clip's stretch of the track, and its audio is the clip's.
    Spectrogram ref = e.reference().orElseThrow(() -> new AssertionError(e.referenceProblem()));
    assertEquals(offset * 1000.0 / RATE, ref.startMillis(), 20);
    assertEquals(e.query().frames(), ref.frames(), 2);
    assertEquals("", e.referenceProblem());
    assertFalse(e.queryPeaks().isEmpty());
  }

  @Test
  void explainsARefusalWithTheBestCandidateAndWhyAndAgreesWithTheRecognizer() {
    float[] unknown = TestMusic.withWhiteNoise(TestMusic.piece(999, 6, RATE), 10, 3);
    MatchResult result = recognizer.recognize(unknown, RATE);
    Explanation e = explainer.explain(unknown, RATE, AUDIO);
    assertFalse(result.matched());
    assertFalse(e.accepted());
    assertTrue(e.reason().startsWith("Refused: "), e.reason());
    e.candidate().ifPresent(c -> {
      assertTrue(c.score() < MatchDecision.THRESHOLD, "score " + c.score());
      assertTrue(e.reason().contains(String.format(java.util.Locale.ROOT, "score %.2f < 0.45", c.score())),
          e.reason());
    });
  }

  @Test
  void saysWhenTheReferenceAudioCannotBeReached() {
    float[] clip = TestMusic.clip(tracks.get(1), 5 * RATE, 5 * RATE);
    Explanation e = explainer.explain(clip, RATE, track -> Optional.empty());
    assertTrue(e.accepted());
    assertTrue(e.reference().isEmpty());
    assertEquals("the track's audio is not reachable (piece1.wav)", e.referenceProblem());
  }

  @Test
  void refusesAClipShorterThanTheRecognizerAccepts() {
    ClipTooShortException x = assertThrows(ClipTooShortException.class,
        () -> explainer.explain(new float[RATE / 2], RATE, AUDIO));
    assertEquals("clip too short: 500 ms of audio, at least 1000 ms needed", x.getMessage());
  }

  @Test
  void drawsAPngOfTheDocumentedSizeAndAnSvgWithItsParts() throws Exception {
    float[] clip = TestMusic.withWhiteNoise(TestMusic.clip(tracks.get(0), 3 * RATE, 6 * RATE), 15, 1);
    Explanation e = explainer.explain(clip, RATE, AUDIO);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ExplanationPicture.writePng(e, png);
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png.toByteArray()));
    assertEquals(ExplanationPicture.WIDTH, img.getWidth());
    assertEquals(ExplanationPicture.HEIGHT, img.getHeight());
    assertTrue(countPixels(img, ExplanationPicture.PAIR) > 50, "voted pairs drawn");
    assertTrue(countPixels(img, ExplanationPicture.WINNER) > 50, "winning Δt drawn");

    String svg = ExplanationPicture.svg(e);
    for (String id : List.of("explain-numbers", "explain-query", "explain-reference",
        "explain-pairs", "explain-histogram", "explain-legend")) {
      assertTrue(svg.contains("<g id=\"" + id + "\">"), id);
    }
    assertEquals(2 * e.pairs().size(), count(svg, "class=\"voted-pair\""));
    assertEquals(1, count(svg, "class=\"bar winning\""));
    assertEquals(2, count(svg, "class=\"spectrogram\""));
    assertTrue(svg.contains("Match: piece 0 by tests"));
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  private static int countPixels(BufferedImage img, java.awt.Color c) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xFFFFFF) == (c.getRGB() & 0xFFFFFF)) {
          n++;
        }
      }
    }
    return n;
  }
}
