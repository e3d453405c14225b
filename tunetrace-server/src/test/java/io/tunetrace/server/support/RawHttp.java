package io.tunetrace.server.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for requests the Java client will not write (no multipart
 * boundary, a truncated body, a WebSocket upgrade read as HTTP) or cannot wait on (its {@code
 * Expect: 100-continue} hangs on JDK 17 when the server answers without 100).
 */
public final class RawHttp {
  private RawHttp() {}

  /** A response: status, headers and the (de-chunked) body. */
  public record Reply(int status, String headers, String body) {}

  /** Sends {@code request} (headers and body) and reads the response. */
  public static Reply send(int port, String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return read(socket.getInputStream());
    }
  }

  /**
   * Sends {@code headers} (which must carry {@code Expect: 100-continue} and the length of {@code
   * body}); sends {@code body} only if the server answers {@code 100 Continue}, then reads the
   * final response.
   */
  public static Reply sendExpectingContinue(int port, String headers, byte[] body)
      throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(headers.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      Reply first = read(in);
      if (first.status() != 100) {
        return first;
      }
      out.write(body);
      out.flush();
      return read(in);
    }
  }

  private static Reply read(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed in the response headers: " + head);
      }
      head.write(b);
    }
    String headers = head.toString(StandardCharsets.ISO_8859_1);
    int status = Integer.parseInt(headers.substring(9, 12));
    String lower = headers.toLowerCase(Locale.ROOT);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (status == 100) {
      return new Reply(status, headers, "");
    }
    if (lower.contains("transfer-encoding: chunked")) {
      while (true) {
        int n = Integer.parseInt(line(in).trim(), 16);
        if (n == 0) {
          break;
        }
        body.write(in.readNBytes(n));
        line(in);
      }
    } else {
      int at = lower.indexOf("content-length:");
      if (at >= 0) {
        int n = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
        body.write(in.readNBytes(n));
      }
    }
    return new Reply(status, headers, body.toString(StandardCharsets.UTF_8));
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString();
  }
}
