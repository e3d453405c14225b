package io.tunetrace.server.ws;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The audio of one streaming connection: raw PCM chunks of any size are downmixed to mono and
 * kept in a sliding window of bounded length (the only per-connection memory). Not thread-safe:
 * one connection's messages arrive one at a time.
 */
final class StreamSession {
  final int sampleRateHz;
  final int channels;
  final boolean float32;
  private final int frameBytes;
  private final float[] window;
  private int filled;
  private long totalFrames;
  private long lastRecognizedAt;
  private final byte[] leftover;
  private int leftoverLen;
  String lastSongId;
  /** The last due window was not recognized because the caller was over the rate limit. */
  boolean rateLimited;
  long lastPushMillis;

  StreamSession(int sampleRateHz, int channels, boolean float32, double windowSeconds) {
    this.sampleRateHz = sampleRateHz;
    this.channels = channels;
    this.float32 = float32;
    this.frameBytes = channels * (float32 ? 4 : 2);
    this.window = new float[(int) Math.ceil(windowSeconds * sampleRateHz)];
    this.leftover = new byte[frameBytes];
  }

  long totalMillis() {
    return totalFrames * 1000 / sampleRateHz;
  }

  /** Appends a chunk; a frame split across chunks is carried over. */
  void append(byte[] data, int offset, int length) {
    int pos = offset;
    int end = offset + length;
    if (leftoverLen > 0) {
      int need = Math.min(frameBytes - leftoverLen, length);
      System.arraycopy(data, pos, leftover, leftoverLen, need);
      leftoverLen += need;
      pos += need;
      if (leftoverLen < frameBytes) {
        return; // the chunk ended inside the split frame: keep what is carried over
      }
      addFrames(leftover, 0, 1);
      leftoverLen = 0;
    }
    int frames = (end - pos) / frameBytes;
    addFrames(data, pos, frames);
    pos += frames * frameBytes;
    leftoverLen = end - pos;
    System.arraycopy(data, pos, leftover, 0, leftoverLen);
  }

  private void addFrames(byte[] data, int offset, int frames) {
    ByteBuffer b = ByteBuffer.wrap(data, offset, frames * frameBytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int f = 0; f < frames; f++) {
      float sum = 0;
      for (int c = 0; c < channels; c++) {
        sum += float32 ? b.getFloat() : b.getShort() / 32768f;
      }
      float v = sum / channels;
      if (Float.isNaN(v)) {
        v = 0;
      }
      if (filled == window.length) {
        int drop = Math.max(1, window.length / 8);
        System.arraycopy(window, drop, window, 0, window.length - drop);
        filled -= drop;
      }
      window[filled++] = Math.max(-1f, Math.min(1f, v));
      totalFrames++;
    }
  }

  /** True when enough new audio arrived since the last recognition. */
  boolean due(double hopSeconds, double minSeconds) {
    return filled >= minSeconds * sampleRateHz
        && totalFrames - lastRecognizedAt >= hopSeconds * sampleRateHz;
  }

  boolean hasAudio(double minSeconds) {
    return filled >= minSeconds * sampleRateHz;
  }

  /** The window's samples, marking them recognized. */
  float[] takeWindow() {
    lastRecognizedAt = totalFrames;
    return Arrays.copyOf(window, filled);
  }

  /** Lets the due window go unrecognized: the next is due a hop later. */
  void skipWindow() {
    lastRecognizedAt = totalFrames;
  }

  /** Stream position of the first sample in the window, in milliseconds. */
  long windowStartMillis() {
    return (totalFrames - filled) * 1000 / sampleRateHz;
  }
}
