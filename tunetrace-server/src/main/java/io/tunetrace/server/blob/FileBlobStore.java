package io.tunetrace.server.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Blobs as files under a directory (embedded mode). Thread-safe. */
public final class FileBlobStore implements BlobStore {
  private final Path root;

  public FileBlobStore(Path root) {
    this.root = root;
  }

  private Path path(String key) {
    if (!key.matches("[A-Za-z0-9/_.-]+") || key.contains("..")) {
      throw new IllegalArgumentException("bad blob key: " + key);
    }
    return root.resolve(key);
  }

  @Override
  public void ensureReady() throws IOException {
    Files.createDirectories(root);
  }

  @Override
  public void put(String key, Path file, String contentType) throws IOException {
    Path target = path(key);
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling(target.getFileName() + ".part");
    Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public InputStream get(String key) throws IOException {
    try {
      return Files.newInputStream(path(key));
    } catch (NoSuchFileException e) {
      throw new IOException("no such blob: " + key, e);
    }
  }

  @Override
  public void delete(String key) throws IOException {
    Files.deleteIfExists(path(key));
  }

  @Override
  public void ping() throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException("blob directory missing: " + root);
    }
  }
}
