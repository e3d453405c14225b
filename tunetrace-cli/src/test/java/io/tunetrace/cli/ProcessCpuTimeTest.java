package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ProcessCpuTimeTest {
  @Test
  void parsesFieldsAfterTheCommandName() {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
    // utime stime cutime cstime ...; the command name may hold spaces and ')'.
    String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 200 0 0 "
        + "1500 250 70 30 20 0 40 0 12345 1000000 500 18446744073709551615";
    ProcessCpuTime t = ProcessCpuTime.parse(stat, 100);
    assertEquals(1750, t.selfTicks());
    assertEquals(100, t.childTicks());
    assertEquals(1850, t.totalTicks());
    ProcessCpuTime later = new ProcessCpuTime(1900, 150, 100);
    assertEquals(2.0, ProcessCpuTime.secondsBetween(t, later), 1e-9);
    assertEquals(0.5, ProcessCpuTime.childSecondsBetween(t, later), 1e-9);
    assertTrue(Double.isNaN(ProcessCpuTime.secondsBetween(null, later)));
  }

  @Test
  void countsOwnWorkAndWaitedForChildren() throws Exception {
    ProcessCpuTime before = ProcessCpuTime.now();
    assertNotNull(before, "no /proc/self/stat");
    // Burn 300 ms of this thread's CPU time.
    var threads = ManagementFactory.getThreadMXBean();
    long start = threads.getCurrentThreadCpuTime();
    double sink = 0;
    while (threads.getCurrentThreadCpuTime() - start < 300_000_000L) {
      for (int i = 0; i < 100_000; i++) {
        sink += Math.sqrt(i + sink % 7);
      }
    }
    // A child that burns CPU (a fixed script, no input) and is waited for.
    Process child = new ProcessBuilder(List.of("sh", "-c",
        "i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done")).start();
    assertEquals(0, child.waitFor());
    ProcessCpuTime after = ProcessCpuTime.now();
    assertTrue(after.selfTicks() - before.selfTicks() >= 25,
        "self ticks " + before + " -> " + after + " " + sink);
    assertTrue(after.childTicks() > before.childTicks(), before + " -> " + after);
    assertTrue(ProcessCpuTime.secondsBetween(before, after) >= 0.25);
  }
}
