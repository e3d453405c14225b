package io.tunetrace.server.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.tunetrace.server.auth.Auth;
import io.tunetrace.server.ws.RecognitionPool;
import io.tunetrace.server.ws.RecentRecognitions;
import io.tunetrace.server.ws.RecognitionService;
import io.tunetrace.server.ws.StreamSocket;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code POST /recognize} and the WebSocket {@code /ws/stream} (its upgrade authenticated and
 * rate-limited here; a refused upgrade answers in the error shape). Every recognition is charged
 * to the caller's limit and runs on the bounded {@link RecognitionPool} (503 {@code busy} when
 * full). A clip is spooled to a file
 * before decoding, so containers that keep their index at the end (M4A from phones, ffmpeg's
 * default) decode as well as streamable ones. Every answer carries a {@code recognition_id}: the
 * recognition is kept in {@link RecentRecognitions} for a while, and {@code GET /recognitions/{id}}
 * returns its answer again to the caller who asked for it. Thread-safe.
 */
public final class RecognitionRoutes implements Routes {
  static final String NOT_AUDIO = "clip is not audio (WAV, MP3, OGG, FLAC, M4A, WebM or AIFF)";

  private final RecognitionService recognition;
  private final StreamSocket socket;
  private final AccessControl access;
  private final RecognitionPool pool;
  private final RateLimiter wsLimiter;
  private final Path tempDir;
  private final long maxClipBytes;
  private final RecentRecognitions recent;

  public RecognitionRoutes(RecognitionService recognition, StreamSocket socket, AccessControl access,
      RecognitionPool pool, RateLimiter wsLimiter, Path tempDir, long maxClipBytes,
      RecentRecognitions recent) {
    this.recognition = recognition;
    this.socket = socket;
    this.access = access;
    this.pool = pool;
    this.wsLimiter = wsLimiter;
    this.tempDir = tempDir;
    this.maxClipBytes = maxClipBytes;
    this.recent = recent;
  }

  @Override
  public void addTo(Javalin app) {
    app.post("/recognize", this::recognize, Access.CLIENT);
    app.get("/recognitions/{id}", this::stored, Access.CLIENT);
    app.wsBeforeUpgrade("/ws/stream", this::beforeUpgrade);
    app.ws("/ws/stream", socket::configure);
  }

  private void beforeUpgrade(Context ctx) {
    try {
      Auth.Principal who = access.authenticateUpgrade(ctx);
      ctx.attribute(StreamSocket.CALLER_ATTRIBUTE, who.id());
      if (!wsLimiter.tryAcquire(who.id(), System.currentTimeMillis())) {
        throw ApiException.rateLimited("too many WebSocket connections; retry in a minute");
      }
    } catch (RuntimeException e) {
      // Javalin does not write the result of a refused upgrade (the body would be empty): write
      // the error shape to the servlet response and commit it, then refuse.
      ApiException api = ErrorResponses.toApi(e);
      byte[] body = ctx.jsonMapper().toJsonString(ErrorResponses.body(api), ErrorBody.class)
          .getBytes(StandardCharsets.UTF_8);
      try {
        ctx.res().setStatus(api.status());
        ctx.res().setContentType("application/json");
        ctx.res().setContentLength(body.length);
        ctx.res().getOutputStream().write(body);
        ctx.res().flushBuffer();
      } catch (IOException writeFailed) {
        api.addSuppressed(writeFailed);
      }
      throw api;
    }
  }

  private void recognize(Context ctx) throws Exception {
    Auth.Principal who = AccessControl.principal(ctx);
    pool.charge(who.id());
    RecognitionService.Recognized r;
    try (SpooledUpload up = spoolClip(ctx, tempDir, maxClipBytes)) {
      r = pool.run(up.size, () -> recognition.recognizeKeeping(up.file));
    }
    String id = recent.newId();
    Replies.Recognition answer = new Replies.Recognition(true, r.match().orElse(null), id);
    recent.put(id, who.id(), answer, r.samples(), r.sampleRateHz());
    ctx.json(answer);
  }

  /** {@code GET /recognitions/{id}}: the answer as it was sent. */
  private void stored(Context ctx) {
    ctx.header("Cache-Control", "no-store");
    ctx.json(stored(ctx, recent, access).answer());
  }

  /**
   * The kept recognition named by the path's {@code id}, if the caller may read it: their own, or
   * anyone's for an operator ({@link AccessControl#mayReadOthersRecognitions}). Another caller's
   * is answered as an unknown one (404), so that ids reveal nothing.
   */
  static RecentRecognitions.Entry stored(Context ctx, RecentRecognitions recent,
      AccessControl access) {
    String id = ctx.pathParam("id");
    if (!RecentRecognitions.isId(id)) {
      throw ApiException.badRequest("id is not a recognition id (32 hex digits): " + id);
    }
    Auth.Principal who = AccessControl.principal(ctx);
    return recent.get(id)
        .filter(e -> e.owner().equals(who.id()) || access.mayReadOthersRecognitions(ctx))
        .orElseThrow(() -> ApiException.notFound("no recognition " + id
            + " (unknown, or no longer kept: recognitions are kept for a while only)"));
  }

  /**
   * The clip of a recognition-like request — the multipart part {@code file}, else the raw body —
   * spooled to a file and sniffed (415 before anything is decoded).
   */
  static SpooledUpload spoolClip(Context ctx, Path tempDir, long maxClipBytes) throws IOException {
    InputStream body;
    if (ctx.isMultipartFormData()) {
      UploadedFile file;
      try {
        file = ctx.uploadedFile("file");
      } catch (Exception e) { // the servlet container throws IOException and ServletException unchecked
        throw ErrorResponses.malformedMultipart(e, maxClipBytes);
      }
      if (file == null) {
        throw ApiException.badRequest("file is required");
      }
      body = file.content();
    } else {
      body = ctx.bodyInputStream();
    }
    try (InputStream in = body) {
      return SpooledUpload.spool(in, tempDir, maxClipBytes, NOT_AUDIO);
    }
  }
}
