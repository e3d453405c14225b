package io.tunetrace.server.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.tunetrace.server.blob.BlobStore;
import io.tunetrace.server.db.TrackRow;
import io.tunetrace.server.db.TrackStatus;
import io.tunetrace.server.db.TrackStore;
import io.tunetrace.server.jobs.JobQueue;
import io.tunetrace.server.jobs.TrackDeleter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /tracks}: upload, list, show, delete, retry. An upload is spooled and sniffed (415 before
 * anything is stored), compared by content hash with earlier uploads (the same bytes again → 200
 * with the existing track), stored in the blob store, then inserted with its job in one
 * transaction; a unique content hash in the database makes the same bytes sent to two API
 * processes at once one track (the later insert is answered as a duplicate). Thread-safe.
 */
public final class TrackRoutes implements Routes {
  private static final Logger LOG = LoggerFactory.getLogger(TrackRoutes.class);
  /** Room for the multipart headers and text fields around the file. */
  public static final long MULTIPART_OVERHEAD_BYTES = 1024 * 1024;
  static final String NOT_AUDIO = "file is not audio (WAV, MP3, OGG, FLAC, M4A, WebM or AIFF)";

  private final TrackStore tracks;
  private final BlobStore blobs;
  private final TrackDeleter deleter;
  private final JobQueue queue;
  private final Runnable wakeWorkers;
  private final Path tempDir;
  private final long maxUploadBytes;
  /** Uploads of the same content hash in this process take turns: one of them stores it. */
  private final Object[] hashLocks = new Object[64];

  public TrackRoutes(TrackStore tracks, BlobStore blobs, TrackDeleter deleter, JobQueue queue,
      Runnable wakeWorkers, Path tempDir, long maxUploadBytes) {
    this.tracks = tracks;
    this.blobs = blobs;
    this.deleter = deleter;
    this.queue = queue;
    this.wakeWorkers = wakeWorkers;
    this.tempDir = tempDir;
    this.maxUploadBytes = maxUploadBytes;
    for (int i = 0; i < hashLocks.length; i++) {
      hashLocks[i] = new Object();
    }
  }

  @Override
  public void addTo(Javalin app) {
    app.post("/tracks", this::upload, Access.CLIENT);
    app.get("/tracks", this::list, Access.CLIENT);
    app.get("/tracks/{id}", ctx -> ctx.json(TrackView.of(find(ctx))), Access.CLIENT);
    app.delete("/tracks/{id}", this::delete, Access.CLIENT);
    app.post("/tracks/{id}/retry", this::retry, Access.CLIENT);
  }

