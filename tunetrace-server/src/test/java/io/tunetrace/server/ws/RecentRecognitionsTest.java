package io.tunetrace.server.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RecentRecognitionsTest {
  private final AtomicLong now = new AtomicLong(1_000_000);

  private static float[] seconds(double s) {
    return new float[(int) (s * 8000)];
  }

  private static long bytesOf(double s) {
    return 2L * (int) (s * 8000) + RecentRecognitions.ENTRY_OVERHEAD_BYTES;
  }

  private List<String> kept(RecentRecognitions r, List<String> ids) {
    return ids.stream().filter(id -> r.get(id).isPresent()).toList();
  }

  @Test
  void idsAreRandom128BitHex() {
    RecentRecognitions r = new RecentRecognitions(10, 1 << 20, 60_000, now::get);
    String a = r.newId();
    String b = r.newId();
    assertTrue(a.matches("[0-9a-f]{32}"), a);
    assertNotEquals(a, b);
    assertTrue(RecentRecognitions.isId(a));
    assertFalse(RecentRecognitions.isId(a.toUpperCase()));
    assertFalse(RecentRecognitions.isId(a.substring(1)));
    assertFalse(RecentRecognitions.isId("../" + a.substring(3)));
  }

  @Test
  void keepsTheAnswerOwnerAndAudioAs16BitAtItsRate() {
    RecentRecognitions r = new RecentRecognitions(10, 1 << 20, 60_000, now::get);
    String id = r.newId();
    Map<String, Object> answer = Map.of("ok", true);
    r.put(id, "alice", answer, new float[] {0f, 0.5f, -1f, 1f, 2f}, 8000);
    RecentRecognitions.Entry e = r.get(id).orElseThrow();
    assertEquals("alice", e.owner());
    assertEquals(answer, e.answer());
    assertEquals(8000, e.sampleRateHz());
    assertArrayEquals(new short[] {0, 16384, -32768, 32767, 32767}, e.pcm());
    assertArrayEquals(new float[] {0f, 0.5f, -1f, 32767 / 32768f, 32767 / 32768f}, e.samples());
  }

  @Test
  void dropsTheOldestBeyondTheEntryBound() {
    RecentRecognitions r = new RecentRecognitions(3, 1 << 30, 60_000, now::get);
    List<String> ids = List.of(r.newId(), r.newId(), r.newId(), r.newId(), r.newId());
    for (String id : ids) {
      r.put(id, "alice", Map.of(), seconds(1), 8000);
    }
    assertEquals(ids.subList(2, 5), kept(r, ids));
    assertEquals(3, r.size());
    assertEquals(3 * bytesOf(1), r.bytes());
  }

  @Test
  void dropsTheOldestBeyondTheByteBound() {
    // Room for two 10-second windows (160,000 bytes of audio each), not three.
    RecentRecognitions r = new RecentRecognitions(100, 2 * bytesOf(10) + bytesOf(0.01), 60_000,
        now::get);
    List<String> ids = List.of(r.newId(), r.newId(), r.newId());
    for (String id : ids) {
      r.put(id, "alice", Map.of(), seconds(10), 8000);
    }
    assertEquals(ids.subList(1, 3), kept(r, ids));
    // A short one fits beside them, a long one evicts both.
    String shortOne = r.newId();
    r.put(shortOne, "alice", Map.of(), seconds(0.01), 8000);
    assertEquals(List.of(ids.get(1), ids.get(2), shortOne),
        kept(r, List.of(ids.get(0), ids.get(1), ids.get(2), shortOne)));
    String longOne = r.newId();
    r.put(longOne, "alice", Map.of(), seconds(20), 8000);
    assertEquals(List.of(shortOne, longOne),
        kept(r, List.of(ids.get(1), ids.get(2), shortOne, longOne)));
    assertEquals(bytesOf(0.01) + bytesOf(20), r.bytes());
  }

  @Test
  void keepsNothingLargerThanTheWholeBudget() {
    RecentRecognitions r = new RecentRecognitions(100, bytesOf(10), 60_000, now::get);
    String small = r.newId();
    r.put(small, "alice", Map.of(), seconds(10), 8000);
    String huge = r.newId();
    r.put(huge, "alice", Map.of(), seconds(11), 8000);
    assertTrue(r.get(huge).isEmpty());
    assertTrue(r.get(small).isPresent());
  }

  @Test
  void forgetsRecognitionsOnceTheirTimeIsUp() {
    RecentRecognitions r = new RecentRecognitions(100, 1 << 30, 60_000, now::get);
    String first = r.newId();
    r.put(first, "alice", Map.of(), seconds(1), 8000);
    now.addAndGet(30_000);
    String second = r.newId();
    r.put(second, "alice", Map.of(), seconds(1), 8000);
    now.addAndGet(29_999);
    assertEquals(List.of(first, second), kept(r, List.of(first, second)));
    now.addAndGet(1);
    assertEquals(List.of(second), kept(r, List.of(first, second)));
    assertEquals(bytesOf(1), r.bytes());
    now.addAndGet(30_000);
    assertEquals(0, r.size());
    assertEquals(0, r.bytes());
  }

  @Test
  void refusesBoundsThatKeepNothing() {
    assertEquals("maxEntries < 1: 0", assertThrows(IllegalArgumentException.class,
        () -> new RecentRecognitions(0, 1, 1, now::get)).getMessage());
    assertEquals("maxBytes < 1: 0", assertThrows(IllegalArgumentException.class,
        () -> new RecentRecognitions(1, 0, 1, now::get)).getMessage());
    assertEquals("ttlMillis < 1: 0", assertThrows(IllegalArgumentException.class,
        () -> new RecentRecognitions(1, 1, 0, now::get)).getMessage());
  }
}
