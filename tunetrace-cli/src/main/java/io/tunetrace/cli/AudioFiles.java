package io.tunetrace.cli;

import io.tunetrace.core.audio.AudioContainer;
import io.tunetrace.core.audio.AudioDecoders;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Expands the paths given to {@code add} and {@code upload}: files as they are, folders
 * recursively. Stateless and thread-safe.
 */
public final class AudioFiles {
  /** Extensions tried in folders even when the content cannot be sniffed (left to ffmpeg). */
  static final Set<String> AUDIO_EXTENSIONS =
      Set.of("wav", "wave", "mp3", "ogg", "oga", "opus", "flac", "m4a", "mp4", "aac", "aif",
          "aiff", "webm", "mka", "wma");

  private AudioFiles() {}

  /**
   * Files named directly are always kept (a failure is then reported); inside folders, regular
   * files are kept when their extension is a known audio one or their leading bytes are audio.
   * Hidden files and folders are skipped. The result is sorted within each folder.
   */
  public static List<Path> expand(List<Path> paths) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          walk.filter(p -> !isHidden(path.relativize(p)))
              .filter(Files::isRegularFile)
              .filter(AudioFiles::looksLikeAudio)
              .sorted()
              .forEach(files::add);
        }
      } else if (Files.exists(path)) {
        files.add(path);
      } else {
        throw new NoSuchFileException(path.toString());
      }
    }
    return files;
  }

  private static boolean isHidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  static boolean looksLikeAudio(Path file) {
    if (AUDIO_EXTENSIONS.contains(extension(file))) {
      return true;
    }
    byte[] head = new byte[64];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      return false;
    }
    try {
      return n > 0 && AudioDecoders.sniff(head, n) != AudioContainer.UNKNOWN;
    } catch (RuntimeException e) {
      return false;
    }
  }

  static String extension(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /** The file name without its extension. */
  static String stem(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot <= 0 ? name : name.substring(0, dot);
  }
}