  private void upload(Context ctx) throws IOException {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxUploadBytes + MULTIPART_OVERHEAD_BYTES) {
      throw ApiException.tooLarge("upload larger than " + maxUploadBytes + " bytes");
    }
    if (!ctx.isMultipartFormData()) {
      throw ApiException.badRequest("expected multipart/form-data with file, title and artist");
    }
    UploadedFile file;
    String title;
    String artist;
    String album;
    try {
      file = ctx.uploadedFile("file");
      title = ctx.formParam("title");
      artist = ctx.formParam("artist");
      album = ctx.formParam("album");
    } catch (Exception e) { // the servlet container throws IOException and ServletException unchecked
      throw ErrorResponses.malformedMultipart(e, maxUploadBytes);
    }
    UploadForm form = UploadForm.of(title, artist, album);
    if (file == null) {
      throw ApiException.badRequest("file is required");
    }
    if (file.size() > maxUploadBytes) {
      throw ApiException.tooLarge("upload larger than " + maxUploadBytes + " bytes");
    }
    try (InputStream in = file.content();
        SpooledUpload up = SpooledUpload.spool(in, tempDir, maxUploadBytes, NOT_AUDIO)) {
      synchronized (hashLocks[Math.floorMod(up.sha256.hashCode(), hashLocks.length)]) {
        Optional<TrackRow> existing = tracks.findBySha256(up.sha256);
        if (existing.isPresent()) {
          answerDuplicate(ctx, existing.get());
          return;
        }
        TrackRow row;
        try {
          row = store(form, up);
        } catch (TrackStore.DuplicateContentException e) {
          // Another API process stored the same bytes at the same instant and inserted first.
          Optional<TrackRow> first = tracks.findBySha256(up.sha256);
          if (first.isEmpty()) {
            throw ApiException.unavailable("database unavailable; retry later", e);
          }
          answerDuplicate(ctx, first.get());
          return;
        }
        wakeWorkers.run();
        ctx.status(201).json(new Replies.Upload(row.id().toString(), row.s3Key(),
            row.status().name(), null, null));
      }
    }
  }

  private static void answerDuplicate(Context ctx, TrackRow t) {
    ctx.status(200).json(new Replies.Upload(t.id().toString(), t.s3Key(), t.status().name(),
        t.id().toString(), TrackView.of(t)));
  }

  /**
   * Stores the object and inserts the row with its job.
   *
   * @throws TrackStore.DuplicateContentException when another track holds these bytes (the object
   *     is deleted again)
   */
  private TrackRow store(UploadForm form, SpooledUpload up) {
    UUID id = UUID.randomUUID();
    String key = "tracks/" + id + SpooledUpload.extension(up.container);
    String contentType = up.container.mimeType();
    try {
      blobs.put(key, up.file, contentType);
    } catch (IOException e) {
      throw ApiException.unavailable("object storage unavailable; retry later", e);
    }
    try {
      return tracks.insertQueued(new TrackStore.NewTrackRow(id, form.title(), form.artist(),
          form.album(), key, contentType, up.size, up.sha256));
    } catch (RuntimeException e) {
      try {
        blobs.delete(key);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      if (e instanceof TrackStore.DuplicateContentException) {
        throw e;
      }
      throw ApiException.unavailable("database unavailable; retry later", e);
    }
  }

  private TrackRow find(Context ctx) {
    UUID id;
    try {
      id = UUID.fromString(ctx.pathParam("id"));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("id is not a UUID: " + ctx.pathParam("id"));
    }
    return tracks.find(id).orElseThrow(() -> ApiException.notFound("no track " + id));
  }

  private void list(Context ctx) {
    Optional<TrackStatus> status = Optional.ofNullable(ctx.queryParam("status")).map(s -> {
      try {
        return TrackStatus.valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("status must be QUEUED, FINGERPRINTING, READY or FAILED: " + s);
      }
    });
    int limit = intParam(ctx, "limit", 50, 1, 500);
    int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    ctx.json(new Replies.TrackPage(
        tracks.list(status, limit, offset).stream().map(TrackView::of).toList(),
        tracks.count(status), limit, offset));
  }

  private static int intParam(Context ctx, String name, int fallback, int min, int max) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw ApiException.badRequest(name + " out of [" + min + ", " + max + "]: " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name + " is not an integer: " + v);
    }
  }

  private void delete(Context ctx) {
    UUID id = find(ctx).id();
    deleter.delete(id).orElseThrow(() -> ApiException.notFound("no track " + id));
    ctx.json(new Replies.Deleted(true, id.toString()));
  }

  /** {@code POST /tracks/{id}/retry}: a FAILED track's job again, with fresh attempts. */
  private void retry(Context ctx) {
    TrackRow row = find(ctx);
    switch (queue.retry(row.id())) {
      case NO_TRACK -> throw ApiException.notFound("no track " + row.id());
      case NOT_FAILED -> throw new ApiException(409, "conflict", "track " + row.id() + " is "
          + row.status() + ": only a FAILED track can be retried");
      default -> wakeWorkers.run();
    }
    ctx.status(202).json(new Replies.Retried(row.id().toString(), "QUEUED"));
  }

}
