package io.tunetrace.cli.remote;

import io.tunetrace.client.LocalServerToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The credential {@code upload} and {@code recognize} send: {@code --token}, else
 * {@code $TUNETRACE_TOKEN}, else — for a server on this machine — a token signed with
 * {@code JWT_SECRET} or with the embedded server's {@code DATA_DIR/jwt-secret} (see
 * {@link LocalServerToken}); null when there is none.
 */
final class Credentials {
  /** What to do about a 401, printed after the server's answer. */
  static final String HINT = "the server wants a token: pass --token or set TUNETRACE_TOKEN "
      + "(`tunetrace token` signs one with JWT_SECRET; for a `tunetrace serve` on this machine "
      + "upload/recognize sign one themselves from DATA_DIR/jwt-secret, by default "
      + "~/.tunetrace/server/jwt-secret)";

  private Credentials() {}

  static String resolve(String tokenOption, String server, Map<String, String> env, Path userHome)
      throws IOException {
    if (tokenOption != null && !tokenOption.isBlank()) {
      return tokenOption;
    }
    String fromEnv = env.get("TUNETRACE_TOKEN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    return LocalServerToken.forServer(server, env, userHome).orElse(null);
  }

  static String resolve(String tokenOption, String server) throws IOException {
    return resolve(tokenOption, server, System.getenv(), Path.of(System.getProperty("user.home")));
  }
}
