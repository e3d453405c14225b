package io.tunetrace.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {
  @Test
  void refusesToStartWithOneLinePerConfigProblem() {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.run(Map.of("PORT", "99999", "MAX_UPLOAD_BYTES", "big"));
    } finally {
      System.setErr(saved);
    }
    assertEquals(2, code);
    assertEquals("config: PORT out of [0, 65535]: 99999\n"
        + "config: MAX_UPLOAD_BYTES is not an integer: big\n", err.toString(StandardCharsets.UTF_8));
  }
}
