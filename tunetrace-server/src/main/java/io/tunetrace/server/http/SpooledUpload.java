package io.tunetrace.server.http;

import io.tunetrace.core.audio.AudioContainer;
import io.tunetrace.core.audio.AudioDecoders;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An uploaded body copied to a temporary file in 64 KiB steps (never held in memory), with its
 * size, SHA-256 and the container sniffed from its first {@link AudioDecoders#HEAD_BYTES} bytes —
 * as many as the decoders sniff, so that what is accepted here can be decoded later. Bytes that
 * are not audio are refused (415) as soon as those first bytes have arrived, before the rest is
 * read; over the size limit → 413. Not thread-safe; close it to delete the file.
 */
public final class SpooledUpload implements AutoCloseable {
  public final Path file;
  public final long size;
  public final String sha256;
  public final AudioContainer container;

  private SpooledUpload(Path file, long size, String sha256, AudioContainer container) {
    this.file = file;
    this.size = size;
    this.sha256 = sha256;
    this.container = container;
  }

  /**
   * Spools {@code in} to a new file under {@code tempDir}.
   *
   * @param notAudioMessage the 415 message when the first bytes are not a known audio container
   */
  public static SpooledUpload spool(InputStream in, Path tempDir, long maxBytes,
      String notAudioMessage) throws IOException {
    byte[] head = new byte[AudioDecoders.HEAD_BYTES];
    int headLen = in.readNBytes(head, 0, head.length);
    AudioContainer container = headLen == 0 ? AudioContainer.UNKNOWN : AudioDecoders.sniff(head, headLen);
    if (container == AudioContainer.UNKNOWN) {
      throw ApiException.notAudio(notAudioMessage);
    }
    if (headLen > maxBytes) {
      throw ApiException.tooLarge("upload larger than " + maxBytes + " bytes");
    }
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    Files.createDirectories(tempDir);
    Path file = Files.createTempFile(tempDir, "upload-", ".bin");
    boolean ok = false;
    try {
      long size = headLen;
      try (OutputStream out = Files.newOutputStream(file)) {
        sha.update(head, 0, headLen);
        out.write(head, 0, headLen);
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
          size += n;
          if (size > maxBytes) {
            throw ApiException.tooLarge("upload larger than " + maxBytes + " bytes");
          }
          sha.update(buf, 0, n);
          out.write(buf, 0, n);
        }
      }
      ok = true;
      return new SpooledUpload(file, size, HexFormat.of().formatHex(sha.digest()), container);
    } finally {
      if (!ok) {
        Files.deleteIfExists(file);
      }
    }
  }

  /** File extension for keys of this container. */
  public static String extension(AudioContainer c) {
    switch (c) {
      case WAV: return ".wav";
      case MP3: return ".mp3";
      case OGG: return ".ogg";
      case FLAC: return ".flac";
      case MP4: return ".m4a";
      case WEBM: return ".webm";
      case AIFF: return ".aiff";
      default: return ".bin";
    }
  }

  @Override
  public void close() throws IOException {
    Files.deleteIfExists(file);
  }
}
