package io.tunetrace.server.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.explain.Explainer;
import io.tunetrace.core.explain.Explanation;
import io.tunetrace.core.explain.ExplanationPicture;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.match.MatchPolicy;
import io.tunetrace.server.auth.Auth;
import io.tunetrace.server.blob.BlobStore;
import io.tunetrace.server.ws.RecentRecognitions;
import io.tunetrace.server.ws.RecognitionPool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code POST /explain} (auth, rate-limited like {@code POST /recognize}): the clip as the raw body
 * or as {@code file} in a multipart body, answered with a picture of why it matched or why the best
 * candidate was refused ({@link ExplanationPicture}): {@code image/svg+xml} (default, what the
 * Listen page shows) or, with {@code ?format=png}, {@code image/png}. The reference half is decoded
 * from the track's object in the blob store. The answer's {@code X-TuneTrace-Accepted} header says
 * whether the clip matched.
 *
 * <p>{@code GET /recognitions/{id}/explain} draws the same picture for a recognition the server
 * kept ({@link RecentRecognitions}): from the clip's audio at the analysis rate, as it was searched.
 *
 * <p>Thread-safe.
 */
public final class ExplainRoutes implements Routes {
  private final Explainer explainer;
  private final BlobStore blobs;
  private final Path tempDir;
  private final long maxClipBytes;
  private final RecognitionPool pool;
  private final RecentRecognitions recent;
  private final AccessControl access;

  /**
   * @param pool the recognitions' pool: an explanation is charged and bounded like one
   * @param recent the kept recognitions, explained by id
   */
  public ExplainRoutes(FingerprintIndex index, int maxPostingsPerHash, BlobStore blobs,
      Path tempDir, long maxClipBytes, RecognitionPool pool, RecentRecognitions recent,
      AccessControl access) {
    this.explainer = new Explainer(new Recognizer(index,
        MatchPolicy.DEFAULT.withMaxPostingsPerHash(maxPostingsPerHash)));
    this.blobs = blobs;
    this.tempDir = tempDir;
    this.maxClipBytes = maxClipBytes;
    this.pool = pool;
    this.recent = recent;
    this.access = access;
  }

  @Override
  public void addTo(Javalin app) {
    app.post("/explain", this::explain, Access.CLIENT);
    app.get("/recognitions/{id}/explain", this::explainStored, Access.CLIENT);
  }

  private static String format(Context ctx) {
    String format = Optional.ofNullable(ctx.queryParam("format")).orElse("svg")
        .toLowerCase(Locale.ROOT);
    if (!format.equals("svg") && !format.equals("png")) {
      throw ApiException.badRequest("format must be svg or png: " + ctx.queryParam("format"));
    }
    return format;
  }

  private void explainStored(Context ctx) throws Exception {
    Auth.Principal who = AccessControl.principal(ctx);
    String format = format(ctx);
    RecentRecognitions.Entry kept = RecognitionRoutes.stored(ctx, recent, access);
    pool.charge(who.id());
    Picture picture = pool.run(4L * kept.pcm().length, () -> Picture.of(
        explainer.explain(kept.samples(), kept.sampleRateHz(), this::referenceAudio), format));
    picture.send(ctx);
  }

  private void explain(Context ctx) throws Exception {
    Auth.Principal who = AccessControl.principal(ctx);
    String format = format(ctx);
    pool.charge(who.id());
    Picture picture;
    try (SpooledUpload up = RecognitionRoutes.spoolClip(ctx, tempDir, maxClipBytes)) {
      picture = pool.run(up.size, () -> {
        float[] samples;
        int rate;
        try (PcmSource pcm = AudioDecoders.open(up.file)) {
          rate = pcm.sampleRateHz();
          samples = PcmSource.readAll(pcm, Recognizer.MAX_CLIP_SECONDS * rate);
        }
        return Picture.of(explainer.explain(samples, rate, this::referenceAudio), format);
      });
    }
    picture.send(ctx);
  }

  /** An explanation drawn (on the pool: drawing is charged like the search) and ready to send. */
  private record Picture(boolean accepted, String contentType, byte[] body) {
    static Picture of(Explanation e, String format) throws IOException {
      if (format.equals("png")) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ExplanationPicture.writePng(e, png);
        return new Picture(e.accepted(), "image/png", png.toByteArray());
      }
      return new Picture(e.accepted(), "image/svg+xml; charset=utf-8",
          ExplanationPicture.svg(e).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    void send(Context ctx) {
      ctx.header("X-TuneTrace-Accepted", Boolean.toString(accepted));
      ctx.header("Cache-Control", "no-store");
      ctx.contentType(contentType).result(body);
    }
  }

  /** The track's object (its index source is the S3 key), copied to a temporary file to decode. */
  private Optional<PcmSource> referenceAudio(io.tunetrace.core.index.Track track) throws IOException {
    String key = track.metadata().sourcePath();
    if (key.isEmpty()) {
      return Optional.empty();
    }
    Path copy = Files.createTempFile(tempDir, "explain-ref", ".audio");
    try {
      try (InputStream in = blobs.get(key)) {
        Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
      }
      PcmSource pcm = AudioDecoders.open(copy);
      return Optional.of(new DeletingSource(pcm, copy));
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(copy);
      throw e;
    }
  }

  /** Deletes the temporary copy once the decoder is closed. */
  private record DeletingSource(PcmSource pcm, Path file) implements PcmSource {
    @Override
    public int sampleRateHz() {
      return pcm.sampleRateHz();
    }

    @Override
    public int read(float[] buffer, int offset, int length) throws IOException {
      return pcm.read(buffer, offset, length);
    }

    @Override
    public void close() throws IOException {
      try {
        pcm.close();
      } finally {
        Files.deleteIfExists(file);
      }
    }
  }
}
