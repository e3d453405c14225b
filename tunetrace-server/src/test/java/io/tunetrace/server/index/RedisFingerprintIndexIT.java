package io.tunetrace.server.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.FingerprintParams;
import io.tunetrace.core.hash.Fingerprints;
import io.tunetrace.core.index.IncompatibleParamsException;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.server.support.ItServices;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

class RedisFingerprintIndexIT {
  private String prefix;
  private RedisFingerprintIndex index;

  @BeforeEach
  void open() {
    prefix = ItServices.uniqueName("ttit");
    index = RedisFingerprintIndex.open(ItServices.REDIS_URL, prefix, FingerprintParams.DEFAULT);
  }

  @AfterEach
  void close() {
    index.deleteAll();
    index.close();
  }

  private static TrackMetadata meta(String title) {
    return new TrackMetadata(title, "artist", "", "tracks/" + title, 1000, "");
  }

  private static List<int[]> lookup(RedisFingerprintIndex index, int[] hashes, int cap) {
    List<int[]> out = new ArrayList<>();
    index.lookup(hashes, cap, (q, t, f) -> out.add(new int[] {q, t, f}));
    out.sort((a, b) -> a[0] != b[0] ? a[0] - b[0] : a[1] != b[1] ? a[1] - b[1] : a[2] - b[2]);
    return out;
  }

  @Test
  void storesPostingsUnderInspectableKeysAndFindsThem() {
    Track a = index.add(meta("a"), Fingerprints.of(new int[] {0xabc, 0xdef, 0xabc}, new int[] {1, 2, 9}, 3, 10));
    Track b = index.add(meta("b"), Fingerprints.of(new int[] {0xabc}, new int[] {5}, 1, 10));
    assertEquals(a.id() + 1, b.id());
    assertEquals(3, a.postingCount());
    try (JedisPooled j = new JedisPooled(java.net.URI.create(ItServices.REDIS_URL))) {
      assertTrue(j.exists(prefix + ":fp:0x00000abc"));
      assertEquals(3 * 8, j.strlen(prefix + ":fp:0x00000abc"));
    }
    List<int[]> hits = lookup(index, new int[] {0xdef, 0xabc, 0x123}, 100);
    assertEquals(4, hits.size());
    assertEquals(List.of("0," + a.id() + ",2", "1," + a.id() + ",1", "1," + a.id() + ",9",
        "1," + b.id() + ",5"), hits.stream().map(h -> h[0] + "," + h[1] + "," + h[2]).toList());
    assertEquals(Optional.of(a), index.track(a.id()));
    assertEquals(List.of(a, b), index.tracks());
  }

  @Test
  void skipsHotHashes() {
    index.add(meta("a"), Fingerprints.of(new int[] {7, 7, 7, 8}, new int[] {1, 2, 3, 4}, 4, 10));
    assertEquals(1, lookup(index, new int[] {7, 8}, 2).size());
    assertEquals(4, lookup(index, new int[] {7, 8}, 3).size());
  }

  @Test
  void removeDeletesEveryPostingAndLeavesOtherTracks() {
    Track a = index.add(meta("a"), Fingerprints.of(new int[] {1, 2, 3}, new int[] {1, 2, 3}, 3, 10));
    Track b = index.add(new TrackMetadata("b", "", "", "", 2000, "ab".repeat(32)),
        Fingerprints.of(new int[] {2, 3, 4}, new int[] {4, 5, 6}, 3, 10));
    assertEquals(Optional.of(b), index.findBySha256("AB".repeat(32)));
    assertEquals(6, index.stats().postings());
    assertTrue(index.remove(a.id()));
    assertFalse(index.remove(a.id()));
    assertEquals(Optional.empty(), index.track(a.id()));
    List<int[]> hits = lookup(index, new int[] {1, 2, 3, 4}, 100);
    assertEquals(3, hits.size());
    assertTrue(hits.stream().allMatch(h -> h[1] == b.id()));
    assertEquals(1, index.stats().tracks());
    assertEquals(3, index.stats().postings());
    assertEquals(2000, index.stats().durationMillis());
    try (JedisPooled j = new JedisPooled(java.net.URI.create(ItServices.REDIS_URL))) {
      assertFalse(j.exists(prefix + ":fp:0x00000001"));
    }
    assertTrue(index.remove(b.id()));
    assertEquals(Optional.empty(), index.findBySha256("ab".repeat(32)));
  }

  @Test
  void refusesOtherParameters() {
    FingerprintParams d = FingerprintParams.DEFAULT;
    FingerprintParams other = new FingerprintParams(d.sampleRateHz(), d.fftSize(), d.hopSamples(),
        d.minBin(), d.maxBin(), d.peakBinRadius(), d.peakFrameRadius(), d.peaksPerSecond(),
        d.fanOut() + 1, d.minDeltaFrames(), d.maxDeltaFrames(), d.maxDeltaBins(), d.hashVersion());
    IncompatibleParamsException e = assertThrows(IncompatibleParamsException.class,
        () -> RedisFingerprintIndex.open(ItServices.REDIS_URL, prefix, other));
    assertTrue(e.getMessage().startsWith("index was built with other fingerprint parameters"));
  }

  @Test
  void aClosedPortIsReportedAsUnavailable() throws Exception {
    int port = io.tunetrace.server.support.S3ProxyProcess.freePort();
    IndexUnavailableException e = assertThrows(IndexUnavailableException.class,
        () -> RedisFingerprintIndex.open("redis://127.0.0.1:" + port, prefix, FingerprintParams.DEFAULT));
    assertTrue(e.getMessage().startsWith("redis unavailable: "), e.getMessage());
  }
}
