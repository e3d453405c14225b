package io.tunetrace.server;

import io.tunetrace.server.config.ConfigException;
import io.tunetrace.server.config.ServerConfig;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar tunetrace-server-VERSION-all.jar} (the shaded jar; {@code tunetrace serve} and the
 * Docker image run it): configuration from the environment, runs until stopped.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(System.getenv()));
  }

  /**
   * Starts the server and blocks until the JVM is asked to stop. Returns 2 when the configuration
   * is invalid (one line per problem on stderr), 1 when start-up fails.
   */
  public static int run(Map<String, String> env) {
    ServerConfig config;
    try {
      config = ServerConfig.fromEnv(env);
    } catch (ConfigException e) {
      for (String problem : e.problems()) {
        System.err.println("config: " + problem);
      }
      return 2;
    }
    TuneTraceServer server;
    try {
      server = TuneTraceServer.start(config);
    } catch (Exception e) {
      System.err.println("cannot start: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "tunetrace-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
