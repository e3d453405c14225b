package io.tunetrace.core.internal;

import java.util.Arrays;

/**
 * Open-addressing map from long keys to int counters, for vote counting without boxing. Keys must
 * not be {@link Long#MIN_VALUE} (the empty marker). Not thread-safe.
 */
public final class LongIntMap {
  private static final long EMPTY = Long.MIN_VALUE;
  private long[] keys;
  private int[] values;
  private int size;
  private int mask;

  public LongIntMap(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[capacity];
    values = new int[capacity];
    Arrays.fill(keys, EMPTY);
    mask = capacity - 1;
  }

  private static int mix(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  /** Adds {@code delta} to the value of {@code key} (absent keys count as 0); returns the new value. */
  public int add(long key, int delta) {
    int i = mix(key) & mask;
    while (true) {
      long k = keys[i];
      if (k == key) {
        return values[i] += delta;
      }
      if (k == EMPTY) {
        keys[i] = key;
        values[i] = delta;
        if (++size * 2 > keys.length) {
          grow();
        }
        return delta;
      }
      i = (i + 1) & mask;
    }
  }

  /** Sets the value of {@code key}. */
  public void put(long key, int value) {
    int i = mix(key) & mask;
    while (true) {
      long k = keys[i];
      if (k == key) {
        values[i] = value;
        return;
      }
      if (k == EMPTY) {
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > keys.length) {
          grow();
        }
        return;
      }
      i = (i + 1) & mask;
    }
  }

  public int get(long key) {
    int i = mix(key) & mask;
    while (true) {
      long k = keys[i];
      if (k == key) {
        return values[i];
      }
      if (k == EMPTY) {
        return 0;
      }
      i = (i + 1) & mask;
    }
  }

  public int size() {
    return size;
  }

  /** Calls {@code visitor} for every entry. */
  public void forEach(Visitor visitor) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != EMPTY) {
        visitor.visit(keys[i], values[i]);
      }
    }
  }

  /** Receives map entries. */
  @FunctionalInterface
  public interface Visitor {
    void visit(long key, int value);
  }

  private void grow() {
    long[] oldKeys = keys;
    int[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new int[oldKeys.length * 2];
    Arrays.fill(keys, EMPTY);
    mask = keys.length - 1;
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != EMPTY) {
        add(oldKeys[i], oldValues[i]);
      }
    }
  }
}
