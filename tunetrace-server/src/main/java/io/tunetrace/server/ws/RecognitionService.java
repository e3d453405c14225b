package io.tunetrace.server.ws;

import io.tunetrace.core.Match;
import io.tunetrace.core.MatchResult;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.SameRecording;
import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.audio.Resampler;
import io.tunetrace.core.index.FingerprintIndex;
import io.tunetrace.core.match.MatchPolicy;
import io.tunetrace.server.db.TrackRow;
import io.tunetrace.server.db.TrackStore;
import io.tunetrace.server.metrics.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Recognizes clips against the index and turns the best match into the wire form of the design
 * note: {@code {"song_id", "title", "artist", "confidence", "delta_ms", ..., "same_recording":
 * [...]}}, with the public UUID of the track row. Thread-safe.
 */
public final class RecognitionService {
  private final Recognizer recognizer;
  private final TrackStore tracks;
  private final Metrics metrics;

  /** @param maxPostingsPerHash hashes with more postings are skipped at lookup (hot hashes) */
  public RecognitionService(FingerprintIndex index, TrackStore tracks, Metrics metrics,
      int maxPostingsPerHash) {
    this.recognizer = new Recognizer(index,
        MatchPolicy.DEFAULT.withMaxPostingsPerHash(maxPostingsPerHash));
    this.tracks = tracks;
    this.metrics = metrics;
  }

  /**
   * A recognition's answer and the clip as it was searched: mono samples in [-1, 1] at the
   * index's analysis rate — what {@link io.tunetrace.core.explain.Explainer} needs to explain it.
   */
  public record Recognized(Optional<Map<String, Object>> match, float[] samples, int sampleRateHz) {}

  /** Decodes encoded audio (WAV, MP3, ...) and recognizes it. */
  public Optional<Map<String, Object>> recognize(InputStream encoded) throws IOException {
    return recognizeKeeping(encoded).match();
  }

  /**
   * Decodes an encoded audio file and recognizes it. A file (not a stream) lets the decoder seek,
   * which containers with their index at the end (M4A from phones) need.
   */
  public Optional<Map<String, Object>> recognize(java.nio.file.Path encoded) throws IOException {
    return recognizeKeeping(encoded).match();
  }

  /**
   * Recognizes mono samples; {@code offsetMillis} (the position of the samples in a stream) is
   * subtracted from {@code delta_ms}, so that it is relative to the stream start.
   */
  public Optional<Map<String, Object>> recognize(float[] samples, int sampleRateHz,
      long offsetMillis) {
    return recognizeKeeping(samples, sampleRateHz, offsetMillis).match();
  }

  /** As {@link #recognize(InputStream)}, keeping the clip at the analysis rate. */
  public Recognized recognizeKeeping(InputStream encoded) throws IOException {
    long start = System.nanoTime();
    try (PcmSource pcm = AudioDecoders.open(encoded)) {
      return recognizeKeeping(readClip(pcm), pcm.sampleRateHz(), 0, start);
    }
  }

  /** As {@link #recognize(java.nio.file.Path)}, keeping the clip at the analysis rate. */
  public Recognized recognizeKeeping(java.nio.file.Path encoded) throws IOException {
    long start = System.nanoTime();
    try (PcmSource pcm = AudioDecoders.open(encoded)) {
      return recognizeKeeping(readClip(pcm), pcm.sampleRateHz(), 0, start);
    }
  }

  /** As {@link #recognize(float[], int, long)}, keeping the clip at the analysis rate. */
  public Recognized recognizeKeeping(float[] samples, int sampleRateHz, long offsetMillis) {
    return recognizeKeeping(samples, sampleRateHz, offsetMillis, System.nanoTime());
  }

  /** The clip as {@link Recognizer#recognize(PcmSource)} reads it: at most its longest clip. */
  private static float[] readClip(PcmSource pcm) throws IOException {
    return PcmSource.readAll(pcm, Recognizer.MAX_CLIP_SECONDS * pcm.sampleRateHz());
  }

