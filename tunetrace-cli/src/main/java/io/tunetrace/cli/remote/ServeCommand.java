package io.tunetrace.cli.remote;

import io.tunetrace.server.Main;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tunetrace serve}: starts the server. Configuration comes from the environment (see
 * {@code .env.example}); with no DATABASE_URL, REDIS_URL and S3_ENDPOINT it runs in embedded mode.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Start the TuneTrace server (HTTP API, WebSocket recognition, workers).",
        "Configured by environment variables (PORT, DATABASE_URL, REDIS_URL, S3_ENDPOINT, JWT_SECRET, ...);",
        "without DATABASE_URL/REDIS_URL/S3_ENDPOINT it runs in embedded mode under DATA_DIR."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped", "1:could not start", "2:invalid configuration"})
public final class ServeCommand implements Callable<Integer> {
  @Option(names = "--port", description = "Port to listen on (overrides PORT).")
  Integer port;

  @Option(names = "--host", description = "Address to bind (overrides HOST).")
  String host;

  @Option(names = "--data-dir", description = "Embedded-mode data directory (overrides DATA_DIR).")
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
      env.put("DATA_DIR", System.getProperty("user.home") + "/.tunetrace/server");
    }
    return env;
  }

  @Override
  public Integer call() {
    return Main.run(environment(System.getenv()));
  }
}
