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
 * <p>Thread-safe.
 */
public final class ExplainRoutes implements Routes {
  private final Explainer explainer;
  private final BlobStore blobs;
  private final Path tempDir;
  private final long maxClipBytes;
  private final RecognitionPool pool;

  /** @param pool the recognitions' pool: an explanation is charged and bounded like one */
  public ExplainRoutes(FingerprintIndex index, int maxPostingsPerHash, BlobStore blobs,
      Path tempDir, long maxClipBytes, RecognitionPool pool) {
    this.explainer = new Explainer(new Recognizer(index,
        MatchPolicy.DEFAULT.withMaxPostingsPerHash(maxPostingsPerHash)));
    this.blobs = blobs;
    this.tempDir = tempDir;
    this.maxClipBytes = maxClipBytes;
    this.pool = pool;
  }

  @Override
  public void addTo(Javalin app) {
    app.post("/explain", this::explain, Access.CLIENT);
  }

  private void explain(Context ctx) throws Exception {
    Auth.Principal who = AccessControl.principal(ctx);
    String format = Optional.ofNullable(ctx.queryParam("format")).orElse("svg")
        .toLowerCase(Locale.ROOT);
    if (!format.equals("svg") && !format.equals("png")) {
      throw ApiException.badRequest("format must be svg or png: " + ctx.queryParam("format"));
    }
    pool.charge(who.id());
    Explanation e;
    try (SpooledUpload up = RecognitionRoutes.spoolClip(ctx, tempDir, maxClipBytes)) {
      e = pool.run(up.size, () -> {
        float[] samples;
        int rate;
        try (PcmSource pcm = AudioDecoders.open(up.file)) {
          rate = pcm.sampleRateHz();
          samples = PcmSource.readAll(pcm, Recognizer.MAX_CLIP_SECONDS * rate);
        }
        return explainer.explain(samples, rate, this::referenceAudio);
      });
    }
    ctx.header("X-TuneTrace-Accepted", Boolean.toString(e.accepted()));
    ctx.header("Cache-Control", "no-store");
    if (format.equals("png")) {
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      ExplanationPicture.writePng(e, png);
      ctx.contentType("image/png").result(png.toByteArray());
    } else {
      ctx.contentType("image/svg+xml; charset=utf-8").result(ExplanationPicture.svg(e));
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
