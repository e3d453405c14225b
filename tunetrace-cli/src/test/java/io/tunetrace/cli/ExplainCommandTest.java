package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.explain.ExplanationPicture;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tunetrace explain} on a real embedded index of samples/: PNG and SVG, match and not. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class ExplainCommandTest {
  @TempDir static Path tmp;
  Path index;

  @BeforeAll
  void addTwoSamples() {
    index = tmp.resolve("index");
    Cli add = Cli.run("add", "--index", index.toString(),
        Cli.samples().resolve("blue-lantern.mp3").toString(),
        Cli.samples().resolve("amber-steps.wav").toString());
    assertEquals(0, add.exitCode(), add.err());
  }

  private Path clip(String sample, long startMillis, String name) throws IOException {
    Pcm pcm = Pcm.read(Cli.samples().resolve(sample)).cut(startMillis, 6000).withWhiteNoise(12, 5);
    Path file = tmp.resolve(name);
    SampleGenerator.writeWav(file, pcm.samples(), pcm.sampleRateHz());
    return file;
  }

  @Test
  void writesAPngThatDecodesWithTheDocumentedSizeWithoutADisplay() throws IOException {
    Path clip = clip("blue-lantern.mp3", 8000, "blue.wav");
    Path png = tmp.resolve("out/match.png");
    Cli run = Cli.run("explain", "--index", index.toString(), clip.toString(), "-o", png.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().startsWith("Accepted: score "), run.out());
    assertTrue(run.out().contains("wrote " + png), run.out());
    assertEquals("", run.err());
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(ExplanationPicture.WIDTH, img.getWidth());
    assertEquals(ExplanationPicture.HEIGHT, img.getHeight());
    assertEquals("true", System.getProperty("java.awt.headless", "true"));
  }

  @Test
  void writesAnSvgNamingTheTrackWithTheReferenceReadFromItsPath() throws IOException {
    Path clip = clip("amber-steps.wav", 5000, "amber.wav");
    Path svg = tmp.resolve("match.svg");
    Cli run = Cli.run("explain", "--index", index.toString(), clip.toString(), "-o", svg.toString());
    assertEquals(0, run.exitCode(), run.err());
    String text = Files.readString(svg);
    assertTrue(text.startsWith("<svg "), text.substring(0, 40));
    assertTrue(text.contains("Match: Amber Steps by TuneTrace samples"));
    assertTrue(text.contains("<g id=\"explain-reference\">"));
    // Both spectrograms: the reference was read from the path the index keeps.
    assertEquals(2, text.split("class=\"spectrogram\"", -1).length - 1);
    assertTrue(text.contains("class=\"bar winning\""));
  }

  @Test
  void explainsARefusalForMusicNotInTheIndexAndExitsOne() throws IOException {
    Path clip = clip("ember-tide.mp3", 4000, "ember.wav");
    Path png = tmp.resolve("refused.png");
    Cli run = Cli.run("explain", "--index", index.toString(), clip.toString(), "-o", png.toString());
    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().startsWith("Refused: "), run.out());
    assertTrue(Files.size(png) > 0);
  }

  @Test
  void refusesAnOutputThatIsNeitherPngNorSvgBeforeReadingAnything() {
    Cli run = Cli.run("explain", "--index", index.toString(), "missing.wav", "-o",
        tmp.resolve("x.jpg").toString());
    assertEquals(2, run.exitCode());
    assertEquals("tunetrace: -o must end in .png or .svg: " + tmp.resolve("x.jpg") + "\n", run.err());
    assertFalse(Files.exists(tmp.resolve("x.jpg")));
  }
}
