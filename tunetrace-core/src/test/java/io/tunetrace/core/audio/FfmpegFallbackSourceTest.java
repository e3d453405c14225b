package io.tunetrace.core.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FfmpegFallbackSourceTest {
  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 7);
    }
    return b;
  }

  @Test
  void replaysWhatWasReadFollowedByTheRest() throws IOException {
    byte[] all = bytes(1000);
    FfmpegFallbackSource.Replayable r =
        new FfmpegFallbackSource.Replayable(new ByteArrayInputStream(all), 600);
    byte[] head = new byte[300];
    assertEquals(300, r.readNBytes(head, 0, 300));
    assertEquals(all[300] & 0xff, r.read());
    assertEquals(99, r.skip(99));
    try (InputStream replay = r.replay()) {
      assertArrayEquals(all, replay.readAllBytes());
    }
  }

  @Test
  void cannotReplayMoreThanItsLimit() throws IOException {
    FfmpegFallbackSource.Replayable r =
        new FfmpegFallbackSource.Replayable(new ByteArrayInputStream(bytes(1000)), 600);
    r.readNBytes(600);
    r.read();
    assertNull(r.replay());
  }
}
