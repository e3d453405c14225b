package io.tunetrace.cli.remote;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The progress line of a folder upload on stderr: {@code upload: 3/40 files, 1.2/96.0 MB, 0 failed}.
 * On a terminal one line is redrawn in place (at most every 100 ms); otherwise plain lines are
 * printed, at most one every 5 s, and always the last one. Bytes count the files finished.
 * Thread-safe.
 */
final class UploadProgress {
  private static final long TERMINAL_REDRAW_NANOS = 100_000_000L;
  private static final long PLAIN_LINE_NANOS = 5_000_000_000L;

  private final PrintWriter err;
  private final boolean terminal;
  private final int totalFiles;
  private final long totalBytes;
  private int doneFiles;
  private long doneBytes;
  private int failed;
  private long lastDrawNanos;
  private boolean drawn;
  private int lastWidth;
  private String lastText = "";

  UploadProgress(PrintWriter err, boolean terminal, int totalFiles, long totalBytes) {
    this.err = err;
    this.terminal = terminal;
    this.totalFiles = totalFiles;
    this.totalBytes = totalBytes;
    this.lastDrawNanos = System.nanoTime();
  }

  /** One more file finished (sent, skipped, or failed). */
  synchronized void fileDone(long bytes, boolean failedFile) {
    doneFiles++;
    doneBytes += bytes;
    failed += failedFile ? 1 : 0;
    draw(line(), doneFiles == totalFiles);
  }

  /** While waiting for READY/FAILED: {@code upload: waiting, 3/40 READY or FAILED}. */
  synchronized void waiting(int finished, int total) {
    draw("upload: waiting, " + finished + "/" + total + " READY or FAILED", finished == total);
  }

  /**
   * Runs {@code print} (which writes a line to stdout) with the line redrawn in place cleared
   * first and drawn again after, so that the two do not mix on one terminal.
   */
  synchronized void above(Runnable print) {
    boolean clear = terminal && drawn;
    if (clear) {
      err.print("\r" + " ".repeat(lastWidth) + "\r");
      err.flush();
    }
    print.run();
    if (clear) {
      err.print(lastText);
      err.flush();
    }
  }

  /** Ends a line redrawn in place, so that what follows starts on a line of its own. */
  synchronized void close() {
    if (terminal && drawn) {
      err.println();
      err.flush();
      drawn = false;
    }
  }

  synchronized String line() {
    return line(doneFiles, totalFiles, doneBytes, totalBytes, failed);
  }

  static String line(int doneFiles, int totalFiles, long doneBytes, long totalBytes, int failed) {
    return String.format(Locale.ROOT, "upload: %d/%d files, %.1f/%.1f MB, %d failed",
        doneFiles, totalFiles, doneBytes / 1e6, totalBytes / 1e6, failed);
  }

  private void draw(String text, boolean last) {
    long now = System.nanoTime();
    if (!last && now - lastDrawNanos < (terminal ? TERMINAL_REDRAW_NANOS : PLAIN_LINE_NANOS)) {
      return;
    }
    lastDrawNanos = now;
    if (terminal) {
      String padded = text.length() < lastWidth ? text + " ".repeat(lastWidth - text.length()) : text;
      err.print("\r" + padded);
      lastWidth = text.length();
      lastText = text;
      drawn = true;
    } else {
      err.println(text);
      drawn = true;
    }
    err.flush();
  }

  /**
   * Whether this process's stderr is a terminal: on Linux from {@code /proc/self/fd/2}, elsewhere
   * as the JDK sees its console; never with {@code TERM=dumb}.
   */
  static boolean stderrIsTerminal() {
    if ("dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (Exception e) {
      return System.console() != null;
    }
  }
}
