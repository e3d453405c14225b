package io.tunetrace.server.web;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PagesTest {
  @Test
  void offersTheDevelopmentTokenToLoopbackClientsOnly() {
    assertTrue(Pages.fromThisMachine("127.0.0.1"));
    assertTrue(Pages.fromThisMachine("127.8.9.10"));
    assertTrue(Pages.fromThisMachine("::1"));
    assertTrue(Pages.fromThisMachine("[0:0:0:0:0:0:0:1]"));
    assertFalse(Pages.fromThisMachine("192.168.1.20"));
    assertFalse(Pages.fromThisMachine("10.0.0.1"));
    assertFalse(Pages.fromThisMachine("fe80::1%eth0"));
    assertFalse(Pages.fromThisMachine("2001:db8::1"));
    assertFalse(Pages.fromThisMachine(""));
    assertFalse(Pages.fromThisMachine(null));
    // Never a name (no lookup): "localhost" is not an address.
    assertFalse(Pages.fromThisMachine("localhost"));
    assertFalse(Pages.fromThisMachine("example.org"));
  }
}
