package io.tunetrace.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A client of Firefox's built-in remote-control protocol, Marionette (what geckodriver speaks to
 * Firefox): one TCP connection to the port Firefox listens on with {@code --marionette}. Every
 * packet is {@code <byte length>:<json>}; the server first sends a hello
 * ({@code {"applicationType":"gecko","marionetteProtocol":3}}), then answers each command
 * {@code [0, id, name, params]} with {@code [1, id, error, result]}. The commands are the WebDriver
 * ones under a {@code WebDriver:} prefix ({@code WebDriver:Navigate}, {@code WebDriver:FindElement},
 * …) plus a few of Marionette's own ({@code Marionette:SetContext}, {@code Marionette:Quit}).
 *
 * <p>Not thread-safe: one command at a time.
 */
public final class Marionette implements AutoCloseable {
  /** The key of an element reference in WebDriver's JSON (the W3C "web element identifier"). */
  public static final String ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private int lastId;

  private Marionette(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /**
   * Connects to Marionette on 127.0.0.1:{@code port} and reads its hello; every later read waits
   * at most {@code readTimeout} for an answer.
   */
  public static Marionette connect(int port, Duration readTimeout) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
      socket.setTcpNoDelay(true);
      Marionette m = new Marionette(socket);
      JsonNode hello = m.readPacket();
      if (!"gecko".equals(hello.path("applicationType").asText())
          || hello.path("marionetteProtocol").asInt() != 3) {
        throw new IOException("not a Marionette protocol 3 server on port " + port + ": " + hello);
      }
      return m;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * Sends command {@code name} with {@code params} (anything Jackson writes as a JSON object) and
   * returns its result; a WebDriver error comes back as a {@link MarionetteException}.
   */
  public JsonNode command(String name, Object params) {
    int id = ++lastId;
    try {
      byte[] body = JSON.writeValueAsBytes(List.of(0, id, name, params == null ? Map.of() : params));
      out.write((body.length + ":").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      while (true) {
        JsonNode reply = readPacket();
        if (!reply.isArray() || reply.size() != 4 || reply.get(0).asInt() != 1) {
          throw new IOException("not a Marionette reply to " + name + ": " + reply);
        }
        if (reply.get(1).asInt() != id) {
          continue; // the late answer to a command whose wait was given up
        }
        JsonNode error = reply.get(2);
        if (!error.isNull()) {
          throw new MarionetteException(name, error.path("error").asText(),
              error.path("message").asText(), error.path("stacktrace").asText());
        }
        return reply.get(3);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": " + e.getMessage(), e);
    }
  }

  private JsonNode readPacket() throws IOException {
    int length = 0;
    int digits = 0;
    for (int c = in.read(); c != ':'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("Marionette closed the connection");
      }
      if (c < '0' || c > '9' || ++digits > 10) {
        throw new IOException("bad Marionette packet length, at byte " + c);
      }
      length = Math.addExact(Math.multiplyExact(length, 10), c - '0');
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream(Math.min(length, 1 << 20));
    byte[] chunk = new byte[8192];
    while (body.size() < length) {
      int n = in.read(chunk, 0, Math.min(chunk.length, length - body.size()));
      if (n < 0) {
        throw new EOFException("Marionette closed the connection in a packet");
      }
      body.write(chunk, 0, n);
    }
    return JSON.readTree(body.toByteArray());
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** An error answered by Marionette: WebDriver's error code, message and the remote stack. */
  public static final class MarionetteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** WebDriver's error code: {@code no such element}, {@code javascript error}, … */
    public final String error;

    MarionetteException(String command, String error, String message, String stacktrace) {
      super(command + ": " + error + ": " + message
          + (stacktrace.isEmpty() ? "" : "\n" + stacktrace.strip()));
      this.error = error;
    }
  }
}
