package io.tunetrace.core.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.hash.HashLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrackPeaksTest {

  @Test
  void thePeaksOfEveryPairAreRecoveredFromTheHashesOnceEach() {
    // Anchor (10, 100) pairs with (13, 110) and (20, 90); anchor (13, 110) pairs with (20, 90).
    int[] hashes = {
      HashLayout.encode(100, 10, 3), HashLayout.encode(100, -10, 10), HashLayout.encode(110, -20, 7)
    };
    int[] frames = {10, 10, 13};
    TrackPeaks peaks = TrackPeaks.of(Fingerprints.of(hashes, frames, 3, 30));
    assertEquals(3, peaks.size());
    assertEquals(10, peaks.frame(0));
    assertEquals(100, peaks.bin(0));
    assertEquals(13, peaks.frame(1));
    assertEquals(110, peaks.bin(1));
    assertEquals(20, peaks.frame(2));
    assertEquals(90, peaks.bin(2));
  }

  @Test
  void encodingRoundTripsNarrowAndWideBinsInUnderTwoBytesAPeak() {
    Random random = new Random(42);
    for (int maxBin : new int[] {230, 511}) {
      int n = 5_000;
      int[] frames = new int[n];
      int[] bins = new int[n];
      for (int i = 0; i < n; i++) {
        frames[i] = random.nextInt(60_000);
        bins[i] = random.nextInt(maxBin + 1);
      }
      TrackPeaks peaks = TrackPeaks.of(frames, bins);
      byte[] bytes = peaks.encode();
      assertEquals(peaks, TrackPeaks.decode(bytes));
      double perPeak = (double) bytes.length / peaks.size();
      assertTrue(perPeak < (maxBin > 255 ? 2.0 : 1.9), "bytes per peak: " + perPeak);
    }
    assertEquals(TrackPeaks.empty(), TrackPeaks.decode(TrackPeaks.empty().encode()));
  }

  /**
   * A long pause between two peaks is a long unary run. A run that, with its closing zero, fills
   * the reader's whole 64-bit window must empty it (Java shifts a long by 64 as by 0): found in a
   * 100 h index, where 5 of 1,513 tracks' peaks were refused as "truncated". Every pause up to 90
   * quotient bits, at every bit position of the stream.
   */
  @Test
  void longPausesRoundTripAtEveryBitPosition() {
    for (int lead = 0; lead < 64; lead++) {
      for (int pause = 1; pause <= 90; pause++) {
        int n = lead + 2;
        int[] frames = new int[n];
        int[] bins = new int[n];
        for (int i = 0; i < lead; i++) {
          frames[i] = i; // distance 1: one closing zero plus eight bin bits each
          bins[i] = i % 7;
        }
        // With most distances 1 the Rice parameter stays 0 once the lead is long: the pause is
        // then `pause` ones (a shorter lead raises the parameter and shortens the run).
        frames[lead] = lead - 1 + pause;
        frames[lead + 1] = frames[lead] + 1;
        bins[lead] = 9;
        bins[lead + 1] = 3;
        TrackPeaks peaks = TrackPeaks.of(frames, bins);
        assertEquals(peaks, TrackPeaks.decode(peaks.encode()), "lead " + lead + ", pause " + pause);
      }
    }
  }

  @Test
  void firstAtOrAfterFindsTheFirstPeakOfAFrame() {
    TrackPeaks peaks = TrackPeaks.of(new int[] {5, 5, 9, 12}, new int[] {7, 3, 1, 200});
    assertEquals(0, peaks.firstAtOrAfter(0));
    assertEquals(0, peaks.firstAtOrAfter(5));
    assertEquals(3, peaks.bin(0));
    assertEquals(2, peaks.firstAtOrAfter(6));
    assertEquals(3, peaks.firstAtOrAfter(10));
    assertEquals(4, peaks.firstAtOrAfter(13));
    assertEquals(4, peaks.firstAtOrAfter(Integer.MAX_VALUE));
  }

  @Test
  void truncatedOrHostileBytesAreRefusedWithAClearError() {
    byte[] good = TrackPeaks.of(new int[] {1, 2, 300}, new int[] {4, 5, 6}).encode();
    for (int cut = 0; cut < good.length; cut++) {
      byte[] part = Arrays.copyOf(good, cut);
      assertThrows(IllegalArgumentException.class, () -> TrackPeaks.decode(part), "cut " + cut);
    }
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    assertThrows(IllegalArgumentException.class, () -> TrackPeaks.decode(trailing));
    byte[] badWidth = good.clone();
    badWidth[1] = 7;
    assertThrows(IllegalArgumentException.class, () -> TrackPeaks.decode(badWidth));
    // A count far beyond the bytes that follow must not allocate for it.
    byte[] hugeCount = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 1, 0, 0};
    assertThrows(IllegalArgumentException.class, () -> TrackPeaks.decode(hugeCount));
    assertThrows(IllegalArgumentException.class, () -> TrackPeaks.of(new int[] {-1}, new int[] {0}));
    assertThrows(IllegalArgumentException.class, () -> TrackPeaks.of(new int[] {0}, new int[] {512}));
  }
}
