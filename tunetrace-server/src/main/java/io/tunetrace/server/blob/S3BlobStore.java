package io.tunetrace.server.blob;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.UploadObjectArgs;
import io.tunetrace.server.config.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * Blobs in an S3 bucket through minio-java (MinIO, AWS S3 or any S3 API server). Uploads stream
 * from a spooled file in multipart parts, never holding the object in memory.
 *
 * <p>Pooled connections are kept 20 s at most (S3 servers close idle ones after 30 s or more, and a
 * request on a connection the server closed ends with "unexpected end of stream"); a request that
 * fails on its connection is retried on a new one, up to {@value #ATTEMPTS} times in all (every
 * call here is idempotent). Thread-safe.
 */
public final class S3BlobStore implements BlobStore {
  static final int ATTEMPTS = 3;
  private static final long RETRY_DELAY_MILLIS = 100;

  private final MinioClient client;
  private final OkHttpClient http;
  private final String bucket;
  private final String region;

  public S3BlobStore(ServerConfig.S3 s3) {
    this.http = new OkHttpClient.Builder()
        .connectTimeout(5, TimeUnit.SECONDS)
        .readTimeout(60, TimeUnit.SECONDS)
        .writeTimeout(60, TimeUnit.SECONDS)
        .connectionPool(new ConnectionPool(5, 20, TimeUnit.SECONDS))
        .retryOnConnectionFailure(true)
        .build();
    MinioClient c = MinioClient.builder()
        .endpoint(s3.endpoint())
        .region(s3.region())
        .credentials(s3.accessKey(), s3.secretKey())
        .httpClient(http)
        .build();
    if (!s3.forcePathStyle()) {
      c.enableVirtualStyleEndpoint();
    }
    this.client = c;
    this.bucket = s3.bucket();
    this.region = s3.region();
  }

  public String bucket() {
    return bucket;
  }

  @Override
  public void ensureReady() throws IOException {
    try {
      if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
        client.makeBucket(MakeBucketArgs.builder().bucket(bucket).region(region).build());
      }
    } catch (Exception e) {
      throw new IOException("S3: cannot create bucket " + bucket + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void put(String key, Path file, String contentType) throws IOException {
    try {
      client.uploadObject(UploadObjectArgs.builder()
          .bucket(bucket)
          .object(key)
          .filename(file.toString())
          .contentType(contentType)
          .build());
    } catch (Exception e) {
      throw new IOException("S3: cannot store " + key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public InputStream get(String key) throws IOException {
    try {
      return retried(() -> client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build()));
    } catch (Exception e) {
      throw new IOException("S3: cannot read " + key + ": " + e.getMessage(), e);
    }
  }

  private interface Call<T> {
    T run() throws Exception;
  }

  /**
   * Runs {@code call}, again on a connection failure ({@link
   * BlobUnavailableException#isConnectionFailure}), at most {@value #ATTEMPTS} times in all.
   */
  private static <T> T retried(Call<T> call) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.run();
      } catch (Exception e) {
        if (attempt >= ATTEMPTS || !BlobUnavailableException.isConnectionFailure(e) || refused(e)) {
          throw e;
        }
        Thread.sleep(RETRY_DELAY_MILLIS * attempt);
      }
    }
  }

  /** A refused connection means the server is down: retrying at once would not help. */
  private static boolean refused(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException) {
        return true;
      }
    }
    return false;
  }

  /** The content type stored with an object. */
  public String contentType(String key) throws IOException {
    try {
      return client.statObject(io.minio.StatObjectArgs.builder().bucket(bucket).object(key).build())
          .contentType();
    } catch (Exception e) {
      throw new IOException("S3: cannot stat " + key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void delete(String key) throws IOException {
    try {
      retried(() -> {
        client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
        return null;
      });
    } catch (Exception e) {
      throw new IOException("S3: cannot delete " + key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void ping() throws IOException {
    try {
      if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
        throw new IOException("S3: bucket missing: " + bucket);
      }
    } catch (Exception e) {
      if (e instanceof IOException && e.getMessage() != null && e.getMessage().startsWith("S3: ")) {
        throw (IOException) e;
      }
      throw new IOException("S3: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
