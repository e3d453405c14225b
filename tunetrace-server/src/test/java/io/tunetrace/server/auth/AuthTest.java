package io.tunetrace.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    assertEquals("key:key-", auth.verify("key-0123456789abcdef").id());
  }

  @Test
  void rejectsForgedExpiredAndForeignTokens() {
    assertEquals("invalid token",
        reason(() -> auth.verify(Tokens.issue("another-secret-another-secret-xx", "tunetrace", "a", 60))));
    assertEquals("token expired",
        reason(() -> auth.verify(Tokens.issueExpired(SECRET, "tunetrace", "a", 120))));
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
}
