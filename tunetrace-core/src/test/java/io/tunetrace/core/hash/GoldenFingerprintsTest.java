package io.tunetrace.core.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.Fingerprinter;
import io.tunetrace.core.testing.TestMusic;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fingerprints of a fixed synthesized piece with the default parameters, compared with a committed
 * file. Any change to the pipeline or the hash layout that would make old indexes unreadable shows
 * up here; rewrite the file (run with -Dtunetrace.golden.write=DIR) only together with a new
 * {@link HashLayout#VERSION} or a documented parameter change. The comparison allows 1% of pairs to
 * differ, for last-bit floating-point differences between JVMs.
 */
class GoldenFingerprintsTest {
  private static final String RESOURCE = "/golden/piece7-8000hz-v1.txt";

  static List<String> current() {
    FingerprintParams params = FingerprintParams.DEFAULT;
    float[] pcm = TestMusic.piece(7, 20, 22050);
    Fingerprints fp = new Fingerprinter(params).fingerprint(pcm, 22050);
    List<String> lines = new java.util.ArrayList<>();
    lines.add("# params " + params.toConfigString());
    for (int i = 0; i < fp.size(); i++) {
      lines.add(Integer.toHexString(fp.hash(i)) + " " + fp.frame(i));
    }
    return lines;
  }

  @Test
  void defaultPipelineStillMakesTheGoldenHashes() throws IOException {
    List<String> now = current();
    String dir = System.getProperty("tunetrace.golden.write");
    if (dir != null) {
      Files.write(Path.of(dir, "piece7-8000hz-v1.txt"), now, StandardCharsets.UTF_8);
    }
    List<String> golden;
    try (InputStream in = GoldenFingerprintsTest.class.getResourceAsStream(RESOURCE)) {
      golden = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    assertEquals(golden.get(0), now.get(0), "default parameters changed");
    Set<String> expected = new HashSet<>(golden.subList(1, golden.size()));
    Set<String> actual = new HashSet<>(now.subList(1, now.size()));
    assertTrue(expected.size() > 500, "golden file too small: " + expected.size());
    Set<String> common = new HashSet<>(expected);
    common.retainAll(actual);
    double overlap = (double) common.size() / Math.max(expected.size(), actual.size());
    assertTrue(overlap >= 0.99, "only " + Math.round(overlap * 1000) / 10.0
        + "% of (hash, frame) pairs as in " + RESOURCE);
  }
}
