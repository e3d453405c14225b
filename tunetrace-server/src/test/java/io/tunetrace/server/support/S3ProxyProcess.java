package io.tunetrace.server.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real S3 API server for the ITs: S3Proxy with its filesystem backend, run as a child JVM (its
 * Jetty 12 must not share a classpath with Javalin's Jetty 11). Stopping it simulates "S3 down".
 */
public final class S3ProxyProcess implements AutoCloseable {
  public static final String ACCESS_KEY = "local-identity";
  public static final String SECRET_KEY = "local-credential-secret";

  private final Path dir;
  private final int port;
  private Process process;

  public S3ProxyProcess() throws IOException, InterruptedException {
    this.dir = Files.createTempDirectory("s3proxy-it");
    this.port = freePort();
    start();
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public void start() throws IOException, InterruptedException {
    String jar = System.getProperty("tunetrace.s3proxy.jar");
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new IllegalStateException("S3Proxy jar missing (run through Failsafe: ./mvnw verify): " + jar);
    }
    Files.createDirectories(dir.resolve("data"));
    Path props = dir.resolve("s3proxy.properties");
    Files.writeString(props, String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + ACCESS_KEY,
        "s3proxy.credential=" + SECRET_KEY,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + dir.resolve("data"),
        ""));
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", jar, "--properties", props.toString()));
    process = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("s3proxy.log").toFile())
        .start();
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("S3Proxy exited: " + Files.readString(dir.resolve("s3proxy.log")));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("S3Proxy did not start within 60 s");
  }

  public void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      process.waitFor();
      process = null;
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ServerFixture.deleteTree(dir);
  }
}
