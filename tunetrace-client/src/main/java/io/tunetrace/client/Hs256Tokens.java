package io.tunetrace.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues HS256 JSON Web Tokens (RFC 7519) of the shape the server's {@code JWT_SECRET} check
 * accepts: {@code iss}, {@code sub}, {@code iat} and {@code exp}, signed with HMAC-SHA256. Built on
 * the JDK's {@code javax.crypto} so that the CLI needs no JWT library. Stateless and thread-safe.
 */
public final class Hs256Tokens {
  private static final JsonFactory JSON = new JsonFactory();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final String HEADER = BASE64URL.encodeToString(
      "{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

  private Hs256Tokens() {}

  /** A token valid from now for {@code ttlSeconds}. */
  public static String issue(String secret, String issuer, String subject, long ttlSeconds) {
    if (ttlSeconds <= 0) {
      throw new IllegalArgumentException("ttlSeconds <= 0: " + ttlSeconds);
    }
    long now = Instant.now().getEpochSecond();
    return issue(secret, issuer, subject, now, now + ttlSeconds);
  }

  /** A token with explicit {@code iat} and {@code exp} (seconds since the epoch). */
  public static String issue(String secret, String issuer, String subject, long issuedAtSeconds,
      long expiresAtSeconds) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("secret is empty");
    }
    StringWriter payload = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(payload)) {
      g.writeStartObject();
      g.writeStringField("iss", issuer);
      g.writeStringField("sub", subject);
      g.writeNumberField("iat", issuedAtSeconds);
      g.writeNumberField("exp", expiresAtSeconds);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    String signingInput = HEADER + "." + BASE64URL.encodeToString(
        payload.toString().getBytes(StandardCharsets.UTF_8));
    return signingInput + "." + BASE64URL.encodeToString(hmacSha256(secret, signingInput));
  }

  private static byte[] hmacSha256(String secret, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable in this JDK", e);
    }
  }
}
