package io.tunetrace.cli.remote;

import io.tunetrace.client.Hs256Tokens;
import io.tunetrace.client.LocalServerToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tunetrace token}: prints a JWT signed with the {@code JWT_SECRET} of its environment
 * (the token is the last line of the output), for development and scripts. Without
 * {@code JWT_SECRET} it uses the secret an embedded-mode server keeps in {@code DATA_DIR/jwt-secret}
 * ({@code DATA_DIR} defaults to {@code ~/.tunetrace/server}, as for {@code tunetrace serve}).
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
  String token(Map<String, String> env, Path userHome) throws IOException {
    String secret = LocalServerToken.secret(env, userHome).orElseThrow(() -> new IllegalStateException(
        "JWT_SECRET is not set and " + LocalServerToken.secretFile(env, userHome) + " does not exist"
            + " (start `tunetrace serve` once, or set JWT_SECRET to the server's)"));
    String issuer = env.getOrDefault("JWT_ISSUER", "tunetrace");
    return Hs256Tokens.issue(secret, issuer, subject, ttlSeconds);
  }

  @Override
  public Integer call() throws IOException {
    if (ttlSeconds <= 0) {
      System.err.println("token: --ttl must be positive: " + ttlSeconds);
      return 2;
    }
    try {
      String token = token(System.getenv(), Path.of(System.getProperty("user.home")));
      System.err.println("token for subject '" + subject + "', valid " + ttlSeconds + " s:");
      System.out.println(token);
      return 0;
    } catch (IllegalStateException e) {
      System.err.println("token: " + e.getMessage());
      return 2;
    }
  }
}
