package io.tunetrace.server.http;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** The text fields of {@code POST /tracks}, trimmed before validation. */
public record UploadForm(
    @NotBlank(message = "is required") @Size(max = 200, message = "must be at most 200 characters") String title,
    @NotBlank(message = "is required") @Size(max = 200, message = "must be at most 200 characters") String artist,
    @Size(max = 200, message = "must be at most 200 characters") String album) {

  public static UploadForm of(String title, String artist, String album) {
    return new UploadForm(trim(title), trim(artist), album == null ? "" : album.trim());
  }

  private static String trim(String s) {
    return s == null ? null : s.trim();
  }
}