  private Recognized recognizeKeeping(float[] samples, int sampleRateHz, long offsetMillis,
      long startNanos) {
    int analysisRate = analysisRateHz();
    if (sampleRateHz == analysisRate
        || samples.length * 1000L / sampleRateHz < Recognizer.MIN_CLIP_MILLIS) {
      // (a clip too short is refused by the recognizer, with its message)
      return new Recognized(record(recognizer.recognize(samples, sampleRateHz), startNanos,
          offsetMillis), samples, sampleRateHz);
    }
    // Resampled once, as the recognizer would, and kept so that the answer can be explained.
    float[] analysis = Resampler.resample(samples, sampleRateHz, analysisRate,
        Resampler.Quality.ANALYSIS);
    return new Recognized(record(recognizer.recognize(analysis, analysisRate), startNanos,
        offsetMillis), analysis, analysisRate);
  }

  /** The sample rate clips are analysed at (the index's). */
  public int analysisRateHz() {
    return recognizer.index().params().sampleRateHz();
  }

  private Optional<Map<String, Object>> record(MatchResult result, long startNanos,
      long offsetMillis) {
    Optional<Map<String, Object>> view = Optional.empty();
    for (Match m : result.matches()) {
      Optional<TrackRow> row = tracks.findIndexed(m.track().id(), m.track().metadata().sourcePath());
      if (row.isPresent()) {
        view = Optional.of(toView(m, row.get(), offsetMillis));
        metrics.matchScore.record(m.score());
        metrics.matchConfidence.record(m.confidence());
        break;
      }
    }
    metrics.recognition.record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    (view.isPresent() ? metrics.recognitionsMatched : metrics.recognitionsUnmatched).increment();
    return view;
  }

  private Map<String, Object> toView(Match m, TrackRow row, long offsetMillis) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("song_id", row.id().toString());
    v.put("title", row.title());
    v.put("artist", row.artist());
    v.put("confidence", m.confidence());
    v.put("delta_ms", m.deltaMillis() - offsetMillis);
    v.put("score", Math.round(m.score() * 1000) / 1000.0);
    v.put("album", row.album());
    v.put("query_start_ms", m.queryStartMillis() + offsetMillis);
    v.put("query_stop_ms", m.queryStopMillis() + offsetMillis);
    v.put("ref_start_ms", m.refStartMillis());
    v.put("ref_stop_ms", m.refStopMillis());
    v.put("matched_share", Math.round(m.matchedShare() * 1000) / 1000.0);
    v.put("same_recording", sameRecording(m.sameRecording(), tracks::findIndexed, offsetMillis));
    return v;
  }

  /**
   * The other tracks holding the same audio, best first, in the wire form {@code {"track_id",
   * "title", "artist", "path", "delta_ms", "score"}}: {@code track_id} is the public UUID (as a
   * match's {@code song_id}), {@code path} the track's S3 key. Copies without a track row (deleted
   * meanwhile) are left out.
   *
   * @param rows finds the track row of an index track: (index id, source path) as {@link
   *     TrackStore#findIndexed}
   */
  static List<Map<String, Object>> sameRecording(List<SameRecording> sameRecording,
      BiFunction<Integer, String, Optional<TrackRow>> rows, long offsetMillis) {
    List<Map<String, Object>> copies = new ArrayList<>();
    for (SameRecording copy : sameRecording) {
      Optional<TrackRow> row = rows.apply(copy.track().id(), copy.track().metadata().sourcePath());
      if (row.isEmpty()) {
        continue;
      }
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("track_id", row.get().id().toString());
      c.put("title", row.get().title());
      c.put("artist", row.get().artist());
      c.put("path", row.get().s3Key());
      c.put("delta_ms", copy.deltaMillis() - offsetMillis);
      c.put("score", Math.round(copy.score() * 1000) / 1000.0);
      copies.add(c);
    }
    return copies;
  }
}
