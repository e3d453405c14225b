package io.tunetrace.server.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.time.Instant;

/** Issues HS256 tokens that {@link Auth} accepts (for {@code tunetrace token}, scripts and tests). */
public final class Tokens {
  private Tokens() {}

  public static String issue(String secret, String issuer, String subject, long ttlSeconds) {
    Instant now = Instant.now();
    return JWT.create()
        .withIssuer(issuer)
        .withSubject(subject)
        .withIssuedAt(now)
        .withExpiresAt(now.plusSeconds(ttlSeconds))
        .sign(Algorithm.HMAC256(secret));
  }
}
