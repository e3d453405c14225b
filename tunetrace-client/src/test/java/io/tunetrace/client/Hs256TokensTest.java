package io.tunetrace.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class Hs256TokensTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  @Test
  void signsTheSameBytesAsAnIndependentHmacSha256() {
    // Expected value computed with Python's hmac/hashlib/base64 over the same header and claims.
    assertEquals("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
        + ".eyJpc3MiOiJ0dW5ldHJhY2UiLCJzdWIiOiJhbFwiaWNlIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDM2MDB9"
        + ".HZHYrZUTVTVDqotzW7oRQMS7RhZzTZ4sGiA6kTq7h7E",
        Hs256Tokens.issue(SECRET, "tunetrace", "al\"ice", 1_700_000_000L, 1_700_003_600L));
  }

  @Test
  void expiresTtlSecondsAfterNow() {
    long before = System.currentTimeMillis() / 1000;
    String token = Hs256Tokens.issue(SECRET, "tt", "bob", 90);
    String claims = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
        StandardCharsets.UTF_8);
    long iat = Long.parseLong(claims.replaceAll(".*\"iat\":(\\d+).*", "$1"));
    long exp = Long.parseLong(claims.replaceAll(".*\"exp\":(\\d+).*", "$1"));
    assertEquals(90, exp - iat);
    assertEquals(true, iat >= before && iat <= before + 5, claims);
    assertEquals("{\"iss\":\"tt\",\"sub\":\"bob\",\"iat\":" + iat + ",\"exp\":" + exp + "}", claims);
  }

  @Test
  void refusesAnEmptySecretAndANonPositiveTtl() {
    assertEquals("secret is empty", assertThrows(IllegalArgumentException.class,
        () -> Hs256Tokens.issue("", "tt", "a", 60)).getMessage());
    assertEquals("ttlSeconds <= 0: 0", assertThrows(IllegalArgumentException.class,
        () -> Hs256Tokens.issue(SECRET, "tt", "a", 0)).getMessage());
  }
}
