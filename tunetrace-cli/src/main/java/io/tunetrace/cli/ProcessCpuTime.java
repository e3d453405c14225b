package io.tunetrace.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of this process including its waited-for child processes (ffmpeg decoding OGG/Opus),
 * read from {@code /proc/self/stat}: utime + stime + cutime + cstime. Linux only. Immutable and
 * thread-safe.
 *
 * @param selfTicks utime + stime of every thread of this JVM
 * @param childTicks cutime + cstime of terminated, waited-for children
 * @param ticksPerSecond the kernel's USER_HZ ({@code getconf CLK_TCK}, 100 if that fails)
 */
record ProcessCpuTime(long selfTicks, long childTicks, long ticksPerSecond) {
  private static volatile long clockTicks;

  /** The current figures, or null when {@code /proc/self/stat} cannot be read (not Linux). */
  static ProcessCpuTime now() {
    long hz = clockTicksPerSecond();
    try {
      return parse(Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII), hz);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Parses a {@code /proc/PID/stat} line; fields are counted after the last ')' because the
   * command name in parentheses may hold spaces and parentheses.
   */
  static ProcessCpuTime parse(String stat, long ticksPerSecond) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 1).trim().split("\\s+");
    // f[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17.
    long utime = Long.parseLong(f[11]);
    long stime = Long.parseLong(f[12]);
    long cutime = Long.parseLong(f[13]);
    long cstime = Long.parseLong(f[14]);
    return new ProcessCpuTime(utime + stime, cutime + cstime, ticksPerSecond);
  }

  /** Seconds of CPU (self and children) used since {@code earlier}; NaN if either is null. */
  static double secondsBetween(ProcessCpuTime earlier, ProcessCpuTime later) {
    if (earlier == null || later == null) {
      return Double.NaN;
    }
    return (double) (later.totalTicks() - earlier.totalTicks()) / later.ticksPerSecond();
  }

  /** Seconds of CPU of child processes since {@code earlier}; NaN if either is null. */
  static double childSecondsBetween(ProcessCpuTime earlier, ProcessCpuTime later) {
    if (earlier == null || later == null) {
      return Double.NaN;
    }
    return (double) (later.childTicks() - earlier.childTicks()) / later.ticksPerSecond();
  }

  long totalTicks() {
    return selfTicks + childTicks;
  }

  /** USER_HZ from {@code getconf CLK_TCK}, asked once; 100 (the Linux value) if that fails. */
  static long clockTicksPerSecond() {
    long hz = clockTicks;
    if (hz == 0) {
      hz = 100;
      try {
        Process p = new ProcessBuilder(List.of("getconf", "CLK_TCK"))
            .redirectErrorStream(true).start();
        try (InputStream in = p.getInputStream()) {
          String out = new String(in.readNBytes(64), StandardCharsets.US_ASCII).strip();
          if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
            long v = Long.parseLong(out);
            hz = v > 0 ? v : 100;
          }
        } finally {
          p.destroy();
        }
      } catch (IOException | RuntimeException e) {
        // Keep 100.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      clockTicks = hz;
    }
    return hz;
  }
}
