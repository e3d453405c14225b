package io.tunetrace.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the jar's implementation version (or "dev" when run from classes). */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {"tunetrace " + (version == null ? "dev" : version)};
  }
}
