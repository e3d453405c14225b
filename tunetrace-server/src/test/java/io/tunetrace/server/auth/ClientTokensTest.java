package io.tunetrace.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunetrace.client.Hs256Tokens;
import io.tunetrace.server.http.ApiException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The CLI signs tokens with the client module's {@link Hs256Tokens}: the server must accept them. */
class ClientTokensTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";
  private final Auth auth = new Auth(Optional.of(SECRET), "tunetrace", Set.of());

  private static String reason(Runnable r) {
    ApiException e = assertThrows(ApiException.class, r::run);
    assertEquals(401, e.status());
    return e.getMessage();
  }

  @Test
  void theServerAcceptsATokenTheClientSigned() {
    assertEquals("sub:dev", auth.verify(Hs256Tokens.issue(SECRET, "tunetrace", "dev", 60)).id());
    assertEquals("sub:a \"quoted\" name",
        auth.verify(Hs256Tokens.issue(SECRET, "tunetrace", "a \"quoted\" name", 60)).id());
  }

  @Test
  void theServerRefusesClientTokensWithAnotherSecretIssuerOrAPastExpiry() {
    assertEquals("invalid token", reason(() -> auth.verify(
        Hs256Tokens.issue("another-secret-another-secret-xx", "tunetrace", "dev", 60))));
    assertEquals("invalid token", reason(() -> auth.verify(
        Hs256Tokens.issue(SECRET, "someone-else", "dev", 60))));
    long now = Instant.now().getEpochSecond();
    assertEquals("token expired", reason(() -> auth.verify(
        Hs256Tokens.issue(SECRET, "tunetrace", "dev", now - 600, now - 300))));
  }
}
