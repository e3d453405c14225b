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
import okhttp3.OkHttpClient;

/**
 * Blobs in an S3 bucket through minio-java (MinIO, AWS S3 or any S3 API server). Uploads stream
 * from a spooled file in multipart parts, never holding the object in memory. Thread-safe.
 */
public final class S3BlobStore implements BlobStore {
  private final MinioClient client;
  private final OkHttpClient http;
  private final String bucket;
  private final String region;

  public S3BlobStore(ServerConfig.S3 s3) {
    this.http = new OkHttpClient.Builder()
        .connectTimeout(5, TimeUnit.SECONDS)
        .readTimeout(60, TimeUnit.SECONDS)
        .writeTimeout(60, TimeUnit.SECONDS)
        .retryOnConnectionFailure(false)
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
      return client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build());
    } catch (Exception e) {
      throw new IOException("S3: cannot read " + key + ": " + e.getMessage(), e);
    }
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
      client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
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
