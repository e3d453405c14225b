package io.tunetrace.core.index;

import io.tunetrace.core.hash.Fingerprints;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Child process of {@link EmbeddedIndexCrashTest}: adds, removes and compacts in a loop until it is
 * killed. Track titles encode the seed of their fingerprints, so the test can check them. An
 * optional third argument sets the maximum segment size, so merges split their output.
 */
public final class CrashWriterMain {
  private CrashWriterMain() {}

  /** The fingerprints of the track with this title. */
  static Fingerprints fingerprintsFor(String title) {
    String[] parts = title.split("-");
    long seed = Long.parseLong(parts[1]) * 1_000_003L + Long.parseLong(parts[2]);
    int seconds = Integer.parseInt(parts[3]);
    return SyntheticPostings.track(new Random(seed), seconds, 40);
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    int run = Integer.parseInt(args[1]);
    Random random = new Random(run);
    long maxSegmentBytes = args.length > 2 ? Long.parseLong(args[2])
        : EmbeddedFingerprintIndex.DEFAULT_MAX_SEGMENT_BYTES;
    try (EmbeddedFingerprintIndex index = EmbeddedFingerprintIndex.open(dir, null, maxSegmentBytes)) {
      System.out.println("ready");
      System.out.flush();
      for (int n = 0; ; n++) {
        List<NewTrack> batch = new ArrayList<>();
        int tracks = 1 + random.nextInt(3);
        for (int i = 0; i < tracks; i++) {
          String title = "crash-" + run + "-" + (n * 10 + i) + "-" + (30 + random.nextInt(200));
          batch.add(new NewTrack(new TrackMetadata(title, "", "", "", 1000, ""),
              fingerprintsFor(title)));
        }
        index.add(batch);
        if (n % 4 == 3) {
          List<Track> all = index.tracks();
          index.remove(all.get(random.nextInt(all.size())).id());
        }
        if (n % 9 == 8) {
          index.compact();
        }
      }
    }
  }
}
