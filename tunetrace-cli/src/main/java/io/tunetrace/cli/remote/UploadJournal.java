package io.tunetrace.cli.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunetrace.cli.JsonOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@code tunetrace upload} has already sent to one server: one JSON line per file the server
 * accepted, {@code {"sha256": ..., "id": ..., "path": ...}}, appended as soon as the server
 * answered, so that a run stopped part-way (Ctrl-C, a kill) loses nothing it finished and the next
 * run skips those files without sending them. A torn last line (the process died while writing
 * it) is ignored. Keyed by content, so a renamed or moved file is still recognised. Thread-safe.
 */
final class UploadJournal implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Map<String, String> idsBySha256 = new ConcurrentHashMap<>();
  private final OutputStream out;

  private UploadJournal(Path file, OutputStream out) {
    this.file = file;
    this.out = out;
  }

  /**
   * {@code ~/.tunetrace/uploads/HOST_PORT-HASH.jsonl}: one journal per server URL (HASH is the
   * start of the SHA-256 of the URL without a trailing slash), so that the same folder uploaded
   * to two servers is sent to both.
   */
  static Path defaultFile(Path userHome, String server) {
    String base = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
    String host;
    try {
      URI uri = URI.create(base);
      host = (uri.getHost() == null ? "server" : uri.getHost())
          + (uri.getPort() < 0 ? "" : "_" + uri.getPort());
    } catch (IllegalArgumentException e) {
      host = "server";
    }
    host = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_");
    return userHome.resolve(".tunetrace").resolve("uploads")
        .resolve(host + "-" + sha256(base).substring(0, 12) + ".jsonl");
  }

  /** Reads the journal (creating it and its folder when missing) and opens it for appending. */
  static UploadJournal open(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Map<String, String> read = new ConcurrentHashMap<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        JsonNode entry;
        try {
          entry = JSON.readTree(line);
        } catch (IOException e) {
          continue; // torn by a kill while it was written
        }
        if (entry != null && entry.path("sha256").isTextual() && entry.path("id").isTextual()) {
          read.put(entry.path("sha256").asText(), entry.path("id").asText());
        }
      }
    }
    OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    UploadJournal journal = new UploadJournal(file, out);
    journal.idsBySha256.putAll(read);
    return journal;
  }

  Path file() {
    return file;
  }

  /**
   * The track id an earlier run recorded for these bytes. Entries this run records are not
   * consulted: identical files within one run go to the server, which answers the later ones
   * with {@code duplicate_of}, whatever order the threads run in.
   */
  Optional<String> idOf(String sha256) {
    return Optional.ofNullable(idsBySha256.get(sha256));
  }

  /** Records that the server holds these bytes as track {@code id}; on disk before it returns. */
  void record(String sha256, String id, Path path) throws IOException {
    var entry = JsonOutput.object();
    entry.put("sha256", sha256);
    entry.put("id", id);
    entry.put("path", path.toString());
    byte[] line = (JsonOutput.write(entry) + "\n").getBytes(StandardCharsets.UTF_8);
    synchronized (out) {
      out.write(line); // one write per line: a kill tears at most this line
      out.flush();
    }
  }

  /** Forgets an earlier run's entry the server no longer holds (it is sent and recorded again). */
  void forget(String sha256) {
    idsBySha256.remove(sha256);
  }

  @Override
  public void close() throws IOException {
    synchronized (out) {
      out.close();
    }
  }

  static String sha256(String text) {
    return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** The SHA-256 of a file's bytes, lower-case hex (as the server's {@code sha256}). */
  static String sha256(Path file) throws IOException {
    MessageDigest d = digest();
    byte[] buffer = new byte[64 * 1024];
    try (var in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        d.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(d.digest());
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable in this JDK", e);
    }
  }
}
