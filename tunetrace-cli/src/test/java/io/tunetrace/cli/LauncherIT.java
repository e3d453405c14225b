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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./tunetrace} launcher's class-data-sharing archive: recorded by the first run, used
 * by later ones (picocli's Java 5 classes included), recorded again when stale, harmless when
 * corrupt, and safe when several first runs race; and the java it runs (TUNETRACE_JAVA, JAVA_HOME). Each test runs a copy of the launcher beside a copy of the packaged jar in a
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
    return start(Map.of(), args);
  }

  /** Starts the launcher with {@code env} added to a clean environment (no TUNETRACE_* settings). */
  private Process start(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(root.resolve("tunetrace").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("TUNETRACE_NO_BUILD", "1");
    pb.environment().remove("TUNETRACE_JAVA_OPTS");
    pb.environment().remove("TUNETRACE_CDS");
    pb.environment().remove("TUNETRACE_JAVA");
    pb.environment().remove("JAVA_HOME");
    pb.environment().putAll(env);
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
    assertEquals(List.of(), files(".classlist"));
  }

  @Test
  void theArchiveHoldsPicocliWhoseClassFilesAreJava5() throws Exception {
    assertVersionPrintedCleanly(run("--version"));
    Path log = root.resolve("classes.log");
    assertVersionPrintedCleanly(finish(start(
        Map.of("TUNETRACE_JAVA_OPTS", "-Xlog:class+load=info:file=" + log), "--version")));
    List<String> picocli = Files.readAllLines(log).stream()
        .filter(line -> line.contains(" picocli.CommandLine source: ")).toList();
    assertEquals(1, picocli.size(), picocli.toString());
    assertTrue(picocli.get(0).endsWith(" source: shared objects file"), picocli.get(0));
  }

  @Test
  void runsTheJavaNamedByTunetraceJava() throws Exception {
    // A JDK whose java records its arguments and runs this JVM; its release file names version 99.
    Path jdk = Files.createDirectories(root.resolve("jdk").resolve("bin")).getParent();
    Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"99.0.1\"\n");
    Path java = jdk.resolve("bin").resolve("java");
    Path calls = root.resolve("calls");
    Files.writeString(java, "#!/bin/sh\necho \"$*\" >>'" + calls + "'\nexec '"
        + Path.of(System.getProperty("java.home"), "bin", "java") + "' \"$@\"\n");
    assertTrue(java.toFile().setExecutable(true));

    assertVersionPrintedCleanly(finish(start(Map.of("TUNETRACE_JAVA", java.toString()), "--version")));
    List<String> names = files(".jsa").stream().map(f -> f.getFileName().toString()).toList();
    assertEquals(List.of("tunetrace-cli-" + version + "-all.jvm-99.0.1.top-quick.jsa"), names);
    List<String> lines = Files.readAllLines(calls);
    assertEquals(2, lines.size(), lines.toString()); // the run that lists the classes, the dump
    assertTrue(lines.get(0).contains("-XX:DumpLoadedClassList="), lines.get(0));
    assertTrue(lines.get(1).startsWith("-Xshare:dump "), lines.get(1));

    // JAVA_HOME is the fallback, and TUNETRACE_JAVA wins over it.
    assertVersionPrintedCleanly(finish(start(Map.of("JAVA_HOME", jdk.toString()), "--version")));
    assertEquals(3, Files.readAllLines(calls).size());
    assertVersionPrintedCleanly(finish(start(
        Map.of("JAVA_HOME", root.resolve("no-jdk").toString(), "TUNETRACE_JAVA", java.toString()),
        "--version")));
    assertEquals(4, Files.readAllLines(calls).size());
  }

  @Test
  void aMissingJavaIsOneLineAndExitCodeTwo() throws Exception {
    Path missing = root.resolve("no-jdk").resolve("bin").resolve("java");
    assertEquals(new Run(2, "", "tunetrace: java not found: " + missing
            + " (TuneTrace needs a JDK 17 or newer; set TUNETRACE_JAVA)\n"),
        finish(start(Map.of("TUNETRACE_JAVA", missing.toString()), "--version")));
    assertEquals(List.of(), files(".jsa"));
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
    assertEquals(List.of(), files(".classlist"));
    assertVersionPrintedCleanly(run("--version"));
  }

  @Test
  void withCdsOffNoArchiveIsWritten() throws Exception {
    assertVersionPrintedCleanly(finish(start(Map.of("TUNETRACE_CDS", "off"), "--version")));
    assertEquals(List.of(), files(".jsa"));
    assertEquals(List.of(), files(".classlist"));
  }
}
