package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./tunetrace} launcher's class-data-sharing archive: recorded by the first run, used
 * by later ones, recorded again when stale, harmless when corrupt, and safe when several first
 * runs race. Each test runs a copy of the launcher beside a copy of the packaged jar in a
 * directory of its own ({@code TUNETRACE_NO_BUILD=1}), so the repository's archives are not
 * touched.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LauncherIT {
  private static final Path REPO = Path.of(System.getProperty("tunetrace.repo", ".."))
      .toAbsolutePath().normalize();
  private static final Path JAR = Path.of(System.getProperty("tunetrace.cli.jar", "target/none.jar"));

  @TempDir Path root;
  private Path target;
  private String version;

  record Run(int exitCode, String out, String err) {}

  @BeforeEach
  void copyLauncherAndJar() throws Exception {
    assertTrue(Files.isRegularFile(JAR), "package the CLI first: " + JAR);
    Files.copy(REPO.resolve("tunetrace"), root.resolve("tunetrace"), StandardCopyOption.COPY_ATTRIBUTES);
    target = Files.createDirectories(root.resolve("tunetrace-cli").resolve("target"));
    Files.copy(JAR, target.resolve(JAR.getFileName()));
    String name = JAR.getFileName().toString();
    version = name.substring("tunetrace-cli-".length(), name.length() - "-all.jar".length());
  }

  private Process start(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(root.resolve("tunetrace").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("TUNETRACE_NO_BUILD", "1");
    pb.environment().remove("TUNETRACE_JAVA_OPTS");
    pb.environment().remove("TUNETRACE_CDS");
    return pb.start();
  }

  private static Run finish(Process p) throws Exception {
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launcher did not finish");
    return new Run(p.exitValue(), new String(out), new String(err));
  }

  private Run run(String... args) throws Exception {
    return finish(start(args));
  }

  private List<Path> files(String suffix) throws Exception {
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }

  private void assertVersionPrintedCleanly(Run r) {
    assertEquals(new Run(0, "tunetrace " + version + "\n", ""), r);
  }

  @Test
  void theFirstRunRecordsAnArchiveThatLaterRunsUse() throws Exception {
    assertEquals(List.of(), files(".jsa"));
    assertVersionPrintedCleanly(run("--version"));
    List<Path> archives = files(".jsa");
    assertEquals(1, archives.size(), archives.toString());
    assertTrue(archives.get(0).getFileName().toString().endsWith(".top-quick.jsa"), archives.toString());
    FileTime recorded = Files.getLastModifiedTime(archives.get(0));
    assertTrue(Files.size(archives.get(0)) > 100_000, "archive size " + Files.size(archives.get(0)));

    assertVersionPrintedCleanly(run("--version"));
    assertEquals(archives, files(".jsa"));
    assertEquals(recorded, Files.getLastModifiedTime(archives.get(0)), "a valid archive is kept");
    assertEquals(List.of(), files(".partial"));
  }

  @Test
  void eachSubcommandGetsItsOwnArchive() throws Exception {
    Run missing = run("list", "--index", root.resolve("no-index").toString());
    assertEquals(2, missing.exitCode());
    assertEquals("tunetrace: no index at " + root.resolve("no-index")
        + "; create one with: tunetrace add PATH...\n", missing.err());
    assertVersionPrintedCleanly(run("--version"));
    List<String> names = files(".jsa").stream().map(f -> f.getFileName().toString()).toList();
    assertEquals(2, names.size(), names.toString());
    assertTrue(names.get(0).endsWith(".list-quick.jsa") && names.get(1).endsWith(".top-quick.jsa"),
        names.toString());
  }

  @Test
  void aStaleArchiveIsRecordedAgain() throws Exception {
    assertVersionPrintedCleanly(run("--version"));
    Path archive = files(".jsa").get(0);
    Files.setLastModifiedTime(archive, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
    Files.setLastModifiedTime(target.resolve(JAR.getFileName()),
        FileTime.fromMillis(System.currentTimeMillis() - 60_000)); // a jar rebuilt after the archive
    assertVersionPrintedCleanly(run("--version"));
    assertTrue(Files.getLastModifiedTime(archive).toMillis() > System.currentTimeMillis() - 60_000,
        "archive recorded again");
  }

  @Test
  void aCorruptArchiveIsIgnoredSilently() throws Exception {
    assertVersionPrintedCleanly(run("--version"));
    Path archive = files(".jsa").get(0);
    byte[] garbage = new byte[200_000];
    new java.util.Random(7).nextBytes(garbage);
    Files.write(archive, garbage);
    assertVersionPrintedCleanly(run("--version"));
    Files.write(archive, new byte[0]);
    assertVersionPrintedCleanly(run("--version"));
    assertTrue(Files.size(archive) > 100_000, "an empty archive is recorded again");
  }

  @Test
  void firstRunsThatRaceLeaveOneWholeArchive() throws Exception {
    List<Process> racing = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      racing.add(start("--version"));
    }
    for (Process p : racing) {
      assertVersionPrintedCleanly(finish(p));
    }
    assertEquals(1, files(".jsa").size(), files(".jsa").toString());
    assertEquals(List.of(), files(".partial"));
    assertVersionPrintedCleanly(run("--version"));
  }

  @Test
  void withCdsOffNoArchiveIsWritten() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(root.resolve("tunetrace").toString(), "--version")
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("TUNETRACE_NO_BUILD", "1");
    pb.environment().put("TUNETRACE_CDS", "off");
    assertVersionPrintedCleanly(finish(pb.start()));
    assertEquals(List.of(), files(".jsa"));
  }
}
