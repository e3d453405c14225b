package io.tunetrace.cli;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.MatchResult;
import io.tunetrace.core.Recognizer;
import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.PcmSource;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Decodes the clips of a short {@code match} command line on background threads from the moment
 * the process starts, while the command line is read and the index opens on the main thread.
 *
 * <p>A clip that ffmpeg decodes (Opus, MP4) waits about 100 ms for ffmpeg to start and answer, and an
 * MP3 takes 30-50 ms to decode in a cold JVM; the main thread needs 15-30 ms to read the command
 * line and open the index (about 60 ms more when picocli reads the command line). Begun
 * here, that work runs on the machine's other core at the same time (BENCHMARKS.md, "Start-up of a
 * one-clip tunetrace match"). The clip is decoded at the default analysis rate, every index's
 * unless created otherwise. Analysing it ahead as well was tried and is slower: the two threads
 * then compete for the one C1 compiler and both run longer in the interpreter.
 *
 * <p>The command line is not parsed here, only looked at: every argument after {@code match} that
 * does not start with {@code -} and names a regular file is a candidate (the values of the options
 * that take one are a directory or a number, so they are not decoded unless a file of that name
 * exists, and then the decoding is only wasted). The command line is still read as always, and the
 * command {@linkplain #match takes} a clip only when it asks for that argument at the rate it was
 * decoded at; anything else is decoded as without this class. More than {@value #MAX_CLIPS}
 * candidates start nothing: such a run is long, and decoding them all at once would only hold
 * their samples in memory sooner.
 *
 * <p>What comes out is what {@link Queries} would have decoded: the same decoder, rate and samples
 * (at most {@link Recognizer#MAX_CLIP_SECONDS} of them, and whether the clip went on), so the same
 * result; a failure is the same exception, thrown when the clip is taken.
 *
 * <p>Thread-safe.
 */
final class ClipPrefetch {
  /** The most clips a command line may name for any to be decoded ahead. */
  static final int MAX_CLIPS = 4;

  /** Decodes nothing ahead. */
  static final ClipPrefetch NONE = new ClipPrefetch(Map.of(), 0);

  /** A clip decoded ahead: the samples the recognizer keeps, and the decoder's time. */
  private record Ahead(float[] samples, int sampleRateHz, boolean longerThanKept, long nanos) {}

  private final Map<String, CompletableFuture<Ahead>> started;
  private final int rateHz;
  private final Set<String> taken = new HashSet<>();

  private ClipPrefetch(Map<String, CompletableFuture<Ahead>> started, int rateHz) {
    this.started = started;
    this.rateHz = rateHz;
  }

  /**
   * Starts decoding the clips {@code args} name when they are a {@code match} command line, at the
   * default analysis rate.
   */
  static ClipPrefetch start(String[] args) {
    return start(args, FingerprintParams.DEFAULT.sampleRateHz());
  }

  static ClipPrefetch start(String[] args, int rateHz) {
    List<String> clips = candidates(args);
    if (clips.isEmpty()) {
      return NONE;
    }
    Map<String, CompletableFuture<Ahead>> started = new HashMap<>();
    for (String clip : clips) {
      CompletableFuture<Ahead> future = new CompletableFuture<>();
      started.put(clip, future);
      Thread thread = new Thread(() -> {
        try {
          future.complete(decode(Path.of(clip), rateHz));
        } catch (Throwable e) {
          future.completeExceptionally(e);
        }
      }, "tunetrace-clip-prefetch");
      thread.setDaemon(true); // a clip never taken must not keep the process alive
      thread.start();
    }
    return new ClipPrefetch(Map.copyOf(started), rateHz);
  }

  /**
   * The arguments of a {@code match} command line that may be clips: after the subcommand, not
   * options, regular files, each once; none when there are more than {@value #MAX_CLIPS}.
   */
  static List<String> candidates(String[] args) {
    int i = 0;
    while (i < args.length && args[i].startsWith("-")) {
      i++; // the top level's own options (--help, --version) take no value
    }
    if (i == args.length || !args[i].equals("match")) {
      return List.of();
    }
    List<String> clips = new ArrayList<>();
    for (i++; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        continue; // picocli: every later argument is a clip
      }
      if (arg.isEmpty() || arg.startsWith("-") || clips.contains(arg) || !isRegularFile(arg)) {
        continue;
      }
      if (clips.size() == MAX_CLIPS) {
        return List.of();
      }
      clips.add(arg);
    }
    return clips;
  }

  private static boolean isRegularFile(String arg) {
    try {
      return Files.isRegularFile(Path.of(arg));
    } catch (RuntimeException e) {
      return false; // not a path on this system: picocli or the decoder will say so
    }
  }

  /**
   * Recognizes the clip {@code query} decoded ahead, once, waiting for it; null when it was not
   * decoded ahead, was taken already or was decoded at a rate other than the recognizer's index
   * uses (the caller then decodes it itself).
   *
   * @throws IOException the decoder's own failure, as decoding it here would have thrown it
   */
  Queries.Clip match(String query, Recognizer recognizer) throws IOException {
    CompletableFuture<Ahead> future = started.get(query);
    if (future == null || recognizer.index().params().sampleRateHz() != rateHz) {
      return null;
    }
    synchronized (taken) {
      if (!taken.add(query)) {
        return null;
      }
    }
    long waitStart = System.nanoTime();
    Ahead ahead = await(future, query);
    long waited = System.nanoTime() - waitStart;
    MatchResult result = recognizer.recognize(ahead.samples(), ahead.sampleRateHz());
    return new Queries.Clip(result, ahead.longerThanKept(), Math.max(0, ahead.nanos() - waited));
  }

  private static Ahead await(CompletableFuture<Ahead> future, String query) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while decoding " + query);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IOException("decoding " + query + " failed: " + cause, cause);
    }
  }

  /** Decodes {@code file} as {@link Queries} does: at most the recognizer's length, and whether it went on. */
  private static Ahead decode(Path file, int rateHz) throws IOException {
    long start = System.nanoTime();
    try (PcmSource source = AudioDecoders.open(file, rateHz)) {
      int rate = source.sampleRateHz();
      float[] samples = PcmSource.readAll(source, Recognizer.MAX_CLIP_SECONDS * rate);
      return new Ahead(samples, rate, Queries.hasMore(source), System.nanoTime() - start);
    }
  }
}
