package io.tunetrace.cli;

import io.tunetrace.core.audio.AudioTags;
import io.tunetrace.core.index.TrackMetadata;
import java.nio.file.Path;

/** Title, artist and album of a file: from its tags, else from its name. */
final class TrackNames {
  private TrackNames() {}

  /** Tags win field by field; missing title/artist come from the file name. */
  static TrackMetadata of(Path file) {
    TrackMetadata named = fromFile(file);
    AudioTags.Tags tags = AudioTags.read(file).orElse(null);
    if (tags == null) {
      return named;
    }
    return new TrackMetadata(
        tags.title() != null ? tags.title() : named.title(),
        tags.artist() != null ? tags.artist() : named.artist(),
        tags.album() != null ? tags.album() : "",
        "",
        0,
        "");
  }

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
