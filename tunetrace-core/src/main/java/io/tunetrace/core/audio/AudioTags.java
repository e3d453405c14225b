package io.tunetrace.core.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * Reads title, artist and album from a file's tags: ID3v2.2/2.3/2.4 and ID3v1 (MP3), RIFF
 * LIST/INFO (WAV) in pure Java, and ffprobe for other containers when it is installed. Bad or
 * missing tags give {@link Optional#empty()}; this class never throws for tag content.
 *
 * <p>Thread-safe (stateless).
 */
public final class AudioTags {
  private static final int MAX_TAG_BYTES = 16 * 1024 * 1024;
  private static final int MAX_TEXT_BYTES = 64 * 1024;
  private static final long FFPROBE_TIMEOUT_SECONDS = 20;

  /**
   * The tags found; each field is null when absent or blank (trailing NULs and whitespace are
   * stripped, and only the first of several NUL-separated values is kept). {@link #read} returns
   * tags with at least one field set.
   *
   * <p>Immutable and thread-safe.
   */
  public record Tags(String title, String artist, String album) {
    public Tags {
      title = clean(title);
      artist = clean(artist);
      album = clean(album);
    }

    /** This, with its missing fields taken from {@code other}. */
    Tags orElse(Tags other) {
      if (other == null) {
        return this;
      }
      return new Tags(
          title != null ? title : other.title,
          artist != null ? artist : other.artist,
          album != null ? album : other.album);
    }

    boolean isEmpty() {
      return title == null && artist == null && album == null;
    }

    private static String clean(String s) {
      if (s == null) {
        return null;
      }
      int end = s.length();
      while (end > 0 && (s.charAt(end - 1) == '\0' || Character.isWhitespace(s.charAt(end - 1)))) {
        end--;
      }
      int nul = s.indexOf('\0');
      if (nul >= 0 && nul < end) {
        end = nul; // ID3 multi-value: keep the first value
      }
      String t = s.substring(0, end).strip();
      return t.isEmpty() ? null : t;
    }
  }

  private AudioTags() {}

  /** Reads the tags of a file, or empty when there are none or they cannot be read. */
  public static Optional<Tags> read(Path file) {
    return read(file, DecoderTools.fromEnvironment());
  }

  static Optional<Tags> read(Path file, DecoderTools tools) {
    try {
      byte[] head = new byte[AudioDecoders.HEAD_BYTES];
      int n;
      try (InputStream in = Files.newInputStream(file)) {
        n = in.readNBytes(head, 0, head.length);
      }
      AudioContainer c = AudioDecoders.sniff(head, n);
      Tags tags;
      switch (c) {
        case WAV:
          tags = riffInfo(file);
          break;
        case MP3:
          Tags v2 = Id3v2.tagBytes(head, 0, n) >= 0 ? id3v2(file) : null;
          Tags v1 = id3v1(file);
          tags = v2 != null ? v2.orElse(v1) : v1;
          break;
        case UNKNOWN:
          tags = null;
          break;
        case OGG:
          // Vorbis and Opus comments are read here: an ffprobe process costs more CPU than
          // decoding a few seconds of the file. Other Ogg codecs, or a comment header too large
          // or damaged to read, still go to ffprobe.
          OggComments ogg = oggComments(file);
          tags = ogg != null ? ogg.tags() : ffprobe(file, tools);
          break;
        default:
          tags = ffprobe(file, tools);
          break;
      }
      return tags == null || tags.isEmpty() ? Optional.empty() : Optional.of(tags);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  // ---- ID3v2 -------------------------------------------------------------------------------

  static Tags id3v2(Path file) throws IOException {
    byte[] header = new byte[10];
    try (InputStream in = Files.newInputStream(file)) {
      if (in.readNBytes(header, 0, 10) < 10) {
        return null;
      }
      int version = header[3];
      int flags = header[5] & 0xff;
      int size = Id3v2.syncsafe(header, 6);
      if (size <= 0 || version < 2 || version > 4) {
        return null;
      }
      byte[] body = in.readNBytes(Math.min(size, MAX_TAG_BYTES));
      return parseId3v2Body(body, version, flags);
    }
  }

  static Tags parseId3v2Body(byte[] body, int version, int flags) {
    if ((flags & 0x80) != 0 && version < 4) {
      body = unsynchronise(body, 0, body.length);
    }
    int pos = 0;
    if ((flags & 0x40) != 0 && version >= 3) {
      // extended header: v2.3 size excludes its own 4 bytes, v2.4 is syncsafe and includes them
      if (body.length < 4) {
        return null;
      }
      pos = version == 3 ? 4 + int32be(body, 0) : Id3v2.syncsafe(body, 0);
      if (pos < 0 || pos > body.length) {
        return null;
      }
    }
    String title = null;
    String artist = null;
    String album = null;
    int idLen = version == 2 ? 3 : 4;
    int headerLen = version == 2 ? 6 : 10;
    while (pos + headerLen <= body.length) {
      if (body[pos] == 0) {
        break; // padding
      }
      String id = new String(body, pos, idLen, StandardCharsets.ISO_8859_1);
      int size;
      int frameFlags = 0;
      if (version == 2) {
        size = (body[pos + 3] & 0xff) << 16 | (body[pos + 4] & 0xff) << 8 | (body[pos + 5] & 0xff);
      } else if (version == 3) {
        size = int32be(body, pos + 4);
      } else {
        size = Id3v2.syncsafe(body, pos + 4);
        if (size >= 0 && !frameFits(body, pos, size)) {
          size = int32be(body, pos + 4); // some writers use plain sizes in v2.4
        }
        frameFlags = body[pos + 9] & 0xff;
      }
      if (size < 0 || pos + headerLen + size > body.length) {
        break;
      }
      int start = pos + headerLen;
      pos = start + size;
      String field = textFrame(id);
      if (field == null || size < 1 || size > MAX_TEXT_BYTES) {
        continue;
      }
      if (version == 4 && (frameFlags & 0x0C) != 0) {
        continue; // compressed or encrypted
      }
      byte[] data = body;
      int off = start;
      int len = size;
      if (version == 4 && (frameFlags & 0x01) != 0) {
        off += 4; // data length indicator
        len -= 4;
      }
      if (version == 4 && (frameFlags & 0x02) != 0) {
        data = unsynchronise(body, off, len);
        off = 0;
        len = data.length;
      }
      if (len < 1) {
        continue;
      }
      String text = decodeText(data, off, len);
      switch (field) {
        case "title":
          title = title == null ? text : title;
          break;
        case "artist":
          artist = artist == null ? text : artist;
          break;
        default:
          album = album == null ? text : album;
          break;
      }
    }
    Tags t = new Tags(title, artist, album);
    return t.isEmpty() ? null : t;
  }

  private static boolean frameFits(byte[] body, int pos, int size) {
    int next = pos + 10 + size;
    if (next == body.length || next + 4 > body.length) {
      return next <= body.length;
    }
    if (body[next] == 0) {
      return true;
    }
    for (int i = 0; i < 4; i++) {
      int c = body[next + i];
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  private static String textFrame(String id) {
    switch (id) {
      case "TIT2":
      case "TT2":
        return "title";
      case "TPE1":
      case "TP1":
        return "artist";
      case "TALB":
      case "TAL":
        return "album";
      default:
        return null;
    }
  }

  static String decodeText(byte[] b, int off, int len) {
    int encoding = b[off];
    off++;
    len--;
    Charset cs;
    switch (encoding) {
      case 0:
        cs = StandardCharsets.ISO_8859_1;
        break;
      case 1:
        cs = StandardCharsets.UTF_16; // with BOM
        break;
      case 2:
        cs = StandardCharsets.UTF_16BE;
        break;
      case 3:
        cs = StandardCharsets.UTF_8;
        break;
      default:
        return null;
    }
    if (encoding == 1 && len >= 2 && !(hasBom(b, off))) {
      cs = StandardCharsets.UTF_16LE; // BOM missing: the common Windows writers use little-endian
    }
    return new String(b, off, len, cs);
  }

  private static boolean hasBom(byte[] b, int off) {
    int b0 = b[off] & 0xff;
    int b1 = b[off + 1] & 0xff;
    return (b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF);
  }

  private static byte[] unsynchronise(byte[] b, int off, int len) {
    byte[] out = new byte[len];
    int n = 0;
    for (int i = off; i < off + len; i++) {
      out[n++] = b[i];
      if ((b[i] & 0xff) == 0xFF && i + 1 < off + len && b[i + 1] == 0) {
        i++;
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  private static int int32be(byte[] b, int p) {
    return (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff);
  }

  // ---- ID3v1 -------------------------------------------------------------------------------

  static Tags id3v1(Path file) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 128) {
        return null;
      }
      ByteBuffer bb = ByteBuffer.allocate(128);
      ch.position(size - 128);
      while (bb.hasRemaining() && ch.read(bb) > 0) {
        // fill
      }
      byte[] b = bb.array();
      if (bb.position() < 128 || b[0] != 'T' || b[1] != 'A' || b[2] != 'G') {
        return null;
      }
      Tags t = new Tags(latin1(b, 3, 30), latin1(b, 33, 30), latin1(b, 63, 30));
      return t.isEmpty() ? null : t;
    }
  }

  private static String latin1(byte[] b, int off, int len) {
    return new String(b, off, len, StandardCharsets.ISO_8859_1);
  }

  // ---- RIFF LIST/INFO ----------------------------------------------------------------------

  static Tags riffInfo(Path file) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
      long size = ch.size();
      long pos = 12;
      ByteBuffer hdr = ByteBuffer.allocate(8);
      for (int chunks = 0; chunks < 10_000 && pos + 8 <= size; chunks++) {
        hdr.clear();
        ch.position(pos);
        while (hdr.hasRemaining() && ch.read(hdr) > 0) {
          // fill
        }
        if (hdr.hasRemaining()) {
          return null;
        }
        byte[] h = hdr.array();
        String id = WavDecoder.ascii(h, 0);
        long len = WavDecoder.u32(h, 4);
        if (id.equals("LIST") && len >= 4 && len <= MAX_TAG_BYTES && pos + 8 + len <= size) {
          ByteBuffer body = ByteBuffer.allocate((int) len);
          while (body.hasRemaining() && ch.read(body) > 0) {
            // fill
          }
          byte[] b = body.array();
          if (WavDecoder.ascii(b, 0).equals("INFO")) {
            Tags t = parseInfo(b);
            if (t != null) {
              return t;
            }
          }
        }
        if (id.equals("data") && (len == 0 || len == 0xFFFFFFFFL)) {
          return null; // streaming writer: the data runs to the end
        }
        pos += 8 + len + (len & 1);
      }
      return null;
    }
  }

  private static Tags parseInfo(byte[] b) {
    String title = null;
    String artist = null;
    String album = null;
    int p = 4;
    while (p + 8 <= b.length) {
      String id = WavDecoder.ascii(b, p);
      long len = WavDecoder.u32(b, p + 4);
      if (len > b.length - p - 8) {
        break;
      }
      String text = decodeInfoText(b, p + 8, (int) len);
      switch (id) {
        case "INAM":
          title = text;
          break;
        case "IART":
          artist = text;
          break;
        case "IPRD":
          album = text;
          break;
        default:
          break;
      }
      p += 8 + (int) len + (int) (len & 1);
    }
    Tags t = new Tags(title, artist, album);
    return t.isEmpty() ? null : t;
  }

  private static String decodeInfoText(byte[] b, int off, int len) {
    String utf8 = new String(b, off, len, StandardCharsets.UTF_8);
    return utf8.indexOf('\uFFFD') >= 0 ? new String(b, off, len, StandardCharsets.ISO_8859_1) : utf8;
  }

  // ---- Ogg Vorbis / Opus comments ---------------------------------------------------------

  /** The comments of an Ogg file's first stream; {@code tags} is null when it has none. */
  record OggComments(Tags tags) {}

  /**
   * Reads the comment header (the second packet) of the first logical stream of an Ogg file when
   * that stream is Vorbis or Opus, as ffprobe reports it: keys compared without case, empty keys
   * or values ignored, repeated keys joined with ";". Returns null when the file is not such a
   * stream or its header cannot be read (the caller then asks ffprobe).
   */
  static OggComments oggComments(Path file) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = new java.io.BufferedInputStream(raw, 1 << 16)) {
      return oggComments(in);
    }
  }

  static OggComments oggComments(InputStream in) throws IOException {
    byte[] header = new byte[27];
    byte[] lacing = new byte[255];
    java.io.ByteArrayOutputStream packet = new java.io.ByteArrayOutputStream();
    int serial = 0;
    boolean first = true;
    int packetIndex = 0;
    String codec = null;
    long read = 0;
    while (read <= MAX_TAG_BYTES) {
      if (in.readNBytes(header, 0, 27) < 27 || header[0] != 'O' || header[1] != 'g'
          || header[2] != 'g' || header[3] != 'S' || header[4] != 0) {
        return null;
      }
      int pageSerial = le32(header, 14);
      int segments = header[26] & 0xff;
      if (in.readNBytes(lacing, 0, segments) < segments) {
        return null;
      }
      int bodyBytes = 0;
      for (int i = 0; i < segments; i++) {
        bodyBytes += lacing[i] & 0xff;
      }
      read += 27 + segments + bodyBytes;
      if (first) {
        if ((header[5] & 0x02) == 0) {
          return null; // the first page must begin a stream
        }
        serial = pageSerial;
        first = false;
      }
      if (pageSerial != serial) {
        in.skipNBytes(bodyBytes);
        continue;
      }
      byte[] body = in.readNBytes(bodyBytes);
      if (body.length < bodyBytes) {
        return null;
      }
      int pos = 0;
      for (int i = 0; i < segments; i++) {
        int len = lacing[i] & 0xff;
        packet.write(body, pos, len);
        pos += len;
        if (len == 255) {
          continue; // the packet goes on in the next segment
        }
        byte[] p = packet.toByteArray();
        packet.reset();
        if (packetIndex == 0) {
          if (startsWith(p, new byte[] {1, 'v', 'o', 'r', 'b', 'i', 's'})) {
            codec = "vorbis";
          } else if (startsWith(p, "OpusHead".getBytes(StandardCharsets.US_ASCII))) {
            codec = "opus";
          } else {
            return null;
          }
        } else {
          byte[] magic = codec.equals("vorbis")
              ? new byte[] {3, 'v', 'o', 'r', 'b', 'i', 's'}
              : "OpusTags".getBytes(StandardCharsets.US_ASCII);
          if (!startsWith(p, magic)) {
            return null;
          }
          return parseVorbisComment(p, magic.length);
        }
        packetIndex++;
      }
      if (packet.size() > MAX_TAG_BYTES) {
        return null;
      }
    }
    return null;
  }

  /** A Vorbis comment block starting at {@code off}; null when it is malformed. */
  static OggComments parseVorbisComment(byte[] b, int off) {
    if (b.length - off < 8) {
      return null;
    }
    long vendor = le32(b, off) & 0xffffffffL;
    int p = off + 4;
    if (vendor > b.length - p - 4) {
      return null;
    }
    p += (int) vendor;
    long count = le32(b, p) & 0xffffffffL;
    p += 4;
    String title = null;
    String artist = null;
    String album = null;
    while (b.length - p >= 4 && count > 0) {
      long len = le32(b, p) & 0xffffffffL;
      p += 4;
      if (len > b.length - p) {
        break;
      }
      int start = p;
      int end = p + (int) len;
      p = end;
      count--;
      int eq = -1;
      for (int i = start; i < end; i++) {
        if (b[i] == '=') {
          eq = i;
          break;
        }
      }
      if (eq <= start || eq == end - 1) {
        continue; // no '=', an empty key or an empty value: ffmpeg skips it too
      }
      String key = new String(b, start, eq - start, StandardCharsets.US_ASCII)
          .toLowerCase(java.util.Locale.ROOT);
      if (!key.equals("title") && !key.equals("artist") && !key.equals("album")) {
        continue;
      }
      String value = new String(b, eq + 1, end - eq - 1, StandardCharsets.UTF_8);
      switch (key) {
        case "title" -> title = title == null ? value : title + ";" + value;
        case "artist" -> artist = artist == null ? value : artist + ";" + value;
        default -> album = album == null ? value : album + ";" + value;
      }
    }
    Tags t = new Tags(title, artist, album);
    return new OggComments(t.isEmpty() ? null : t);
  }

  private static boolean startsWith(byte[] b, byte[] prefix) {
    if (b.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int le32(byte[] b, int off) {
    return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16
        | (b[off + 3] & 0xff) << 24;
  }

  // ---- ffprobe -----------------------------------------------------------------------------

  static Tags ffprobe(Path file, DecoderTools tools) {
    List<String> lines =
        FfmpegDecoder.run(
            List.of(
                tools.ffprobe(),
                "-v",
                "error",
                "-show_entries",
                "format_tags=title,artist,album:stream_tags=title,artist,album",
                "-of",
                "default=nw=1",
                "file:" + file.toAbsolutePath()),
            FFPROBE_TIMEOUT_SECONDS);
    String title = null;
    String artist = null;
    String album = null;
    for (String line : lines) {
      if (!line.regionMatches(true, 0, "TAG:", 0, 4)) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = line.substring(4, eq).toLowerCase(java.util.Locale.ROOT);
      String value = line.substring(eq + 1);
      switch (key) {
        case "title":
          title = title == null ? value : title;
          break;
        case "artist":
          artist = artist == null ? value : artist;
          break;
        case "album":
          album = album == null ? value : album;
          break;
        default:
          break;
      }
    }
    Tags t = new Tags(title, artist, album);
    return t.isEmpty() ? null : t;
  }
}
