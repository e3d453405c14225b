package io.tunetrace.server.ws;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.tunetrace.server.http.ApiException;
import io.tunetrace.server.http.ErrorResponses;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import io.tunetrace.core.audio.AudioContainer;
import io.tunetrace.core.audio.AudioDecoders;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.websocket.api.CloseStatus;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * {@code /ws/stream}. One-shot: a binary message holding an encoded clip (WAV, ...) is answered
 * with {@code {"ok": true, "match": {...} | null}}. Streaming: a {@code start} message, binary PCM
 * chunks, {@code stop}; results are pushed as soon as a window is recognized ({@code "type":
 * "match"}) and once more at {@code stop} ({@code "type": "final"}). Every malformed message gets
 * the error shape; the connection stays open unless the stream exceeds its length limit. While the
 * same song goes on being heard, an {@code "update"} with fresh confidence and offset follows every
 * five seconds of stream; when it stops being heard, one {@code "match": null} is pushed. Every
 * answer carries a {@code recognition_id}: its recognition (the clip, or the window behind a
 * pushed message) is kept in {@link RecentRecognitions} to be read back and explained.
 *
 * <p>Thread-safe: sessions are kept per connection.
 */
public final class StreamSocket {
  static final double WINDOW_SECONDS = 10;
  static final double HOP_SECONDS = 1;
  static final double MIN_SECONDS = 2;
  static final long UPDATE_MILLIS = 5000;

  /** The upgrade request attribute naming who opened the connection (their rate limit). */
  public static final String CALLER_ATTRIBUTE = "tunetrace.caller";

  private final RecognitionService recognition;
  private final RecognitionPool pool;
  private final Validator validator;
  private final ObjectMapper json;
  private final int maxStreamSeconds;
  private final Path tempDir;
  private final RecentRecognitions recent;
  private final Map<String, StreamSession> sessions = new ConcurrentHashMap<>();

  /** @param tempDir where one-shot clips that need seeking (M4A) are spooled to be decoded */
  public StreamSocket(RecognitionService recognition, RecognitionPool pool, Validator validator,
      ObjectMapper json, int maxStreamSeconds, Path tempDir, RecentRecognitions recent) {
    this.recognition = recognition;
    this.pool = pool;
    this.tempDir = tempDir;
    this.validator = validator;
    this.json = json.copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    this.maxStreamSeconds = maxStreamSeconds;
    this.recent = recent;
  }

  public void configure(WsConfig ws) {
    ws.onConnect(ctx -> ctx.session.setIdleTimeout(java.time.Duration.ofMinutes(5)));
    ws.onClose(ctx -> sessions.remove(ctx.sessionId()));
    ws.onError(ctx -> sessions.remove(ctx.sessionId()));
    ws.onMessage(ctx -> guarded(ctx, () -> onText(ctx, ctx.message())));
    ws.onBinaryMessage(ctx -> guarded(ctx, () -> onBinary(ctx, ctx.data(), ctx.offset(), ctx.length())));
  }

  private interface Action {
    void run() throws Exception;
  }

  private void guarded(WsContext ctx, Action action) {
    try {
      action.run();
    } catch (Exception e) {
      send(ctx, ErrorResponses.body(ErrorResponses.toApi(e)));
    }
  }

