package io.tunetrace.client;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where a token for a server on this machine comes from when none is given: a token signed with
 * {@code JWT_SECRET} when it is set, else with the secret an embedded-mode server keeps in
 * {@code DATA_DIR/jwt-secret} ({@code DATA_DIR} defaults to {@code ~/.tunetrace/server}, where
 * {@code tunetrace serve} keeps its data). Only servers on a loopback address are given such a
 * token, so a token signed with a local secret never leaves the machine. Stateless and
 * thread-safe.
 */
public final class LocalServerToken {
  /** Subject of the tokens signed here (the embedded server's own start-up token uses it too). */
  public static final String SUBJECT = "dev";
  /** Lifetime of a token signed for one command. */
  public static final long TTL_SECONDS = 3600;

  private LocalServerToken() {}

  /** {@code ~/.tunetrace/server}: the embedded server's data directory when DATA_DIR is not set. */
  public static Path defaultDataDir(Path userHome) {
    return userHome.resolve(".tunetrace").resolve("server");
  }

  /** {@code DATA_DIR} from the environment, else {@link #defaultDataDir}. */
  public static Path dataDir(Map<String, String> env, Path userHome) {
    String dir = env.get("DATA_DIR");
    return dir == null || dir.isBlank() ? defaultDataDir(userHome) : Path.of(dir);
  }

  /**
   * The secret that signs tokens for the local server: {@code JWT_SECRET}, else the embedded
   * server's {@code DATA_DIR/jwt-secret}; empty when neither exists.
   */
  public static Optional<String> secret(Map<String, String> env, Path userHome) throws IOException {
    String secret = env.get("JWT_SECRET");
    if (secret != null && !secret.isBlank()) {
      return Optional.of(secret);
    }
    Path file = secretFile(env, userHome);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
    return stored.isEmpty() ? Optional.empty() : Optional.of(stored);
  }

  /** The embedded server's secret file: {@code DATA_DIR/jwt-secret}. */
  public static Path secretFile(Map<String, String> env, Path userHome) {
    return dataDir(env, userHome).resolve("jwt-secret");
  }

  /**
   * A token for {@code server} when it is on a loopback address and a local secret exists;
   * empty otherwise.
   */
  public static Optional<String> forServer(String server, Map<String, String> env, Path userHome)
      throws IOException {
    if (!isLoopback(server)) {
      return Optional.empty();
    }
    Optional<String> secret = secret(env, userHome);
    if (secret.isEmpty()) {
      return Optional.empty();
    }
    String issuer = env.getOrDefault("JWT_ISSUER", "tunetrace");
    return Optional.of(Hs256Tokens.issue(secret.get(), issuer, SUBJECT, TTL_SECONDS));
  }

  /**
   * Whether the URL's host is {@code localhost} or a literal loopback address (no name is
   * looked up).
   */
  public static boolean isLoopback(String server) {
    String host;
    try {
      host = URI.create(server).getHost();
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (host == null) {
      return false;
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    boolean ipv4Loopback = host.startsWith("127.")
        && host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    return ipv4Loopback || host.equals("localhost") || host.endsWith(".localhost")
        || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1");
  }
}
