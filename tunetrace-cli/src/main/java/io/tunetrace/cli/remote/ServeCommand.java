package io.tunetrace.cli.remote;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tunetrace serve}: runs the server from its own jar ({@code tunetrace-server-*-all.jar}) in
 * a child JVM that shares this process's terminal, and returns its exit code. The CLI jar does not
 * carry the server. Configuration comes from the environment (see {@code .env.example}); with no
 * DATABASE_URL, REDIS_URL and S3_ENDPOINT the server runs in embedded mode under DATA_DIR, which
 * defaults to {@code ~/.tunetrace/server} here.
 *
 * <p>The server's jar is, in order: {@code $TUNETRACE_SERVER_JAR} (the {@code ./tunetrace} launcher
 * builds it and sets this), the newest {@code tunetrace-server-*-all.jar} beside the CLI's jar, or
 * the one in {@code tunetrace-server/target} of the source tree the CLI was built in.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Start the TuneTrace server (HTTP API, WebSocket recognition, workers) from its own jar.",
        "Configured by environment variables (PORT, DATABASE_URL, REDIS_URL, S3_ENDPOINT, JWT_SECRET, ...);",
        "without DATABASE_URL/REDIS_URL/S3_ENDPOINT it runs in embedded mode under DATA_DIR",
        "(default ~/.tunetrace/server), prints a development token, and upload/recognize on this",
        "machine sign their own from DATA_DIR/jwt-secret.",
        "Server jar: $TUNETRACE_SERVER_JAR, else tunetrace-server-*-all.jar beside this jar or in",
        "tunetrace-server/target; JVM options for it: $TUNETRACE_SERVER_JAVA_OPTS."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped", "1:could not start", "2:invalid configuration or no server jar"})
public final class ServeCommand implements Callable<Integer> {
  /** How long a stopping server may take before it is killed (its own grace is 30 s by default). */
  private static final long STOP_WAIT_SECONDS = 120;

  @Option(names = "--port", description = "Port to listen on (overrides PORT).")
  Integer port;

  @Option(names = "--host", description = "Address to bind (overrides HOST).")
  String host;

  @Option(names = "--data-dir", description = "Embedded-mode data directory (overrides DATA_DIR; default ~/.tunetrace/server).")
  String dataDir;

  /** The environment the server will see: the process's, with the options applied. */
  Map<String, String> environment(Map<String, String> base) {
    Map<String, String> env = new HashMap<>(base);
    if (port != null) {
      env.put("PORT", Integer.toString(port));
    }
    if (host != null) {
      env.put("HOST", host);
    }
    if (dataDir != null) {
      env.put("DATA_DIR", dataDir);
    } else if (!env.containsKey("DATA_DIR")) {
      env.put("DATA_DIR", io.tunetrace.client.LocalServerToken
          .defaultDataDir(Path.of(System.getProperty("user.home"))).toString());
    }
    return env;
  }

  /**
   * The server's jar: {@code TUNETRACE_SERVER_JAR} when set (it must exist), else the newest
   * {@code tunetrace-server-*-all.jar} in {@code cliLocation}'s directory or in the source tree's
   * {@code tunetrace-server/target}.
   *
   * @param cliLocation the CLI's jar, or its classes directory
   * @throws IllegalStateException saying where it looked and how to build the jar
   */
  static Path serverJar(Map<String, String> env, Path cliLocation) {
    String configured = env.get("TUNETRACE_SERVER_JAR");
    if (configured != null && !configured.isBlank()) {
      Path jar = Path.of(configured);
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException("TUNETRACE_SERVER_JAR is not a file: " + jar);
      }
      return jar;
    }
    Path dir = cliLocation.toAbsolutePath().getParent(); // .../tunetrace-cli/target
    List<Path> places = new ArrayList<>();
    places.add(dir);
    if (dir.getParent() != null && dir.getParent().getParent() != null) {
      places.add(dir.getParent().getParent().resolve("tunetrace-server").resolve("target"));
    }
    for (Path place : places) {
      Optional<Path> jar = newestServerJar(place);
      if (jar.isPresent()) {
        return jar.get();
      }
    }
    throw new IllegalStateException("the server's jar (tunetrace-server-*-all.jar) is not in "
        + String.join(" or ", places.stream().map(Path::toString).toList())
        + ": build it with `./mvnw -B -DskipTests -pl tunetrace-server -am package` (./tunetrace serve"
        + " does), or set TUNETRACE_SERVER_JAR");
  }

  private static Optional<Path> newestServerJar(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> {
        String name = f.getFileName().toString();
        return name.startsWith("tunetrace-server-") && name.endsWith("-all.jar") && Files.isRegularFile(f);
      }).max(Comparator.comparing(ServeCommand::modified));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static long modified(Path f) {
    try {
      return Files.getLastModifiedTime(f).toMillis();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code java [TUNETRACE_SERVER_JAVA_OPTS...] -jar JAR}, with this JVM's {@code java}. */
  static List<String> command(Map<String, String> env, Path javaHome, Path jar) {
    List<String> command = new ArrayList<>();
    command.add(javaHome.resolve("bin").resolve("java").toString());
    String opts = env.getOrDefault("TUNETRACE_SERVER_JAVA_OPTS", "").strip();
    if (!opts.isEmpty()) {
      command.addAll(Arrays.asList(opts.split("\\s+")));
    }
    command.add("-jar");
    command.add(jar.toString());
    return command;
  }

  private static Path cliLocation() {
    try {
      CodeSource source = ServeCommand.class.getProtectionDomain().getCodeSource();
      return Path.of(source.getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      return Path.of(".").toAbsolutePath();
    }
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    Map<String, String> env = environment(System.getenv());
    Path jar;
    try {
      jar = serverJar(env, cliLocation());
    } catch (IllegalStateException e) {
      System.err.println("serve: " + e.getMessage());
      return 2;
    }
    ProcessBuilder builder = new ProcessBuilder(
        command(env, Path.of(System.getProperty("java.home")), jar)).inheritIO();
    builder.environment().clear();
    builder.environment().putAll(env);
    Process server = builder.start();
    // Ctrl-C reaches both JVMs; a SIGTERM to this one alone is passed on, and this one waits.
    Thread stop = new Thread(() -> {
      server.destroy();
      try {
        if (!server.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      } catch (InterruptedException e) {
        server.destroyForcibly();
      }
    }, "tunetrace-serve-stop");
    Runtime.getRuntime().addShutdownHook(stop);
    int code = server.waitFor();
    try {
      Runtime.getRuntime().removeShutdownHook(stop);
    } catch (IllegalStateException e) {
      // already shutting down: the hook has run or is running
    }
    return code;
  }
}
