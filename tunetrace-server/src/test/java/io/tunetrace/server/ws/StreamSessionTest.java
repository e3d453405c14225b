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
