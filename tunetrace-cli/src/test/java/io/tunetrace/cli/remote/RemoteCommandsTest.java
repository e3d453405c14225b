package io.tunetrace.cli.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunetrace.server.auth.Auth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class RemoteCommandsTest {
  private static final String SECRET = "cli-secret-0123456789abcdef0123456789";

  @Test
  void tokenIsSignedWithTheEnvironmentSecretAndAccepted() throws Exception {
    TokenCommand cmd = new TokenCommand();
    new CommandLine(cmd).parseArgs("--subject", "ci", "--ttl", "120");
    String token = cmd.token(Map.of("JWT_SECRET", SECRET));
    Auth auth = new Auth(Optional.of(SECRET), "tunetrace", Set.of());
    assertEquals("sub:ci", auth.verify(token).id());
  }

  @Test
  void tokenFallsBackToTheEmbeddedSecretFile() throws Exception {
    Path dir = Files.createTempDirectory("tt-token");
    TokenCommand cmd = new TokenCommand();
    new CommandLine(cmd).parseArgs();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> cmd.token(Map.of("DATA_DIR", dir.toString())));
    assertEquals("JWT_SECRET is not set and " + dir.resolve("jwt-secret") + " does not exist", e.getMessage());
    Files.writeString(dir.resolve("jwt-secret"), SECRET + "\n");
    String token = cmd.token(Map.of("DATA_DIR", dir.toString()));
    assertEquals("sub:dev", new Auth(Optional.of(SECRET), "tunetrace", Set.of()).verify(token).id());
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
  void recognizeExitCodesFollowGrep() {
    assertEquals(0, RecognizeCommand.exitCode("{\"ok\":true,\"match\":{\"song_id\":\"x\"}}"));
    assertEquals(1, RecognizeCommand.exitCode("{\"ok\":true,\"match\":null}"));
    assertEquals(2, RecognizeCommand.exitCode("{\"ok\":false,\"error\":{}}"));
  }

  @Test
  void uploadRequiresServerTitleAndArtist() {
    CommandLine cl = new CommandLine(new UploadCommand());
    assertThrows(CommandLine.MissingParameterException.class, () -> cl.parseArgs("song.mp3"));
    cl.parseArgs("--server", "http://localhost:8080", "--title", "T", "--artist", "A", "song.mp3");
  }
}
