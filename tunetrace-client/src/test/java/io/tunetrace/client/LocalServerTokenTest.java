package io.tunetrace.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalServerTokenTest {
  @TempDir Path home;

  @Test
  void loopbackMeansLocalhostAndLiteralLoopbackAddressesOnly() {
    for (String local : new String[] {"http://localhost:8080", "http://LOCALHOST", "http://127.0.0.1:1",
        "https://127.1.2.3/", "http://[::1]:8080", "http://api.localhost:80"}) {
      assertTrue(LocalServerToken.isLoopback(local), local);
    }
    for (String remote : new String[] {"http://example.com", "http://127.0.0.1.example.com",
        "http://10.0.0.1:8080", "http://[::2]", "not a url", "http://"}) {
      assertFalse(LocalServerToken.isLoopback(remote), remote);
    }
  }

  @Test
  void signsWithTheEmbeddedServersSecretUnderTheDefaultDataDir() throws IOException {
    Path dir = home.resolve(".tunetrace/server");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("jwt-secret"), "stored-secret-stored-secret-stored\n");
    Optional<String> token = LocalServerToken.forServer("http://localhost:8080", Map.of(), home);
    assertTrue(token.isPresent());
    String claims = claims(token.get());
    assertTrue(claims.startsWith("{\"iss\":\"tunetrace\",\"sub\":\"dev\","), claims);
    String signingInput = token.get().substring(0, token.get().lastIndexOf('.'));
    long iat = Long.parseLong(claims.replaceAll(".*\"iat\":(\\d+).*", "$1"));
    assertEquals(Hs256Tokens.issue("stored-secret-stored-secret-stored", "tunetrace", "dev", iat,
        iat + LocalServerToken.TTL_SECONDS), token.get(), signingInput);
  }

  @Test
  void jwtSecretAndDataDirFromTheEnvironmentWin() throws IOException {
    Path other = home.resolve("elsewhere");
    Files.createDirectories(other);
    Files.writeString(other.resolve("jwt-secret"), "other-secret");
    assertEquals(Optional.of("other-secret"),
        LocalServerToken.secret(Map.of("DATA_DIR", other.toString()), home));
    assertEquals(Optional.of("env-secret"), LocalServerToken.secret(
        Map.of("DATA_DIR", other.toString(), "JWT_SECRET", "env-secret"), home));
    String token = LocalServerToken.forServer("http://127.0.0.1:9",
        Map.of("JWT_SECRET", "env-secret", "JWT_ISSUER", "me"), home).orElseThrow();
    assertTrue(claims(token).startsWith("{\"iss\":\"me\","), claims(token));
  }

  @Test
  void noTokenForARemoteServerOrWithoutAnySecret() throws IOException {
    assertEquals(Optional.empty(), LocalServerToken.forServer("http://localhost:8080", Map.of(), home));
    assertEquals(Optional.empty(), LocalServerToken.forServer("http://example.com:8080",
        Map.of("JWT_SECRET", "env-secret"), home));
  }

  private static String claims(String token) {
    return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
  }
}
