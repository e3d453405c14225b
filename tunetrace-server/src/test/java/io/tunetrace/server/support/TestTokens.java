package io.tunetrace.server.support;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.time.Instant;

/** Tokens that production code never issues, for tests of their refusal. */
public final class TestTokens {
  private TestTokens() {}

  /** An HS256 token that expired {@code agoSeconds} ago. */
  public static String expired(String secret, String issuer, String subject, long agoSeconds) {
    Instant now = Instant.now();
    return JWT.create()
        .withIssuer(issuer)
        .withSubject(subject)
        .withIssuedAt(now.minusSeconds(agoSeconds + 60))
        .withExpiresAt(now.minusSeconds(agoSeconds))
        .sign(Algorithm.HMAC256(secret));
  }
}
