package io.tunetrace.cli.remote;

import io.tunetrace.server.auth.Tokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tunetrace token}: prints a JWT signed with the {@code JWT_SECRET} of its environment
 * (the token is the last line of the output), for development and scripts. In embedded mode
 * without {@code JWT_SECRET} it uses the secret the server keeps under {@code DATA_DIR}.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = "Print a bearer token signed with JWT_SECRET (the last line of the output).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:printed", "2:no secret available"})
public final class TokenCommand implements Callable<Integer> {
  @Option(names = "--subject", defaultValue = "dev", description = "Token subject (default: ${DEFAULT-VALUE}).")
  String subject;

  @Option(names = "--ttl", defaultValue = "3600", description = "Validity in seconds (default: ${DEFAULT-VALUE}).")
  long ttlSeconds;

  /** Builds the token from an environment; throws IllegalStateException without a secret. */
  String token(Map<String, String> env) throws IOException {
    String secret = env.get("JWT_SECRET");
    if (secret == null || secret.isBlank()) {
      String dataDir = env.getOrDefault("DATA_DIR", System.getProperty("user.home") + "/.tunetrace/server");
      Path file = Path.of(dataDir, "jwt-secret");
      if (!Files.exists(file)) {
        throw new IllegalStateException("JWT_SECRET is not set and " + file + " does not exist");
      }
      secret = Files.readString(file, StandardCharsets.UTF_8).trim();
    }
    String issuer = env.getOrDefault("JWT_ISSUER", "tunetrace");
    return Tokens.issue(secret, issuer, subject, ttlSeconds);
  }

  @Override
  public Integer call() throws IOException {
    if (ttlSeconds <= 0) {
      System.err.println("token: --ttl must be positive: " + ttlSeconds);
      return 2;
    }
    try {
      String token = token(System.getenv());
      System.err.println("token for subject '" + subject + "', valid " + ttlSeconds + " s:");
      System.out.println(token);
      return 0;
    } catch (IllegalStateException e) {
      System.err.println("token: " + e.getMessage());
      return 2;
    }
  }
}
