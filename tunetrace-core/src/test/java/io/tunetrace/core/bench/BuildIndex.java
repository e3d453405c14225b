package io.tunetrace.core.bench;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.index.EmbeddedFingerprintIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Builds an embedded index with other fingerprint parameters than the defaults, for the bench
 * harnesses ({@link DecideCheck} reads the index's own): {@code BuildIndex INDEX OVERRIDES DIR...},
 * where {@code OVERRIDES} is {@code key=value,...} over {@link FingerprintParams#DEFAULT}'s config
 * string (for example {@code peakBinRadiusDivisor=8,peakBinRadiusMin=3}, docs/MATCHING.md §1) or
 * {@code -} for none. Adds the audio files (by extension) of each folder, not recursively,
 * sorted by path, on every core, as {@code tunetrace add} would.
 */
public final class BuildIndex {
  private static final java.util.regex.Pattern AUDIO = java.util.regex.Pattern.compile(
      "\\.(wav|mp3|ogg|opus|flac|m4a)$", java.util.regex.Pattern.CASE_INSENSITIVE);

  private BuildIndex() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      throw new IllegalArgumentException("usage: BuildIndex INDEX OVERRIDES|- DIR...");
    }
    FingerprintParams params = withOverrides(FingerprintParams.DEFAULT, args[1]);
    List<Path> files = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      try (Stream<Path> listing = Files.list(Path.of(args[i]))) {
        listing.filter(f -> Files.isRegularFile(f) && AUDIO.matcher(f.toString()).find())
            .sorted().forEach(files::add);
      }
    }
    try (TuneTrace tt = TuneTrace.using(EmbeddedFingerprintIndex.open(Path.of(args[0]), params))) {
      files.parallelStream().forEach(file -> {
        try {
          tt.add(file, TuneTrace.nameOf(file));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot add " + file, e);
        }
      });
      System.out.println(tt.index().stats() + "\n" + params.toConfigString());
    }
  }

  /** {@code base} with the {@code key=value,...} pairs of {@code overrides} ({@code -}: none). */
  static FingerprintParams withOverrides(FingerprintParams base, String overrides) {
    if (overrides.equals("-")) {
      return base;
    }
    java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
    for (String part : (base.toConfigString() + "," + overrides).split(",")) {
      values.put(part.substring(0, part.indexOf('=')), part.substring(part.indexOf('=') + 1));
    }
    StringBuilder config = new StringBuilder();
    values.forEach((k, v) -> config.append(config.length() == 0 ? "" : ",").append(k).append('=')
        .append(v));
    return FingerprintParams.fromConfigString(config.toString());
  }
}
