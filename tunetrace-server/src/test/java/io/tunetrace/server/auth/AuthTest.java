package io.tunetrace.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunetrace.server.http.ApiException;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuthTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";
  private final Auth auth = new Auth(Optional.of(SECRET), "tunetrace", Set.of("key-0123456789abcdef"));

  private static String reason(Runnable r) {
    ApiException e = assertThrows(ApiException.class, r::run);
    assertEquals(401, e.status());
    return e.getMessage();
  }

  @Test
  void acceptsAValidTokenAndAnApiKey() {
    String token = Tokens.issue(SECRET, "tunetrace", "alice", 60);
    assertEquals("sub:alice", auth.verify(token).id());
    assertEquals("key:" + Auth.keyId("key-0123456789abcdef"), auth.verify("key-0123456789abcdef").id());
  }

  @Test
  void rejectsForgedExpiredAndForeignTokens() {
    assertEquals("invalid token",
        reason(() -> auth.verify(Tokens.issue("another-secret-another-secret-xx", "tunetrace", "a", 60))));
    assertEquals("token expired",
        reason(() -> auth.verify(io.tunetrace.server.support.TestTokens.expired(SECRET, "tunetrace", "a", 120))));
    assertEquals("invalid token", reason(() -> auth.verify(Tokens.issue(SECRET, "other", "a", 60))));
    assertEquals("invalid credentials", reason(() -> auth.verify("nope")));
    assertEquals("missing credentials: send Authorization: Bearer <token>",
        reason(() -> auth.verify(null)));
  }

  @Test
  void takesTheCredentialFromHeaderOrQuery() {
    assertEquals("t1", Auth.credential("Bearer t1", null, "t2", null, null));
    assertEquals("t2", Auth.credential(null, null, "t2", null, null));
    assertEquals("t3", Auth.credential(null, null, null, "t3", null));
    assertEquals("k", Auth.credential(null, "k", null, null, null));
    assertNull(Auth.credential(null, null, null, null, null));
    assertEquals("Authorization header must be: Bearer <token>",
        reason(() -> Auth.credential("Basic abc", null, null, null, null)));
  }

  @Test
  void acceptsRs256TokensSignedWithTheConfiguredKeyOnly() throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    java.security.KeyPair ours = generator.generateKeyPair();
    java.security.KeyPair theirs = generator.generateKeyPair();
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
            .encodeToString(ours.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    Auth rsa = new Auth(Optional.of(SECRET), Optional.of(Auth.parseRsaPublicKey(pem)), "tunetrace",
        Set.of());

    assertEquals("sub:bob", rsa.verify(rs256(ours, "tunetrace", 60)).id());
    assertEquals("sub:alice", rsa.verify(Tokens.issue(SECRET, "tunetrace", "alice", 60)).id());
    assertEquals("invalid token", reason(() -> rsa.verify(rs256(theirs, "tunetrace", 60))));
    assertEquals("invalid token", reason(() -> rsa.verify(rs256(ours, "other", 60))));
    assertEquals("token expired", reason(() -> rsa.verify(rs256(ours, "tunetrace", -120))));
    // Without a public key, an RS256 token is refused even when its signature would check out.
    assertEquals("invalid token", reason(() -> auth.verify(rs256(ours, "tunetrace", 60))));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Auth.parseRsaPublicKey("not a key"));
    assertEquals("not an RSA public key in PEM form (BEGIN PUBLIC KEY)", e.getMessage());
  }

  private static String rs256(java.security.KeyPair keys, String issuer, long ttlSeconds) {
    java.time.Instant now = java.time.Instant.now();
    return com.auth0.jwt.JWT.create()
        .withIssuer(issuer)
        .withSubject("bob")
        .withIssuedAt(now.minusSeconds(Math.max(0, -ttlSeconds) + 1))
        .withExpiresAt(now.plusSeconds(ttlSeconds))
        .sign(com.auth0.jwt.algorithms.Algorithm.RSA256(null,
            (java.security.interfaces.RSAPrivateKey) keys.getPrivate()));
  }

  /** The rate limiter's identity: keys sharing their first characters are different callers. */
  @Test
  void apiKeysSharingAPrefixAreDifferentCallersAndTheIdRevealsNoKeyText() {
    Auth two = new Auth(Optional.empty(), "tunetrace",
        Set.of("team-0123456789abcdef", "team-fedcba9876543210"));
    String a = two.verify("team-0123456789abcdef").id();
    String b = two.verify("team-fedcba9876543210").id();
    assertNotEquals(a, b);
    assertEquals(a, two.verify("team-0123456789abcdef").id());
    assertTrue(a.matches("key:[0-9a-f]{16}"), a);
    assertFalse(a.contains("team"), a);
  }
}
