package io.tunetrace.core.audio;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes anything ffmpeg can read by running {@code ffmpeg ... -ac 1 -ar RATE -f f32le pipe:1}
 * and streaming the mono float samples from its standard output. A file is given to ffmpeg by
 * path; a stream is copied to ffmpeg's standard input on a daemon thread. Without a requested
 * rate the output keeps the native rate, which ffmpeg reports on standard error ({@code -v
 * level+info}: the output stream line) before it writes any sample; {@code open} waits for it.
 *
 * <p>Not thread-safe: one reader at a time. {@link #close()} kills ffmpeg if it is still running.
 */
final class FfmpegDecoder implements PcmSource {
  private static final long RATE_TIMEOUT_SECONDS = 60;
  private static final Pattern OUTPUT_RATE =
      Pattern.compile("^\\[info\\]\\s+Stream #0:\\d+.*Audio: pcm_f32le, (\\d+) Hz");
  private static final int BUFFER_BYTES = 32 * 1024;
  private static final int STDERR_LINES = 8;
  private static final long PROBE_TIMEOUT_SECONDS = 20;

  private final String formatName;
  private final Process process;
  private final InputStream stdout;
  private final Thread stderrDrain;
  private final Deque<String> stderrTail;
  private final InputStream ownedInput;
  private final int sampleRateHz;
  private final byte[] buf = new byte[BUFFER_BYTES];
  private int carried;
  private boolean eof;
  private boolean closed;

  private FfmpegDecoder(
      String formatName,
      Process process,
      Thread stderrDrain,
      Deque<String> stderrTail,
      InputStream ownedInput,
      int sampleRateHz) {
    this.formatName = formatName;
    this.process = process;
    this.stdout = process.getInputStream();
    this.stderrDrain = stderrDrain;
    this.stderrTail = stderrTail;
    this.ownedInput = ownedInput;
    this.sampleRateHz = sampleRateHz;
  }

  /**
   * Starts ffmpeg on {@code file} (when not null) or on {@code in} (owned by the returned source
   * once this method returns; when it throws, the caller keeps it).
   *
   * @param formatName the container name for messages, for example {@code OGG}
   * @param preferredRateHz output rate, or 0 for the native rate (waits until ffmpeg reports it)
   */
  static PcmSource open(
      DecoderTools tools, String formatName, Path file, InputStream in, int preferredRateHz)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            tools.ffmpeg(),
            "-nostdin",
            "-hide_banner",
            "-nostats",
            "-v",
            "level+info",
            "-i",
            file != null ? "file:" + file.toAbsolutePath() : "pipe:0",
            "-vn",
            "-sn",
            "-dn",
            "-ac",
            "1"));
    if (preferredRateHz > 0) {
      cmd.add("-ar");
      cmd.add(Integer.toString(preferredRateHz));
    }
    if (file != null) {
      // A file is not live: let ffmpeg fill its 32 KB output buffer instead of writing every
      // packet (an Opus packet at 8 kHz is 640 bytes: 50 writes, reads and wake-ups per second
      // of audio). Same bytes, about fifty times fewer system calls. A stream keeps per-packet
      // writes, so samples of a live source still come out as they are decoded.
      cmd.addAll(List.of("-flush_packets", "0"));
    }
    cmd.addAll(List.of("-f", "f32le", "pipe:1"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    if (file != null) {
      pb.redirectInput(ProcessBuilder.Redirect.from(nullFile()));
    }
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      // the caller still owns (and closes) in: it may decode it another way
      throw new UnsupportedAudioFormatException(tools.ffmpegMissing(formatName + " audio"), e);
    }
    Deque<String> tail = new ArrayDeque<>();
    CompletableFuture<Integer> outputRate = new CompletableFuture<>();
    Thread drain =
        daemon("tunetrace-ffmpeg-stderr", () -> drainStderr(process, tail, outputRate));
    drain.start();
    if (in != null) {
      daemon("tunetrace-ffmpeg-stdin", () -> copyToStdin(in, process)).start();
    }
    FfmpegDecoder decoder;
    int rate = preferredRateHz;
    try {
      if (rate == 0) {
        rate = awaitRate(formatName, process, drain, tail, outputRate);
      }
      decoder = new FfmpegDecoder(formatName, process, drain, tail, in, rate);
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
    return decoder;
  }

  /** Waits until ffmpeg reports its output rate; a failure before that becomes an exception. */
  private static int awaitRate(
      String formatName,
      Process process,
      Thread drain,
      Deque<String> tail,
      CompletableFuture<Integer> outputRate)
      throws IOException {
    int rate;
    try {
      rate = outputRate.get(RATE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for ffmpeg");
    } catch (ExecutionException | TimeoutException e) {
      throw new CorruptAudioException(formatName + ": ffmpeg did not start decoding", e);
    }
    if (rate > 0) {
      return rate;
    }
    // stderr ended without an output stream: ffmpeg failed
    try {
      process.waitFor(10, TimeUnit.SECONDS);
      drain.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for ffmpeg");
    }
    throw new CorruptAudioException(formatName + ": ffmpeg failed: " + lastError(tail, process));
  }

  private static String lastError(Deque<String> tail, Process process) {
    synchronized (tail) {
      if (!tail.isEmpty()) {
        return tail.getLast();
      }
    }
    return process.isAlive() ? "no output" : "exit status " + process.exitValue();
  }

  private static java.io.File nullFile() {
    return new java.io.File(
        System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * Keeps the last error lines (without their level tag) and completes {@code outputRate} with the
   * rate of the output stream, or -1 when stderr ends first.
   */
  private static void drainStderr(
      Process process, Deque<String> tail, CompletableFuture<Integer> outputRate) {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!outputRate.isDone()) {
          Matcher m = OUTPUT_RATE.matcher(line);
          if (m.find()) {
            outputRate.complete(Integer.parseInt(m.group(1)));
            continue;
          }
        }
        String message = errorMessage(line);
        if (message == null) {
          continue;
        }
        synchronized (tail) {
          if (tail.size() == STDERR_LINES) {
            tail.removeFirst();
          }
          tail.addLast(message);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // the process went away; what was read is kept
    } finally {
      outputRate.complete(-1);
    }
  }

  /** The text of an {@code [error]} or {@code [fatal]} line, or null for other lines. */
  static String errorMessage(String line) {
    for (String level : new String[] {"[error] ", "[fatal] ", "[panic] "}) {
      if (line.startsWith(level)) {
        String m = line.substring(level.length()).strip();
        if (m.contains("does not contain any stream") || m.contains("matches no streams")) {
          return "no audio stream";
        }
        return m.isEmpty() || m.equals("Conversion failed!") ? null : m;
      }
    }
    return null;
  }

  private static void copyToStdin(InputStream in, Process process) {
    try (in;
        OutputStream stdin = process.getOutputStream()) {
      in.transferTo(stdin);
    } catch (IOException e) {
      // ffmpeg stopped reading (finished, failed or was closed); its exit status tells which
    }
  }

  /**
   * Runs a short helper process and returns its standard output lines, or an empty list when it
   * cannot start, fails or times out.
   */
  static List<String> run(List<String> cmd, long timeoutSeconds) {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.redirectInput(ProcessBuilder.Redirect.from(nullFile()));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return List.of();
    }
    List<String> lines = new ArrayList<>();
    Thread reader =
        daemon(
            "tunetrace-probe",
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  synchronized (lines) {
                    if (lines.size() < 1000) {
                      lines.add(line);
                    }
                  }
                }
              } catch (IOException e) {
                // the process went away
              }
            });
    reader.start();
    try {
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return List.of();
      }
      reader.join(TimeUnit.SECONDS.toMillis(timeoutSeconds));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return List.of();
    }
    if (p.exitValue() != 0) {
      return List.of();
    }
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  @Override
  public int sampleRateHz() {
    return sampleRateHz;
  }

  @Override
  public int read(float[] out, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, out.length);
    if (closed) {
      throw new IOException("closed");
    }
    if (length == 0) {
      return 0;
    }
    while (!eof) {
      int want = Math.min(buf.length, length * 4);
      int n = stdout.read(buf, carried, Math.max(1, want - carried));
      if (n < 0) {
        eof = true;
        finish();
        break;
      }
      int total = carried + n;
      int samples = total / 4;
      if (samples == 0) {
        carried = total;
        continue;
      }
      byte[] b = buf;
      for (int i = 0, p = 0; i < samples; i++, p += 4) {
        int bits = (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | b[p + 3] << 24;
        float v = Float.intBitsToFloat(bits);
        out[offset + i] = v >= -1f && v <= 1f ? v : v > 1f ? 1f : v < -1f ? -1f : 0f;
      }
      carried = total - samples * 4;
      System.arraycopy(buf, samples * 4, buf, 0, carried);
      return samples;
    }
    return -1;
  }

  /** Waits for ffmpeg to exit after its output ended; a failure becomes an exception. */
  private void finish() throws IOException {
    int exit;
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new CorruptAudioException(formatName + ": ffmpeg did not exit");
      }
      exit = process.exitValue();
      stderrDrain.join(5000);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for ffmpeg");
    }
    if (exit != 0) {
      throw new CorruptAudioException(
          formatName + ": ffmpeg failed: " + lastError(stderrTail, process));
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    eof = true;
    process.destroyForcibly();
    try {
      stdout.close();
    } finally {
      if (ownedInput != null) {
        ownedInput.close();
      }
    }
  }
}