  private void send(WsContext ctx, Object body) {
    try {
      ctx.send(json.writeValueAsString(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whose rate limit this connection's recognitions are charged to. */
  private static String caller(WsContext ctx) {
    Object who = ctx.attribute(CALLER_ATTRIBUTE);
    return who != null ? who.toString() : "ws:" + ctx.sessionId();
  }

  /** Recognizes a window of the stream on the pool, charged to the connection's caller. */
  private RecognitionService.Recognized recognizeWindow(StreamSession s) throws Exception {
    float[] window = s.takeWindow();
    long start = s.windowStartMillis();
    return pool.run(4L * window.length,
        () -> recognition.recognizeKeeping(window, s.sampleRateHz, start));
  }

  /**
   * Sends an answer with a fresh {@code recognition_id} (appended to {@code body}), keeping the
   * recognition behind it; a null {@code recognized} (nothing was recognized) sends a null id.
   */
  private void sendKept(WsContext ctx, Map<String, Object> body,
      RecognitionService.Recognized recognized) {
    if (recognized == null) {
      body.put("recognition_id", null);
    } else {
      String id = recent.newId();
      body.put("recognition_id", id);
      recent.put(id, caller(ctx), body, recognized.samples(), recognized.sampleRateHz());
    }
    send(ctx, body);
  }

  private void onText(WsContext ctx, String text) throws Exception {
    StreamMessage msg;
    try {
      msg = json.readValue(text, StreamMessage.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      msg = null;
    }
    if (msg == null) { // not JSON, or JSON null
      throw ApiException.invalidMessage(
          "expected {\"type\": \"start\", \"sample_rate\", \"encoding\", \"channels\"} or {\"type\": \"stop\"}");
    }
    Set<ConstraintViolation<StreamMessage>> violations = validator.validate(msg);
    if (!violations.isEmpty()) {
      throw ApiException.invalidMessage(violations.stream()
          .map(c -> c.getPropertyPath() + " " + c.getMessage())
          .sorted()
          .collect(java.util.stream.Collectors.joining("; ")));
    }
    if (msg.type().equals("start")) {
      if (msg.sampleRate() == null || msg.encoding() == null) {
        throw new ApiException(400, "invalid_message", "start needs sample_rate and encoding");
      }
      int channels = msg.channels() == null ? 1 : msg.channels();
      sessions.put(ctx.sessionId(), new StreamSession(msg.sampleRate(), channels,
          msg.encoding().equals("f32le"), WINDOW_SECONDS));
      Map<String, Object> ack = new LinkedHashMap<>();
      ack.put("ok", true);
      ack.put("type", "started");
      ack.put("max_stream_seconds", maxStreamSeconds);
      send(ctx, ack);
      return;
    }
    StreamSession s = sessions.remove(ctx.sessionId());
    if (s == null) {
      throw new ApiException(400, "invalid_message", "stop without start");
    }
    RecognitionService.Recognized recognized = null;
    if (s.hasAudio(MIN_SECONDS)) {
      pool.charge(caller(ctx));
      recognized = recognizeWindow(s);
    }
    Map<String, Object> match = recognized == null ? null : recognized.match().orElse(null);
    sendKept(ctx, result("final", match, s.totalMillis()), recognized);
  }

  private static Map<String, Object> result(String type, Map<String, Object> match, Long streamMillis) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", true);
    if (type != null) {
      body.put("type", type);
    }
    body.put("match", match);
    if (streamMillis != null) {
      body.put("stream_ms", streamMillis);
    }
    return body;
  }

  /**
   * A one-shot clip: streamed to the decoder, or, for a container that needs seeking (MP4/M4A,
   * whose index is often at the end), spooled to a file first.
   */
  private RecognitionService.Recognized recognizeClip(byte[] data, int offset, int length)
      throws Exception {
    byte[] head = Arrays.copyOfRange(data, offset, offset + Math.min(length, AudioDecoders.HEAD_BYTES));
    if (AudioDecoders.sniff(head, head.length) != AudioContainer.MP4) {
      return recognition.recognizeKeeping(new ByteArrayInputStream(data, offset, length));
    }
    Files.createDirectories(tempDir);
    Path file = Files.createTempFile(tempDir, "clip-", ".m4a");
    try {
      try (OutputStream out = Files.newOutputStream(file)) {
        out.write(data, offset, length);
      }
      return recognition.recognizeKeeping(file);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private void onBinary(WsContext ctx, byte[] data, int offset, int length) throws Exception {
    StreamSession s = sessions.get(ctx.sessionId());
    if (s == null) {
      pool.charge(caller(ctx));
      RecognitionService.Recognized clip = pool.run(length,
          () -> recognizeClip(data, offset, length));
      sendKept(ctx, result(null, clip.match().orElse(null), null), clip);
      return;
    }
    s.append(data, offset, length);
    if (s.totalMillis() > maxStreamSeconds * 1000L) {
      sessions.remove(ctx.sessionId());
      send(ctx, ErrorResponses.body(new ApiException(413, "stream_too_long",
          "stream longer than " + maxStreamSeconds + " s")));
      ctx.closeSession(new CloseStatus(StatusCode.POLICY_VIOLATION, "stream too long"));
      return;
    }
    if (s.due(HOP_SECONDS, MIN_SECONDS)) {
      if (!pool.tryCharge(caller(ctx))) {
        // Over the limit: this window goes unrecognized; say so once per run of skipped windows.
        s.skipWindow();
        if (!s.rateLimited) {
          s.rateLimited = true;
          send(ctx, ErrorResponses.body(ApiException.rateLimited("too many recognitions: stream"
              + " windows are skipped until the rate limit allows again")));
        }
        return;
      }
      s.rateLimited = false;
      RecognitionService.Recognized recognized = recognizeWindow(s);
      Optional<Map<String, Object>> match = recognized.match();
      String song = match.map(m -> (String) m.get("song_id")).orElse(null);
      long now = s.totalMillis();
      if (!java.util.Objects.equals(song, s.lastSongId)) {
        // A new song, or the previous one is no longer heard (then "match": null once).
        s.lastSongId = song;
        s.lastPushMillis = now;
        sendKept(ctx, result("match", match.orElse(null), now), recognized);
      } else if (song != null && now - s.lastPushMillis >= UPDATE_MILLIS) {
        s.lastPushMillis = now;
        sendKept(ctx, result("update", match.get(), now), recognized);
      }
    }
  }
}
