package io.tunetrace.cli.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.client.Hs256Tokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RemoteCommandsTest {
  private static final String SECRET = "cli-secret-0123456789abcdef0123456789";

  @TempDir Path tmp;

  /** The token's claims, after checking that it is signed with {@code secret}. */
  private static String claimsSignedWith(String secret, String token) {
    String claims = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
        StandardCharsets.UTF_8);
    long iat = Long.parseLong(claims.replaceAll(".*\"iat\":(\\d+).*", "$1"));
    long exp = Long.parseLong(claims.replaceAll(".*\"exp\":(\\d+).*", "$1"));
    String iss = claims.replaceAll(".*\"iss\":\"([^\"]*)\".*", "$1");
    String sub = claims.replaceAll(".*\"sub\":\"([^\"]*)\".*", "$1");
    assertEquals(Hs256Tokens.issue(secret, iss, sub, iat, exp), token);
    return claims;
  }

  @Test
  void tokenIsSignedWithTheEnvironmentSecret() throws Exception {
    TokenCommand cmd = new TokenCommand();
    new CommandLine(cmd).parseArgs("--subject", "ci", "--ttl", "120");
    String claims = claimsSignedWith(SECRET, cmd.token(Map.of("JWT_SECRET", SECRET), tmp));
    assertTrue(claims.startsWith("{\"iss\":\"tunetrace\",\"sub\":\"ci\","), claims);
  }

  @Test
  void tokenFallsBackToTheEmbeddedSecretFile() throws Exception {
    Path dir = Files.createTempDirectory(tmp, "tt-token");
    TokenCommand cmd = new TokenCommand();
    new CommandLine(cmd).parseArgs();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> cmd.token(Map.of("DATA_DIR", dir.toString()), tmp));
    assertEquals("JWT_SECRET is not set and " + dir.resolve("jwt-secret") + " does not exist"
        + " (start `tunetrace serve` once, or set JWT_SECRET to the server's)", e.getMessage());
    Files.writeString(dir.resolve("jwt-secret"), SECRET + "\n");
    String claims = claimsSignedWith(SECRET, cmd.token(Map.of("DATA_DIR", dir.toString()), tmp));
    assertTrue(claims.contains("\"sub\":\"dev\""), claims);
  }

  @Test
  void tokenWithoutDataDirUsesTheServeDefaultUnderTheHomeDirectory() throws Exception {
    Path serverDir = tmp.resolve(".tunetrace/server");
    Files.createDirectories(serverDir);
    Files.writeString(serverDir.resolve("jwt-secret"), SECRET);
    TokenCommand cmd = new TokenCommand();
    new CommandLine(cmd).parseArgs();
    claimsSignedWith(SECRET, cmd.token(Map.of(), tmp));
  }

  @Test
  void credentialsComeFromTheOptionTheEnvironmentOrTheLocalServersSecret() throws Exception {
    Map<String, String> env = Map.of("TUNETRACE_TOKEN", "from-env");
    assertEquals("from-option", Credentials.resolve("from-option", "http://localhost:8080", env, tmp));
    assertEquals("from-env", Credentials.resolve(null, "http://localhost:8080", env, tmp));
    assertNull(Credentials.resolve(null, "http://localhost:8080", Map.of(), tmp));
    Path serverDir = tmp.resolve(".tunetrace/server");
    Files.createDirectories(serverDir);
    Files.writeString(serverDir.resolve("jwt-secret"), SECRET);
    String signed = Credentials.resolve(null, "http://127.0.0.1:8080", Map.of(), tmp);
    assertTrue(claimsSignedWith(SECRET, signed).contains("\"sub\":\"dev\""));
    assertNull(Credentials.resolve(null, "https://tunetrace.example.com", Map.of(), tmp));
  }

  @Test
  void serveOptionsOverrideTheEnvironment() {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--port", "9090", "--data-dir", "/tmp/x");
    Map<String, String> env = cmd.environment(Map.of("PORT", "8080", "REDIS_URL", "redis://r"));
    assertEquals("9090", env.get("PORT"));
    assertEquals("/tmp/x", env.get("DATA_DIR"));
    assertEquals("redis://r", env.get("REDIS_URL"));
  }

  @Test
  void serveDefaultsTheDataDirToTheOneUploadAndTokenRead() {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs();
    assertEquals(Path.of(System.getProperty("user.home"), ".tunetrace", "server").toString(),
        cmd.environment(Map.of()).get("DATA_DIR"));
    assertEquals("/srv/tt", cmd.environment(Map.of("DATA_DIR", "/srv/tt")).get("DATA_DIR"));
  }

  @Test
  void serveFindsTheServerJarBesideTheCliOrInTheSourceTree() throws Exception {
    Path cliTarget = Files.createDirectories(tmp.resolve("repo/tunetrace-cli/target"));
    Path cliJar = Files.writeString(cliTarget.resolve("tunetrace-cli-1.0-all.jar"), "cli");
    Path serverTarget = Files.createDirectories(tmp.resolve("repo/tunetrace-server/target"));
    IllegalStateException none = assertThrows(IllegalStateException.class,
        () -> ServeCommand.serverJar(Map.of(), cliJar));
    assertEquals("the server's jar (tunetrace-server-*-all.jar) is not in " + cliTarget + " or "
        + serverTarget + ": build it with `./mvnw -B -DskipTests -pl tunetrace-server -am package`"
        + " (./tunetrace serve does), or set TUNETRACE_SERVER_JAR", none.getMessage());

    Path old = Files.writeString(serverTarget.resolve("tunetrace-server-0.9-all.jar"), "old");
    Path current = Files.writeString(serverTarget.resolve("tunetrace-server-1.0-all.jar"), "new");
    Files.writeString(serverTarget.resolve("tunetrace-server-1.0.jar"), "thin");
    Files.setLastModifiedTime(old, FileTime.fromMillis(1_000_000));
    assertEquals(current, ServeCommand.serverJar(Map.of(), cliJar));
    assertEquals(current, ServeCommand.serverJar(Map.of(), cliTarget.resolve("classes")));

    Path beside = Files.writeString(cliTarget.resolve("tunetrace-server-1.0-all.jar"), "dist");
    assertEquals(beside, ServeCommand.serverJar(Map.of(), cliJar));
    assertEquals(old, ServeCommand.serverJar(Map.of("TUNETRACE_SERVER_JAR", old.toString()), cliJar));
    IllegalStateException missing = assertThrows(IllegalStateException.class,
        () -> ServeCommand.serverJar(Map.of("TUNETRACE_SERVER_JAR", "/nope.jar"), cliJar));
    assertEquals("TUNETRACE_SERVER_JAR is not a file: /nope.jar", missing.getMessage());
  }

  @Test
  void serveRunsTheServerJarWithThisJavaAndTheGivenJvmOptions() {
    Path jar = Path.of("/opt/tt/tunetrace-server-1.0-all.jar");
    assertEquals(List.of("/jdk/bin/java", "-jar", jar.toString()),
        ServeCommand.command(Map.of(), Path.of("/jdk"), jar));
    assertEquals(List.of("/jdk/bin/java", "-Xmx2g", "-XX:+UseZGC", "-jar", jar.toString()),
        ServeCommand.command(Map.of("TUNETRACE_SERVER_JAVA_OPTS", " -Xmx2g  -XX:+UseZGC "),
            Path.of("/jdk"), jar));
  }

  @Test
  void recognizeExitCodesFollowGrep() {
    assertEquals(0, RecognizeCommand.exitCode("{\"ok\":true,\"match\":{\"song_id\":\"x\"}}"));
    assertEquals(0, RecognizeCommand.exitCode("{\"ok\": true, \"match\": {\"song_id\": \"x\"}}"));
    assertEquals(1, RecognizeCommand.exitCode("{\"ok\":true,\"match\":null}"));
    assertEquals(1, RecognizeCommand.exitCode("{ \"match\" : null , \"ok\" : true }"));
    assertEquals(2, RecognizeCommand.exitCode("{\"ok\":false,\"error\":{}}"));
    assertEquals(2, RecognizeCommand.exitCode("{\"title\":\"\\\"ok\\\":true\"}"));
    assertEquals(2, RecognizeCommand.exitCode("<html>502 Bad Gateway</html>"));
    assertEquals(2, RecognizeCommand.exitCode(""));
  }

  @Test
  void uploadRequiresServerAndTakesTitleAndArtistOrSeveralPaths() {
    CommandLine cl = new CommandLine(new UploadCommand());
    assertThrows(CommandLine.MissingParameterException.class, () -> cl.parseArgs("song.mp3"));
    cl.parseArgs("--server", "http://localhost:8080", "--title", "T", "--artist", "A", "song.mp3");
    UploadCommand many = new UploadCommand();
    new CommandLine(many).parseArgs("--server", "http://localhost:8080", "a.mp3", "music", "--json");
    assertEquals(List.of(Path.of("a.mp3"), Path.of("music")), many.paths);
    assertEquals(4, many.parallel);
  }
}
