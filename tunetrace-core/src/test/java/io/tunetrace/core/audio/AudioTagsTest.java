package io.tunetrace.core.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tunetrace.core.audio.AudioTags.Tags;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class AudioTagsTest {
  @TempDir Path dir;

  /** An ID3v2.3 tag: TIT2 in ISO-8859-1, TPE1 in UTF-16 with BOM, TALB in ISO-8859-1. */
  static byte[] id3v23(String title, String artist, String album, int padding) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    frame(body, 3, "TIT2", 0, title, StandardCharsets.ISO_8859_1);
    frame(body, 3, "TPE1", 1, artist, StandardCharsets.UTF_16);
    frame(body, 3, "TALB", 0, album, StandardCharsets.ISO_8859_1);
    body.writeBytes(new byte[padding]);
    return tag(3, body.toByteArray());
  }

  static byte[] id3v1(String title, String artist, String album) {
    byte[] b = new byte[128];
    b[0] = 'T';
    b[1] = 'A';
    b[2] = 'G';
    put(b, 3, title);
    put(b, 33, artist);
    put(b, 63, album);
    b[127] = (byte) 255;
    return b;
  }

  private static void put(byte[] b, int off, String s) {
    byte[] t = s.getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(t, 0, b, off, Math.min(30, t.length));
  }

  private static byte[] tag(int version, byte[] body) {
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    t.writeBytes(new byte[] {'I', 'D', '3', (byte) version, 0, 0});
    t.writeBytes(syncsafe(body.length));
    t.writeBytes(body);
    return t.toByteArray();
  }

  private static byte[] syncsafe(int n) {
    return new byte[] {
      (byte) ((n >> 21) & 0x7f), (byte) ((n >> 14) & 0x7f), (byte) ((n >> 7) & 0x7f), (byte) (n & 0x7f)
    };
  }

  private static void frame(
      ByteArrayOutputStream out, int version, String id, int encoding, String text, Charset cs) {
    byte[] t = text.getBytes(cs);
    int size = t.length + 1;
    out.writeBytes(id.getBytes(StandardCharsets.ISO_8859_1));
    if (version == 4) {
      out.writeBytes(syncsafe(size));
    } else {
      out.writeBytes(new byte[] {(byte) (size >> 24), (byte) (size >> 16), (byte) (size >> 8), (byte) size});
    }
    out.write(0);
    out.write(0);
    out.write(encoding);
    out.writeBytes(t);
  }

  private Path mp3With(byte[] before, byte[] after) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(before);
    b.writeBytes(AudioDecodersTest.resource(AudioDecodersTest.MP3_44K));
    b.writeBytes(after);
    Path p = dir.resolve("tagged.mp3");
    Files.write(p, b.toByteArray());
    return p;
  }

  @Test
  void readsId3v23WithLatin1AndUtf16Text() throws IOException {
    Path p = mp3With(id3v23("Café Tone", "Sïnth Ärtist", "Tests", 100), new byte[0]);
    assertEquals(Optional.of(new Tags("Café Tone", "Sïnth Ärtist", "Tests")), AudioTags.read(p));
  }

  @Test
  void readsId3v24WithSyncsafeFrameSizesAndUtf8() throws IOException {
    String longTitle = "Ω".repeat(150); // 300 bytes of UTF-8: the syncsafe size differs from plain
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    frame(body, 4, "TIT2", 3, longTitle, StandardCharsets.UTF_8);
    frame(body, 4, "TPE1", 2, "Big Endian", StandardCharsets.UTF_16BE);
    frame(body, 4, "TALB", 3, "Album\0Second value", StandardCharsets.UTF_8);
    Path p = mp3With(tag(4, body.toByteArray()), new byte[0]);
    assertEquals(Optional.of(new Tags(longTitle, "Big Endian", "Album")), AudioTags.read(p));
  }

  @Test
  void fallsBackToId3v1AndFillsMissingFields() throws IOException {
    Path onlyV1 = mp3With(new byte[0], id3v1("Old Title", "Old Artist", "Old Album"));
    assertEquals(
        Optional.of(new Tags("Old Title", "Old Artist", "Old Album")), AudioTags.read(onlyV1));
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    frame(body, 3, "TIT2", 0, "New Title", StandardCharsets.ISO_8859_1);
    Path both = mp3With(tag(3, body.toByteArray()), id3v1("Old Title", "Old Artist", ""));
    assertEquals(Optional.of(new Tags("New Title", "Old Artist", null)), AudioTags.read(both));
  }

  @Test
  void readsWavListInfo() throws IOException {
    ByteArrayOutputStream info = new ByteArrayOutputStream();
    info.writeBytes("INFO".getBytes(StandardCharsets.US_ASCII));
    for (String[] kv : new String[][] {{"INAM", "Wave Title"}, {"IART", "Wave Artist"}, {"IPRD", "Wave Album"}}) {
      byte[] v = (kv[1] + "\0").getBytes(StandardCharsets.UTF_8);
      info.writeBytes(kv[0].getBytes(StandardCharsets.US_ASCII));
      WavBuilder.le32(info, v.length);
      info.writeBytes(v);
      if ((v.length & 1) != 0) {
        info.write(0);
      }
    }
    byte[] wav =
        new WavBuilder()
            .chunk("LIST", info.toByteArray())
            .order("fmt ", "data", "LIST")
            .build(new float[101], 1);
    Path p = dir.resolve("tagged.wav");
    Files.write(p, wav);
    assertEquals(Optional.of(new Tags("Wave Title", "Wave Artist", "Wave Album")), AudioTags.read(p));
  }

  @Test
  void readsOggTagsWithFfprobe() throws Exception {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    Path ogg = dir.resolve("t.ogg");
    Signals.ffmpeg("-f", "lavfi", "-i", "sine=duration=0.5", "-metadata", "title=Ogg Title",
        "-metadata", "artist=Ogg Artist", "-c:a", "libvorbis", ogg.toString());
    assertEquals(Optional.of(new Tags("Ogg Title", "Ogg Artist", null)), AudioTags.read(ogg));
  }

  /** The Java reader of Vorbis and Opus comments gives what ffprobe gives, without a process. */
  @Test
  void readsOggVorbisAndOpusCommentsLikeFfprobe() throws Exception {
    assumeTrue(Signals.ffmpegAvailable(), "ffmpeg not installed");
    String[][] cases = {
      {"v.ogg", "libvorbis", "Tïtle ünicode", "Some Artist", "An Album"},
      {"o.opus", "libopus", "Opus Title", "", "Opus Album"},
      {"n.ogg", "libvorbis", "", "", ""},
    };
    for (String[] c : cases) {
      Path f = dir.resolve(c[0]);
      java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
          "-f", "lavfi", "-i", "sine=duration=0.5"));
      String[] keys = {"title", "artist", "album"};
      for (int k = 0; k < 3; k++) {
        if (!c[2 + k].isEmpty()) {
          args.addAll(java.util.List.of("-metadata", keys[k] + "=" + c[2 + k]));
        }
      }
      args.addAll(java.util.List.of("-c:a", c[1], f.toString()));
      Signals.ffmpeg(args.toArray(String[]::new));
      AudioTags.OggComments java = AudioTags.oggComments(f);
      assertTrue(java != null, c[0]);
      assertEquals(AudioTags.ffprobe(f, DecoderTools.fromEnvironment()), java.tags(), c[0]);
    }
    // Repeated keys are joined as ffmpeg joins them; other streams than Vorbis/Opus go to ffprobe.
    byte[] comment = vorbisComment("vendor", "TITLE=One", "title=Two", "ARTIST=", "=x", "Album=A");
    assertEquals(new Tags("One;Two", null, "A"), AudioTags.parseVorbisComment(comment, 0).tags());
    Path flacInOgg = dir.resolve("f.ogg");
    Signals.ffmpeg("-f", "lavfi", "-i", "sine=duration=0.5", "-c:a", "flac", flacInOgg.toString());
    assertEquals(null, AudioTags.oggComments(flacInOgg));
  }

  private static byte[] vorbisComment(String vendor, String... comments) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] v = vendor.getBytes(StandardCharsets.UTF_8);
    le32(b, v.length);
    b.writeBytes(v);
    le32(b, comments.length);
    for (String c : comments) {
      byte[] x = c.getBytes(StandardCharsets.UTF_8);
      le32(b, x.length);
      b.writeBytes(x);
    }
    return b.toByteArray();
  }

  private static void le32(ByteArrayOutputStream b, int v) {
    b.write(v);
    b.write(v >>> 8);
    b.write(v >>> 16);
    b.write(v >>> 24);
  }

  @Test
  void returnsEmptyForBadOrMissingTags() throws IOException {
    assertEquals(Optional.empty(), AudioTags.read(dir.resolve("missing.mp3")));
    Path untagged = mp3With(new byte[0], new byte[0]);
    assertEquals(Optional.empty(), AudioTags.read(untagged));
    byte[] garbage = new byte[400];
    new Random(3).nextBytes(garbage);
    byte[] bad = tag(3, garbage);
    assertEquals(Optional.empty(), AudioTags.read(mp3With(bad, new byte[0])));
    // a frame size running past the tag, and a tag size running past the file
    byte[] broken = id3v23("T", "A", "B", 0);
    broken[10 + 7] = 0x7f;
    AudioTags.read(mp3With(broken, new byte[0]));
    byte[] truncated = Arrays.copyOf(id3v23("T", "A", "B", 0), 20);
    Path p = dir.resolve("cut.mp3");
    Files.write(p, truncated);
    assertTrue(AudioTags.read(p).isEmpty());
    Path text = dir.resolve("song.mp3");
    Files.writeString(text, "<html>");
    assertEquals(Optional.empty(), AudioTags.read(text));
  }
}
