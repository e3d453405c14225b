package io.tunetrace.server.ws;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The last recognitions, kept in memory so that they can be read back ({@code GET
 * /recognitions/{id}}) and explained ({@code GET /recognitions/{id}/explain}): each under a random
 * 128-bit id, with its caller, the answer as sent, and the clip's audio at the analysis rate as
 * 16-bit samples (2 bytes a sample: 16 KB per second at 8 kHz) — never the upload.
 *
 * <p>Bounded three ways: at most {@code maxEntries} recognitions, at most {@code maxBytes} of
 * audio and answers together, and each kept at most {@code ttlMillis}. When a new recognition
 * does not fit, the oldest are dropped first; one larger than {@code maxBytes} on its own is not
 * kept (its id is then unknown).
 *
 * <p>Thread-safe.
 */
public final class RecentRecognitions {
  /** What an entry costs besides its audio: the answer, the id, the map entry (an estimate). */
  static final long ENTRY_OVERHEAD_BYTES = 2048;

  private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");

  /**
   * One kept recognition.
   *
   * @param owner who asked for it (JWT subject or API key id)
   * @param answer the JSON answer as sent, {@code recognition_id} included
   * @param pcm the clip at {@code sampleRateHz}, 16-bit
   */
  public record Entry(String id, String owner, long createdMillis, Object answer, short[] pcm,
      int sampleRateHz) {
    public Entry {
      if (id == null || owner == null || answer == null || pcm == null) {
        throw new IllegalArgumentException("id, owner, answer and pcm must not be null");
      }
      if (sampleRateHz <= 0) {
        throw new IllegalArgumentException("sampleRateHz <= 0: " + sampleRateHz);
      }
    }

    /** The audio as floats in [-1, 1], as the explainer takes it. */
    public float[] samples() {
      float[] out = new float[pcm.length];
      for (int i = 0; i < pcm.length; i++) {
        out[i] = pcm[i] / 32768f;
      }
      return out;
    }

    long bytes() {
      return 2L * pcm.length + ENTRY_OVERHEAD_BYTES;
    }
  }

  private final int maxEntries;
  private final long maxBytes;
  private final long ttlMillis;
  private final LongSupplier clockMillis;
  private final SecureRandom random = new SecureRandom();
  /** Insertion order: the eldest first. Guarded by {@code this}. */
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
  private long bytes;

  /** @param clockMillis the time entries are created and expire by ({@code System::currentTimeMillis}) */
  public RecentRecognitions(int maxEntries, long maxBytes, long ttlMillis, LongSupplier clockMillis) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries < 1: " + maxEntries);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes < 1: " + maxBytes);
    }
    if (ttlMillis < 1) {
      throw new IllegalArgumentException("ttlMillis < 1: " + ttlMillis);
    }
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.ttlMillis = ttlMillis;
    this.clockMillis = clockMillis;
  }

  /** A fresh random id: 128 bits as 32 lowercase hex digits. */
  public String newId() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** True when {@code id} has the form of a recognition id (32 lowercase hex digits). */
  public static boolean isId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /**
   * Keeps a recognition under {@code id} (from {@link #newId}), dropping the oldest ones it does
   * not fit beside.
   *
   * @param samples the clip at {@code sampleRateHz}, in [-1, 1] (stored as 16-bit)
   */
  public void put(String id, String owner, Object answer, float[] samples, int sampleRateHz) {
    short[] pcm = new short[samples.length];
    for (int i = 0; i < samples.length; i++) {
      float v = Math.max(-1f, Math.min(1f, samples[i]));
      pcm[i] = (short) Math.round(v < 0 ? v * 32768 : v * 32767);
    }
    synchronized (this) {
      // Created under the lock: insertion order is creation order, which expiry relies on.
      Entry e = new Entry(id, owner, clockMillis.getAsLong(), answer, pcm, sampleRateHz);
      dropExpired(e.createdMillis());
      Entry old = entries.remove(id);
      if (old != null) {
        bytes -= old.bytes();
      }
      if (e.bytes() > maxBytes) {
        return;
      }
      Iterator<Entry> eldest = entries.values().iterator();
      while (eldest.hasNext() && (entries.size() >= maxEntries || bytes + e.bytes() > maxBytes)) {
        bytes -= eldest.next().bytes();
        eldest.remove();
      }
      entries.put(id, e);
      bytes += e.bytes();
    }
  }

  /** The recognition kept under {@code id}, if it is there and not expired. */
  public synchronized Optional<Entry> get(String id) {
    dropExpired(clockMillis.getAsLong());
    return Optional.ofNullable(entries.get(id));
  }

  /** Recognitions kept now. */
  public synchronized int size() {
    dropExpired(clockMillis.getAsLong());
    return entries.size();
  }

  /** Bytes the kept recognitions count for now (audio plus a fixed estimate per entry). */
  public synchronized long bytes() {
    dropExpired(clockMillis.getAsLong());
    return bytes;
  }

  private void dropExpired(long nowMillis) {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Entry e = it.next().getValue();
      if (nowMillis - e.createdMillis() < ttlMillis) {
        break; // insertion order is creation order: the rest are younger
      }
      bytes -= e.bytes();
      it.remove();
    }
  }
}
