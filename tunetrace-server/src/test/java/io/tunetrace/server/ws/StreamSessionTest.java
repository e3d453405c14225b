package io.tunetrace.server.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class StreamSessionTest {
  @Test
  void downmixesStereoAndCarriesFramesSplitAcrossChunks() {
    StreamSession s = new StreamSession(8000, 2, false, 1);
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) 16384).putShort((short) 0).putShort((short) -16384).putShort((short) -16384);
    byte[] bytes = b.array();
    s.append(bytes, 0, 3);
    s.append(bytes, 3, 5);
    assertArrayEquals(new float[] {0.25f, -0.5f}, s.takeWindow());
    assertEquals(0, s.totalMillis());
  }

  @Test
  void aChunkShorterThanTheRestOfASplitFrameKeepsTheCarriedBytes() {
    StreamSession s = new StreamSession(8000, 2, false, 1);
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) 16384).putShort((short) 0).putShort((short) -16384).putShort((short) -16384);
    byte[] bytes = b.array();
    s.append(bytes, 0, 1);
    s.append(bytes, 1, 1);
    s.append(bytes, 2, 1);
    s.append(bytes, 3, 5);
    assertArrayEquals(new float[] {0.25f, -0.5f}, s.takeWindow());
  }

  @Test
  void chunksOfRandomSizesGiveTheSameSamplesAsOneChunk() {
    java.util.Random random = new java.util.Random(42);
    for (int trial = 0; trial < 200; trial++) {
      int channels = 1 + random.nextInt(3);
      boolean float32 = random.nextBoolean();
      int frameBytes = channels * (float32 ? 4 : 2);
      byte[] pcm = new byte[frameBytes * (1 + random.nextInt(300))];
      ByteBuffer b = ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN);
      while (b.hasRemaining()) {
        if (float32) {
          b.putFloat(random.nextFloat() * 2 - 1);
        } else {
          b.putShort((short) random.nextInt(65536));
        }
      }
      StreamSession whole = new StreamSession(8000, channels, float32, 1);
      whole.append(pcm, 0, pcm.length);
      StreamSession split = new StreamSession(8000, channels, float32, 1);
      int maxChunk = 1 + random.nextInt(2 * frameBytes + 3);
      for (int off = 0; off < pcm.length; ) {
        int n = Math.min(pcm.length - off, 1 + random.nextInt(maxChunk));
        split.append(pcm, off, n);
        off += n;
      }
      assertEquals(whole.totalMillis(), split.totalMillis(), "trial " + trial);
      assertArrayEquals(whole.takeWindow(), split.takeWindow(), "trial " + trial);
    }
  }

  @Test
  void keepsABoundedSlidingWindow() {
    StreamSession s = new StreamSession(4000, 1, true, 2);
    ByteBuffer b = ByteBuffer.allocate(4 * 4000).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 4000; i++) {
      b.putFloat(0.1f);
    }
    assertFalse(s.due(1, 2));
    for (int second = 0; second < 10; second++) {
      s.append(b.array(), 0, b.capacity());
    }
    assertEquals(10_000, s.totalMillis());
    assertTrue(s.due(1, 2));
    float[] w = s.takeWindow();
    assertTrue(w.length <= 8000 && w.length >= 7000, "window length " + w.length);
    assertEquals(10_000 - w.length * 1000L / 4000, s.windowStartMillis());
    assertFalse(s.due(1, 2));
  }
}
