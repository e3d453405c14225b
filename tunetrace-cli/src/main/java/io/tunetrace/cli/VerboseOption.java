package io.tunetrace.cli;

import picocli.CommandLine.Option;

/** The {@code --verbose} option of every command: stack traces with errors. */
final class VerboseOption {
  @Option(names = "--verbose", description = "Print stack traces with errors.")
  boolean verbose;
}
