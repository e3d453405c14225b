package io.tunetrace.core.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** A track's content hash is 64 hex digits, kept in lower case, or empty. */
class TrackMetadataTest {
  private static final String HASH = "0123456789abcdef".repeat(4);

  private static TrackMetadata withHash(String sha256) {
    return new TrackMetadata("Song", "Band", "", "/music/song.mp3", 1000, sha256);
  }

  @Test
  void keepsAHashOfSixtyFourHexDigitsInLowerCase() {
    assertEquals(HASH, withHash(HASH).sha256());
    assertEquals(HASH, withHash(HASH.toUpperCase()).sha256());
    assertEquals("", withHash("").sha256());
    assertEquals("", withHash(null).sha256());
  }

  @Test
  void refusesAnythingElseAsAHash() {
    for (String bad : new String[] {HASH.substring(1), HASH + "0", HASH.substring(1) + "g",
        HASH.substring(1) + " ", "-" + HASH.substring(1), HASH.substring(1) + "\u0660"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> withHash(bad), bad);
      assertEquals("sha256 is not 64 hex digits: " + bad.toLowerCase(Locale.ROOT),
          e.getMessage());
    }
  }
}
