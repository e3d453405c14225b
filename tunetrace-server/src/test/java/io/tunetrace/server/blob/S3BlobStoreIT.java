package io.tunetrace.server.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.server.config.ServerConfig;
import io.tunetrace.server.support.S3ProxyProcess;
import io.tunetrace.server.support.TcpProxy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class S3BlobStoreIT {
  private static S3ProxyProcess s3;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3ProxyProcess();
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  private static S3BlobStore store(String endpoint, String bucket) {
    return new S3BlobStore(new ServerConfig.S3(endpoint, "us-east-1", S3ProxyProcess.ACCESS_KEY,
        S3ProxyProcess.SECRET_KEY, bucket, true));
  }

  @Test
  void createsTheBucketThenStoresReadsAndDeletesWithTheContentType() throws Exception {
    S3BlobStore store = store(s3.endpoint(), "tunetrace-it-blobs");
    store.ensureReady();
    store.ensureReady();
    store.ping();
    byte[] data = new byte[3 * 1024 * 1024 + 17];
    new Random(1).nextBytes(data);
    Path file = Files.createTempFile("blob", ".mp3");
    Files.write(file, data);
    store.put("tracks/x.mp3", file, "audio/mpeg");
    try (InputStream in = store.get("tracks/x.mp3")) {
      assertArrayEquals(data, in.readAllBytes());
    }
    assertEquals("audio/mpeg", store.contentType("tracks/x.mp3"));
    store.delete("tracks/x.mp3");
    assertThrows(IOException.class, () -> store.get("tracks/x.mp3").close());
    store.close();
  }

  /**
   * A pooled connection the server has closed (as S3 servers do after 30 s idle) used to fail the
   * next read with "unexpected end of stream"; it is retried on a fresh connection.
   */
  @Test
  void aPooledConnectionTheServerClosedIsRetriedOnANewOne() throws Exception {
    int port = Integer.parseInt(s3.endpoint().substring(s3.endpoint().lastIndexOf(':') + 1));
    try (TcpProxy proxy = new TcpProxy(port)) {
      S3BlobStore store = store("http://127.0.0.1:" + proxy.port(), "tunetrace-it-stale");
      store.ensureReady();
      byte[] data = new byte[100_000];
      new Random(2).nextBytes(data);
      Path file = Files.createTempFile("blob", ".wav");
      Files.write(file, data);
      store.put("tracks/stale.wav", file, "audio/wav");
      for (int i = 0; i < 3; i++) {
        proxy.down(); // the server side closes every idle connection of the pool
        reopen(proxy);
        try (InputStream in = store.get("tracks/stale.wav")) {
          assertArrayEquals(data, in.readAllBytes(), "read " + i);
        }
      }
      store.delete("tracks/stale.wav");
      store.close();
    }
  }

  /** Opens the proxy's port again (closing sockets may hold it for a moment). */
  private static void reopen(TcpProxy proxy) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try {
        proxy.up();
        return;
      } catch (java.net.BindException e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  @Test
  void connectionFailuresAreToldFromOtherFailures() {
    assertTrue(BlobUnavailableException.isConnectionFailure(
        new IOException("S3: cannot read k", new IOException("unexpected end of stream on http://x/..."))));
    assertTrue(BlobUnavailableException.isConnectionFailure(new java.net.SocketException("Connection reset")));
    assertTrue(BlobUnavailableException.isConnectionFailure(new java.net.ConnectException("refused")));
    assertFalse(BlobUnavailableException.isConnectionFailure(new IOException("S3: cannot read k: Object does not exist")));
    assertFalse(BlobUnavailableException.isConnectionFailure(new IllegalStateException("x")));
  }

  @Test
  void aClosedPortFailsFastWithIoException() throws Exception {
    int port = S3ProxyProcess.freePort();
    S3BlobStore store = store("http://127.0.0.1:" + port, "nobucket");
    IOException e = assertThrows(IOException.class, store::ping);
    assertEquals("S3: Failed to connect to /127.0.0.1:" + port, e.getMessage());
    Path file = Files.createTempFile("blob", ".wav");
    IOException put = assertThrows(IOException.class, () -> store.put("k.wav", file, "audio/wav"));
    assertEquals("S3: cannot store k.wav: Failed to connect to /127.0.0.1:" + port, put.getMessage());
    store.close();
  }
}
