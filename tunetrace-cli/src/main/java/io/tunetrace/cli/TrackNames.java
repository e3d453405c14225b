package io.tunetrace.cli;

import io.tunetrace.core.index.TrackMetadata;
import java.nio.file.Path;

/** Title and artist for a file that carries no tags: from its name. */
final class TrackNames {
  private TrackNames() {}

  /**
   * "Artist - Title.mp3" gives artist and title; any other name gives the title only. Underscores
   * read as spaces.
   */
  static TrackMetadata fromFile(Path file) {
    String stem = AudioFiles.stem(file).replace('_', ' ').strip();
    if (stem.isEmpty()) {
      stem = file.getFileName().toString();
    }
    int dash = stem.indexOf(" - ");
    if (dash > 0 && dash + 3 < stem.length()) {
      String artist = stem.substring(0, dash).strip();
      String title = stem.substring(dash + 3).strip();
      if (!artist.isEmpty() && !title.isEmpty()) {
        return new TrackMetadata(title, artist, "", "", 0, "");
      }
    }
    return new TrackMetadata(stem, "", "", "", 0, "");
  }
}
