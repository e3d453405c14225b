package io.tunetrace.core.index.embedded;

import io.tunetrace.core.index.IndexException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * The root of an embedded index: which segment files are live, the next ids, the deleted track ids
 * and the fingerprint parameters. Replaced atomically on every change. Not API; immutable.
 *
 * @param paramsConfig {@code FingerprintParams.toConfigString()}
 * @param nextTrackId the id the next added track gets
 * @param nextSegment the number of the next segment file
 * @param segments live segment files, ordered by the track ids they hold
 * @param deleted removed track ids whose postings may still be in a segment, ascending
 */
public record Manifest(String paramsConfig, int nextTrackId, long nextSegment,
    List<SegmentRef> segments, int[] deleted) {

  public static final String FILE_NAME = "MANIFEST";
  static final String HEADER = "tunetrace-index 1";

  /** A live segment file and its exact size. */
  public record SegmentRef(String name, long sizeBytes) {}

  public Manifest {
    segments = List.copyOf(segments);
    deleted = deleted.clone();
  }

  @Override
  public int[] deleted() {
    return deleted.clone();
  }

  /** File name of segment number {@code n}. */
  public static String segmentName(long n) {
    // as String.format("seg-%010d.tts", n), without the Formatter at open
    return n < 0 ? String.format(Locale.ROOT, "seg-%010d.tts", n)
        : "seg-" + "0".repeat(Math.max(0, 10 - Long.toString(n).length())) + n + ".tts";
  }

  /** Size of the encoded manifest file in bytes. */
  public long encodedSize() {
    return encode().length;
  }

  byte[] encode() {
    StringBuilder sb = new StringBuilder();
    sb.append(HEADER).append('\n');
    sb.append("params ").append(paramsConfig).append('\n');
    sb.append("nextTrackId ").append(nextTrackId).append('\n');
    sb.append("nextSegment ").append(nextSegment).append('\n');
    for (SegmentRef s : segments) {
      sb.append("segment ").append(s.name()).append(' ').append(s.sizeBytes()).append('\n');
    }
    sb.append("deleted");
    for (int id : deleted) {
      sb.append(' ').append(id);
    }
    sb.append('\n');
    byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(body);
    String tail = "crc32 " + HexFormat.of().toHexDigits((int) crc.getValue()) + "\n";
    byte[] all = Arrays.copyOf(body, body.length + tail.length());
    System.arraycopy(tail.getBytes(StandardCharsets.US_ASCII), 0, all, body.length, tail.length());
    return all;
  }

  static Manifest decode(byte[] bytes, Path file) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    int crcLine = text.lastIndexOf("crc32 ");
    if (!text.startsWith(HEADER + "\n") || crcLine < 0 || !text.endsWith("\n")) {
      throw new IndexException("corrupt manifest " + file + ": bad header or trailer");
    }
    CRC32 crc = new CRC32();
    crc.update(text.substring(0, crcLine).getBytes(StandardCharsets.UTF_8));
    String expected = HexFormat.of().toHexDigits((int) crc.getValue());
    if (!text.substring(crcLine + 6, text.length() - 1).equals(expected)) {
      throw new IndexException("corrupt manifest " + file + ": checksum mismatch");
    }
    String params = null;
    int nextTrackId = -1;
    long nextSegment = -1;
    List<SegmentRef> segments = new ArrayList<>();
    int[] deleted = null;
    try {
      for (String line : text.substring(HEADER.length() + 1, crcLine).split("\n")) {
        int sp = line.indexOf(' ');
        String key = sp < 0 ? line : line.substring(0, sp);
        String value = sp < 0 ? "" : line.substring(sp + 1);
        switch (key) {
          case "params" -> params = value;
          case "nextTrackId" -> nextTrackId = Integer.parseInt(value);
          case "nextSegment" -> nextSegment = Long.parseLong(value);
          case "segment" -> {
            String[] parts = value.split(" ");
            segments.add(new SegmentRef(parts[0], Long.parseLong(parts[1])));
          }
          case "deleted" -> deleted = value.isEmpty()
              ? new int[0]
              : Arrays.stream(value.split(" ")).mapToInt(Integer::parseInt).toArray();
          default -> throw new IndexException("corrupt manifest " + file + ": unknown line: " + line);
        }
      }
    } catch (RuntimeException e) {
      if (e instanceof IndexException ie) {
        throw ie;
      }
      throw new IndexException("corrupt manifest " + file + ": " + e.getMessage(), e);
    }
    if (params == null || nextTrackId < 1 || nextSegment < 0 || deleted == null) {
      throw new IndexException("corrupt manifest " + file + ": missing fields");
    }
    return new Manifest(params, nextTrackId, nextSegment, segments, deleted);
  }

  /** Reads {@code dir/MANIFEST}; throws {@link java.nio.file.NoSuchFileException} if absent. */
  public static Manifest read(Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    return decode(Files.readAllBytes(file), file);
  }

  /**
   * Replaces {@code dir/MANIFEST} atomically: temp file, fsync, atomic rename, fsync of the
   * directory.
   */
  public void write(Path dir) throws IOException {
    Path tmp = dir.resolve(FILE_NAME + ".tmp");
    writeDurably(tmp, encode());
    moveAtomically(tmp, dir.resolve(FILE_NAME));
    syncDirectory(dir);
  }

  static void writeDurably(Path file, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
  }

  /** Renames atomically, replacing the target. */
  public static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IndexException("the file system of " + to.getParent()
          + " cannot rename atomically; put the index on a local disk", e);
    }
  }

  /** Forces directory entries (renames) to disk where the platform allows it. */
  public static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Not supported on some platforms (Windows); renames are then as durable as the OS makes them.
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Manifest m && paramsConfig.equals(m.paramsConfig)
        && nextTrackId == m.nextTrackId && nextSegment == m.nextSegment
        && segments.equals(m.segments) && Arrays.equals(deleted, m.deleted);
  }

  @Override
  public int hashCode() {
    return paramsConfig.hashCode() * 31 + Arrays.hashCode(deleted);
  }

  @Override
  public String toString() {
    return "Manifest{segments=" + segments + ", nextTrackId=" + nextTrackId + "}";
  }
}
