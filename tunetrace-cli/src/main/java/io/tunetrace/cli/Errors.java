package io.tunetrace.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** Turns exceptions into the one-line messages the CLI prints. Stateless and thread-safe. */
public final class Errors {
  private Errors() {}

  /** "PATH: reason", without repeating the path when the reason already names it. */
  static String about(String path, Throwable t) {
    String line = oneLine(t);
    return line.contains(path) ? line : path + ": " + line;
  }

  /** One line, never empty: the message's first line, or the exception's kind. */
  public static String oneLine(Throwable t) {
    if (t instanceof NoSuchFileException e) {
      return "no such file: " + e.getFile();
    }
    if (t instanceof AccessDeniedException e) {
      return "permission denied: " + e.getFile();
    }
    if (t instanceof FileSystemException e && e.getReason() != null) {
      return e.getReason() + ": " + e.getFile();
    }
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      return t.getCause() != null && t.getCause() != t
          ? oneLine(t.getCause())
          : t.getClass().getSimpleName();
    }
    int newline = message.indexOf('\n');
    String first = (newline >= 0 ? message.substring(0, newline) : message).strip();
    return first.isEmpty() ? t.getClass().getSimpleName() : first;
  }
}
