package io.tunetrace.server.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import io.tunetrace.server.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * Checks credentials: HS256 JWTs signed with {@code JWT_SECRET} and RS256 JWTs signed with the
 * private half of {@code JWT_PUBLIC_KEY} (signature, issuer and expiry checked; the token's own
 * {@code alg} header picks the verifier, and an algorithm that is not configured is refused) and
 * static API keys from {@code API_KEYS}. A credential comes from {@code
 * Authorization: Bearer <token>}, {@code X-API-Key}, or — for browsers, which cannot set headers
 * on a WebSocket — the {@code token}, {@code access_token} or {@code api_key} query parameter.
 *
 * <p>Immutable and thread-safe.
 */
public final class Auth {
  private final JWTVerifier hs256;
  private final JWTVerifier rs256;
  private final Set<String> apiKeys;

  public Auth(Optional<String> jwtSecret, String issuer, Set<String> apiKeys) {
    this(jwtSecret, Optional.empty(), issuer, apiKeys);
  }

  public Auth(Optional<String> jwtSecret, Optional<RSAPublicKey> jwtPublicKey, String issuer,
      Set<String> apiKeys) {
    this.hs256 = jwtSecret
        .map(s -> JWT.require(Algorithm.HMAC256(s)).withIssuer(issuer).acceptLeeway(5).build())
        .orElse(null);
    this.rs256 = jwtPublicKey
        .map(k -> JWT.require(Algorithm.RSA256(k, null)).withIssuer(issuer).acceptLeeway(5).build())
        .orElse(null);
    this.apiKeys = Set.copyOf(apiKeys);
  }

  /**
   * Parses an RSA public key in PEM ({@code -----BEGIN PUBLIC KEY-----}, X.509
   * SubjectPublicKeyInfo) form.
   *
   * @throws IllegalArgumentException with the reason when it is not one
   */
  public static RSAPublicKey parseRsaPublicKey(String pem) {
    String body = pem.replace("-----BEGIN PUBLIC KEY-----", "")
        .replace("-----END PUBLIC KEY-----", "")
        .replaceAll("\\s", "");
    try {
      byte[] der = Base64.getDecoder().decode(body);
      return (RSAPublicKey) KeyFactory.getInstance("RSA")
          .generatePublic(new X509EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException | ClassCastException e) {
      throw new IllegalArgumentException("not an RSA public key in PEM form (BEGIN PUBLIC KEY)", e);
    }
  }

  /** Who made a request: a JWT subject or an API key. */
  public record Principal(String id) {}

  /** Picks the credential out of the header or query values; null when there is none. */
  public static String credential(String authorizationHeader, String apiKeyHeader, String token,
      String accessToken, String apiKey) {
    if (authorizationHeader != null && !authorizationHeader.isBlank()) {
      String h = authorizationHeader.trim();
      if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return h.substring(7).trim();
      }
      throw ApiException.unauthorized("Authorization header must be: Bearer <token>");
    }
    for (String c : new String[] {apiKeyHeader, token, accessToken, apiKey}) {
      if (c != null && !c.isBlank()) {
        return c.trim();
      }
    }
    return null;
  }

  /**
   * A stable id of an API key that does not reveal it: the first 16 hex digits of the SHA-256 of
   * the whole key (keys that share a prefix get different ids, so different rate limits).
   */
  static String keyId(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** Verifies a credential; throws a 401 {@link ApiException} with the reason. */
  public Principal verify(String credential) {
    if (credential == null) {
      throw ApiException.unauthorized("missing credentials: send Authorization: Bearer <token>");
    }
    for (String key : apiKeys) {
      if (MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8),
          credential.getBytes(StandardCharsets.UTF_8))) {
        return new Principal("key:" + keyId(key));
      }
    }
    if ((hs256 == null && rs256 == null) || credential.chars().filter(c -> c == '.').count() != 2) {
      throw ApiException.unauthorized("invalid credentials");
    }
    try {
      String algorithm = JWT.decode(credential).getAlgorithm();
      JWTVerifier verifier = "HS256".equals(algorithm) ? hs256 : "RS256".equals(algorithm) ? rs256 : null;
      if (verifier == null) {
        throw ApiException.unauthorized("invalid token");
      }
      var jwt = verifier.verify(credential);
      if (jwt.getExpiresAt() == null) {
        throw ApiException.unauthorized("token has no expiry");
      }
      return new Principal("sub:" + (jwt.getSubject() == null ? "" : jwt.getSubject()));
    } catch (TokenExpiredException e) {
      throw ApiException.unauthorized("token expired");
    } catch (JWTVerificationException e) {
      throw ApiException.unauthorized("invalid token");
    }
  }
}
