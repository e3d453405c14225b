package io.tunetrace.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real HTTP and WebSocket client (java.net.http) for the server's ITs. */
public final class ApiClient {
  public static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;

  public ApiClient(int port, String token) {
    this("127.0.0.1", port, token);
  }

  /** A client of the server at {@code host} (an IPv4 address or a name) and {@code port}. */
  public ApiClient(String host, int port, String token) {
    this.base = "http://" + host + ":" + port;
    this.token = token;
  }

  private ApiClient(String base, String token) {
    this.base = base;
    this.token = token;
  }

  public ApiClient withToken(String other) {
    return new ApiClient(base, other);
  }

  /** A response: status and parsed JSON body. */
  public record Reply(int status, JsonNode body) {
    public String errorCode() {
      return body.path("error").path("code").asText();
    }

    public String errorMessage() {
      return body.path("error").path("message").asText();
    }
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private static Reply reply(HttpResponse<String> r) throws java.io.IOException {
    String body = r.body();
    JsonNode node = body == null || body.isEmpty() ? JSON.nullNode()
        : body.startsWith("{") || body.startsWith("[") ? JSON.readTree(body) : JSON.getNodeFactory().textNode(body);
    return new Reply(r.statusCode(), node);
  }

  public Reply get(String path) throws Exception {
    return reply(http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** A request without a body in any method (PUT, PATCH, ...). */
  public Reply send(String method, String path) throws Exception {
    return reply(http.send(request(path).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString()));
  }

  public Reply delete(String path) throws Exception {
    return reply(http.send(request(path).DELETE().build(), HttpResponse.BodyHandlers.ofString()));
  }

  public Reply postBytes(String path, byte[] body, String contentType) throws Exception {
    return reply(http.send(request(path).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** POST multipart/form-data with text fields and one file part named {@code file}. */
  public Reply upload(String path, Map<String, String> fields, String filename, byte[] file,
      String fileType) throws Exception {
    String boundary = "tt" + UUID.randomUUID().toString().replace("-", "");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (var f : fields.entrySet()) {
      out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey()
          + "\"\r\n\r\n" + f.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
    if (file != null) {
      out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
          + filename + "\"\r\nContent-Type: " + fileType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      out.writeBytes(file);
      out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return postBytes(path, out.toByteArray(), "multipart/form-data; boundary=" + boundary);
  }

  /** Polls GET /tracks/{id} until the status is one of {@code wanted} or the timeout passes. */
  public JsonNode awaitStatus(String id, long timeoutMillis, String... wanted) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    JsonNode last = null;
    while (System.currentTimeMillis() < deadline) {
      last = get("/tracks/" + id).body();
      for (String w : wanted) {
        if (w.equals(last.path("status").asText())) {
          return last;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("track " + id + " not in " + String.join("|", wanted) + ": " + last);
  }

  /** A WebSocket to /ws/stream whose text messages land in a queue. */
  public final class Socket implements AutoCloseable {
    public final WebSocket ws;
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

    Socket(String query) throws Exception {
      WebSocket.Listener listener = new WebSocket.Listener() {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
          text.append(data);
          if (last) {
            messages.add(text.toString());
            text.setLength(0);
          }
          w.request(1);
          return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
          messages.add("{\"closed\": " + code + "}");
          return null;
        }
      };
      this.ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
          .buildAsync(URI.create(base.replace("http", "ws") + "/ws/stream" + query), listener)
          .get(10, TimeUnit.SECONDS);
    }

    public void sendBinary(byte[] data) throws Exception {
      ws.sendBinary(ByteBuffer.wrap(data), true).get(10, TimeUnit.SECONDS);
    }

    public void sendText(String text) throws Exception {
      ws.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    /** The next text message as JSON (fails after the timeout). */
    public JsonNode next(long timeoutMillis) throws Exception {
      String m = messages.poll(timeoutMillis, TimeUnit.MILLISECONDS);
      if (m == null) {
        throw new AssertionError("no WebSocket message within " + timeoutMillis + " ms");
      }
      return JSON.readTree(m);
    }

    @Override
    public void close() {
      ws.abort();
    }
  }

  /** Opens /ws/stream with the token as a query parameter (as a browser would). */
  public Socket socket() throws Exception {
    return new Socket(token == null ? "" : "?token=" + token);
  }
}
