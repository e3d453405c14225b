package io.tunetrace.core.internal;

import java.util.Arrays;

/** A growable list of (int, int) pairs. Not thread-safe. */
public final class IntPairList {
  private int[] firsts = new int[1024];
  private int[] seconds = new int[1024];
  private int size;

  public void add(int first, int second) {
    if (size == firsts.length) {
      firsts = Arrays.copyOf(firsts, size * 2);
      seconds = Arrays.copyOf(seconds, size * 2);
    }
    firsts[size] = first;
    seconds[size] = second;
    size++;
  }

  public int size() {
    return size;
  }

  /** The backing array (valid up to {@link #size()}). */
  public int[] firsts() {
    return firsts;
  }

  /** The backing array (valid up to {@link #size()}). */
  public int[] seconds() {
    return seconds;
  }

  /** Stable sort by the second value (already sorted input costs one pass). */
  public void sortBySecond() {
    boolean sorted = true;
    for (int i = 1; i < size && sorted; i++) {
      sorted = seconds[i - 1] <= seconds[i];
    }
    if (sorted) {
      return;
    }
    long[] keys = new long[size];
    for (int i = 0; i < size; i++) {
      keys[i] = ((long) seconds[i] << 32) | (i & 0xFFFFFFFFL);
    }
    Arrays.sort(keys);
    int[] f = new int[size];
    int[] s = new int[size];
    for (int i = 0; i < size; i++) {
      int from = (int) keys[i];
      f[i] = firsts[from];
      s[i] = seconds[from];
    }
    firsts = f;
    seconds = s;
  }
}
