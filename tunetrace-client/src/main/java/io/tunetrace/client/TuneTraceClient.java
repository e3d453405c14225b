package io.tunetrace.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A small client of the server's API on {@code java.net.http} (the design note's {@code ws-test}
 * script, in Java): upload a track, poll it, recognize a clip over the WebSocket. Responses are
 * returned as raw JSON text. Thread-safe.
 */
public final class TuneTraceClient {
  /** An HTTP answer: status code and body text. */
  public record Response(int status, String body) {}

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10))
      .build();
  private final String base;
  private final String token;

  /** @param server base URL, e.g. {@code http://localhost:8080} */
  public TuneTraceClient(String server, String token) {
    String s = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
    if (!s.startsWith("http://") && !s.startsWith("https://")) {
      throw new IllegalArgumentException("server must start with http:// or https://: " + server);
    }
    this.base = s;
    this.token = token;
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofMinutes(10));
    if (token != null && !token.isBlank()) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  /**
   * {@code POST /tracks}: streams the file in a multipart body (the file is read as it is sent,
   * not loaded into memory).
   */
  public Response upload(Path file, String title, String artist, String album)
      throws IOException, InterruptedException {
    String boundary = "tunetrace" + UUID.randomUUID().toString().replace("-", "");
    List<byte[]> head = new ArrayList<>();
    for (var f : new String[][] {{"title", title}, {"artist", artist}, {"album", album}}) {
      if (f[1] != null) {
        head.add(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f[0]
            + "\"\r\n\r\n" + f[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    String name = file.getFileName().toString().replace("\"", "_");
    head.add(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
        + name + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    List<java.util.function.Supplier<InputStream>> parts = new ArrayList<>();
    for (byte[] h : head) {
      parts.add(() -> new java.io.ByteArrayInputStream(h));
    }
    parts.add(() -> {
      try {
        return Files.newInputStream(file);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    parts.add(() -> new java.io.ByteArrayInputStream(tail));
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofInputStream(() -> {
      java.util.Enumeration<InputStream> e = java.util.Collections.enumeration(
          parts.stream().map(java.util.function.Supplier::get).toList());
      return new java.io.SequenceInputStream(e);
    });
    HttpResponse<String> r = http.send(request("/tracks")
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(body).build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body());
  }

  public Response get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body());
  }

  /** {@code POST /recognize} with the clip as the raw body. */
  public Response recognizeHttp(byte[] clip) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request("/recognize")
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(clip)).build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body());
  }

  /**
   * Sends one clip as a binary message to {@code /ws/stream} and returns the server's answer
   * (the token travels as a query parameter, as a browser would send it).
   */
  public String recognizeWebSocket(byte[] clip, Duration timeout) throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    WebSocket.Listener listener = new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          answer.complete(text.toString());
        }
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
        answer.completeExceptionally(new IOException("connection closed: " + code + " " + reason));
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        answer.completeExceptionally(error);
      }
    };
    String query = token == null || token.isBlank() ? ""
        : "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    WebSocket ws;
    try {
      ws = http.newWebSocketBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .buildAsync(URI.create(base.replaceFirst("^http", "ws") + "/ws/stream" + query), listener)
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof java.net.http.WebSocketHandshakeException h) {
        Object body = h.getResponse().body();
        throw new IOException("server refused the WebSocket: HTTP " + h.getResponse().statusCode()
            + (body instanceof String b && !b.isEmpty() ? " " + b : ""), h);
      }
      throw new IOException("cannot connect to " + base + ": " + e.getCause(), e.getCause());
    }
    try {
      ws.sendBinary(ByteBuffer.wrap(clip), true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }
  }

}
