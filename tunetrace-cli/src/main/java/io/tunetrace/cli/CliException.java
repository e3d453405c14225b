package io.tunetrace.cli;

/** A failure the CLI explains in one line (no stack trace needed). */
final class CliException extends RuntimeException {
  CliException(String message) {
    super(message);
  }
}
