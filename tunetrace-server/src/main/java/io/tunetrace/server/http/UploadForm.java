package io.tunetrace.server.http;

import java.util.ArrayList;
import java.util.List;

/**
 * The text fields of {@code POST /tracks}, trimmed. {@link #of} refuses, with one message per
 * problem, a missing title or artist, a field longer than {@link #MAX_CHARACTERS} characters
 * (Unicode code points: an emoji is one character, not two UTF-16 units) and control characters
 * (NUL, escape, line breaks, ... — they are never part of a title and some cannot be stored).
 * Immutable.
 */
public record UploadForm(String title, String artist, String album) {
  public static final int MAX_CHARACTERS = 200;

  /** Trims and validates; throws a 400 {@link ApiException} listing every problem. */
  public static UploadForm of(String title, String artist, String album) {
    UploadForm form = new UploadForm(trim(title), trim(artist), album == null ? "" : album.trim());
    List<String> problems = new ArrayList<>();
    check("title", form.title, true, problems);
    check("artist", form.artist, true, problems);
    check("album", form.album, false, problems);
    if (!problems.isEmpty()) {
      throw ApiException.badRequest(String.join("; ", problems));
    }
    return form;
  }

  private static void check(String name, String value, boolean required, List<String> problems) {
    if (value == null || value.isEmpty()) {
      if (required) {
        problems.add(name + " is required");
      }
      return;
    }
    int control = value.codePoints().filter(Character::isISOControl).findFirst().orElse(-1);
    if (control >= 0) {
      problems.add(String.format("%s must not contain control characters (U+%04X)", name, control));
    }
    if (value.codePointCount(0, value.length()) > MAX_CHARACTERS) {
      problems.add(name + " must be at most " + MAX_CHARACTERS + " characters");
    }
    if (value.codePoints().anyMatch(c -> Character.getType(c) == Character.SURROGATE)) {
      problems.add(name + " is not valid Unicode (a lone surrogate)");
    }
  }

  private static String trim(String s) {
    return s == null ? null : s.strip();
  }
}
