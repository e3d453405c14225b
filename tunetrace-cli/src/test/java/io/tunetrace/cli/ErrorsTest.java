package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class ErrorsTest {
  @Test
  void namesMissingAndForbiddenFiles() {
    assertEquals("no such file: a.wav", Errors.oneLine(new NoSuchFileException("a.wav")));
    assertEquals("permission denied: b.wav", Errors.oneLine(new AccessDeniedException("b.wav")));
  }

  @Test
  void keepsOnlyTheFirstLine() {
    assertEquals("index was built with other parameters;",
        Errors.oneLine(new IllegalStateException("index was built with other parameters;\n  index: x")));
  }

  @Test
  void fallsBackToTheCauseThenTheKind() {
    assertEquals("disk full", Errors.oneLine(new RuntimeException(null, new IOException("disk full"))));
    assertEquals("IllegalStateException", Errors.oneLine(new IllegalStateException()));
  }

  @Test
  void doesNotRepeatThePath() {
    assertEquals("no such file: x.wav", Errors.about("x.wav", new NoSuchFileException("x.wav")));
    assertEquals("x.wav: not audio", Errors.about("x.wav", new IOException("not audio")));
  }
}
