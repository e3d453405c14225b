package io.tunetrace.core.explain;

import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.index.Track;
import java.io.IOException;
import java.util.Optional;

/**
 * Opens the audio of an indexed track, for the reference half of an {@link Explanation}: the
 * embedded index keeps the file's path, the server keeps the object in its blob store.
 */
@FunctionalInterface
public interface ReferenceAudio {
  /** The track's audio (the caller closes it), or empty when it cannot be reached. */
  Optional<PcmSource> open(Track track) throws IOException;

  /** Opens {@link io.tunetrace.core.index.TrackMetadata#sourcePath()} as a file, if it exists. */
  static ReferenceAudio files() {
    return track -> {
      String path = track.metadata().sourcePath();
      if (path.isEmpty() || !java.nio.file.Files.isRegularFile(java.nio.file.Path.of(path))) {
        return Optional.empty();
      }
      return Optional.of(io.tunetrace.core.audio.AudioDecoders.open(java.nio.file.Path.of(path)));
    };
  }
}
