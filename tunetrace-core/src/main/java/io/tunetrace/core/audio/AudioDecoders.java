package io.tunetrace.core.audio;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Opens audio as a mono {@link PcmSource}, choosing the decoder by sniffing the leading bytes
 * (never the file name):
 *
 * <ul>
 *   <li>WAV (RIFF, RF64, BW64): pure Java, native sample rate.
 *   <li>MP3, layer III (MPEG-1, 32–48 kHz, most music; MPEG-2 and 2.5, 8–24 kHz, such as
 *       phone-quality clips): pure Java ({@code Layer3Decoder}), without starting a process;
 *       ffmpeg only when the Java decoder finds the stream corrupt. With {@code preferredRateHz >
 *       0} it decodes at half or a quarter of the native rate when that is still at least the
 *       preferred rate (44.1 kHz to 11,025 Hz, 48 to 12 and 32 to 8 kHz for an 8 kHz analysis):
 *       only the subbands below the lower Nyquist frequency are decoded, which takes less CPU
 *       than an ffmpeg process decoding and resampling (a 214 s, 192 kbps song: about 0.2 s
 *       against 0.4 s). An MPEG-1 stream wanted at its native rate goes to ffmpeg first: for a
 *       whole song at the full rate an ffmpeg process takes less CPU than the Java decoder.
 *   <li>MP3, layers I and II: ffmpeg when it can be started; otherwise MPEG-1 through the
 *       optional pure-Java decoder {@code fr.delthas:javamp3} when it is on the class path, at
 *       its native rate.
 *   <li>Ogg Vorbis (an Ogg file whose first packet is a Vorbis identification header): pure Java
 *       ({@code VorbisDecoder}), without starting a process, at the native rate or, with {@code
 *       preferredRateHz > 0}, at half or a quarter of it by the same rule as layer III (44.1 kHz
 *       to 11,025 Hz and 48 to 12 kHz for an 8 kHz analysis; only the coefficients below the
 *       lower Nyquist frequency go through a shorter inverse MDCT). ffmpeg takes over when the
 *       Java decoder rejects the stream at open (floor type 0, say), and continues from the same
 *       sample when a later page or packet is corrupt.
 *   <li>Anything else recognized (other Ogg streams such as Opus, FLAC, MP4/M4A, WebM/Matroska,
 *       AIFF): ffmpeg, when it is on the PATH (or named by the system property {@code
 *       tunetrace.ffmpeg} or the environment variable {@code TUNETRACE_FFMPEG}).
 * </ul>
 *
 * <p>With {@code preferredRateHz > 0}, ffmpeg resamples to that rate itself; the pure-Java decoders
 * return their native rate, or for layer III and Vorbis a rate between it and the preferred one,
 * so callers still check {@link PcmSource#sampleRateHz()} and use {@link Resampler} when it
 * differs. With 0, ffmpeg output keeps the native rate (as ffmpeg reports it before decoding;
 * {@code open} waits for that).
 *
 * <p>Thread-safe (stateless).
 */
public final class AudioDecoders {
  /** The lowest sample rate any decoder path accepts, in Hz (below it there is nothing to match). */
  public static final int MIN_SAMPLE_RATE_HZ = 4_000;

  /**
   * The highest sample rate any decoder path accepts, in Hz (the highest rate studio formats use).
   * Higher declared rates are refused rather than resampled: a hostile header could otherwise make
   * a small file cost minutes of CPU and hundreds of megabytes of filter tables.
   */
  public static final int MAX_SAMPLE_RATE_HZ = 384_000;

  /**
   * How many leading bytes {@link #open} sniffs; a caller that sniffs ahead (to refuse non-audio
   * before storing it) should pass {@link #sniff} as many, or it accepts what {@code open} refuses.
   */
  public static final int HEAD_BYTES = 8192;

  /** How far back a stream can be rewound (the buffer size). */
  private static final int MARK_BYTES = 64 * 1024;

  private AudioDecoders() {}

  /**
   * Recognizes the container from the first bytes of a file. 16 bytes are enough for every format
   * but raw MP3 without an ID3 tag, which needs about 4 KB to be told from random bytes reliably
   * (two consecutive valid frame headers).
   */
  public static AudioContainer sniff(byte[] head, int length) {
    Objects.requireNonNull(head, "head == null");
    if (length < 0 || length > head.length) {
      throw new IllegalArgumentException("length out of range: " + length);
    }
    if (length >= 12) {
      String riff = ascii(head, 0);
      String form = ascii(head, 8);
      if ((riff.equals("RIFF") || riff.equals("RF64") || riff.equals("BW64"))
          && form.equals("WAVE")) {
        return AudioContainer.WAV;
      }
      if (riff.equals("FORM") && (form.equals("AIFF") || form.equals("AIFC"))) {
        return AudioContainer.AIFF;
      }
      if (ascii(head, 4).equals("ftyp")) {
        return AudioContainer.MP4;
      }
    }
    if (length >= 4) {
      String magic = ascii(head, 0);
      if (magic.equals("OggS")) {
        return AudioContainer.OGG;
      }
      if (magic.equals("fLaC")) {
        return AudioContainer.FLAC;
      }
      if ((head[0] & 0xff) == 0x1A
          && (head[1] & 0xff) == 0x45
          && (head[2] & 0xff) == 0xDF
          && (head[3] & 0xff) == 0xA3) {
        return AudioContainer.WEBM;
      }
    }
    if (Id3v2.tagBytes(head, 0, length) >= 0) {
      return AudioContainer.MP3;
    }
    if (MpegFrameHeader.findFirstFrame(head, length) >= 0) {
      return AudioContainer.MP3;
    }
    return AudioContainer.UNKNOWN;
  }

  /** Opens a file at its native sample rate. The caller closes the returned source. */
  public static PcmSource open(Path file) throws IOException {
    return open(file, 0);
  }

  /**
   * Opens a file. The caller closes the returned source.
   *
   * @param preferredRateHz the rate ffmpeg should produce, or 0 for the native rate; the
   *     pure-Java decoders return their native rate, or (layer III, Vorbis) a lower one that is
   *     at least this
   */
  public static PcmSource open(Path file, int preferredRateHz) throws IOException {
    Objects.requireNonNull(file, "file == null");
    return open(DecoderTools.fromEnvironment(), file, null, preferredRateHz);
  }

  /**
   * Opens a stream of encoded audio at its native sample rate; the returned source owns {@code in}
   * and closes it. Formats that need ffmpeg are piped to its standard input.
   *
   * <p>The stream is decoded as it arrives, in bounded memory: samples come out before it ends, so
   * standard input fed by a recorder works. A WAV header written before the length was known (data
   * size 0 or 0xFFFFFFFF, as ffmpeg writes to a pipe) is read to the end of the stream.
   */
  public static PcmSource open(InputStream in) throws IOException {
    return open(in, 0);
  }

  /**
   * Opens a stream of encoded audio; the returned source owns {@code in} and closes it (also when
   * this method throws).
   *
   * @param preferredRateHz the rate ffmpeg should produce, or 0 for the native rate; the
   *     pure-Java decoders return their native rate, or (layer III, Vorbis) a lower one that is
   *     at least this
   */
  public static PcmSource open(InputStream in, int preferredRateHz) throws IOException {
    Objects.requireNonNull(in, "in == null");
    return open(DecoderTools.fromEnvironment(), null, in, preferredRateHz);
  }

  static PcmSource open(DecoderTools tools, Path file, InputStream stream, int preferredRateHz)
      throws IOException {
    if (preferredRateHz < 0) {
      if (stream != null) {
        stream.close();
      }
      throw new IllegalArgumentException("preferredRateHz < 0: " + preferredRateHz);
    }
    InputStream raw = file != null ? Files.newInputStream(file) : stream;
    BufferedInputStream in = new BufferedInputStream(raw, MARK_BYTES);
    boolean handedOver = false;
    try {
      PcmSource source = dispatch(tools, file, in, preferredRateHz);
      try {
        requireServableRate("audio", source.sampleRateHz());
      } catch (UnsupportedAudioFormatException e) {
        try {
          source.close();
        } catch (IOException closing) {
          e.addSuppressed(closing);
        }
        throw e;
      }
      handedOver = true;
      return source;
    } finally {
      if (!handedOver) {
        in.close();
      }
    }
  }

  private static PcmSource dispatch(
      DecoderTools tools, Path file, BufferedInputStream in, int preferredRateHz)
      throws IOException {
    byte[] head = new byte[HEAD_BYTES];
    int n = peek(in, head);
    AudioContainer container = sniff(head, n);
    switch (container) {
      case WAV:
        return openWav(tools, file, in, preferredRateHz);
      case MP3:
        return openMp3(tools, file, in, head, n, preferredRateHz);
      case OGG:
        if (VorbisDecoder.isVorbis(head, n)) {
          return openVorbis(tools, file, in, VorbisDecoder.sampleRateHz(head, n), preferredRateHz);
        }
        return ffmpeg(tools, container.name(), file, in, preferredRateHz);
      case UNKNOWN:
        throw notAudio(head, n);
      default:
        return ffmpeg(tools, container.name(), file, in, preferredRateHz);
    }
  }

  private static PcmSource openWav(
      DecoderTools tools, Path file, BufferedInputStream in, int preferredRateHz)
      throws IOException {
    in.mark(MARK_BYTES);
    try {
      return WavDecoder.open(in, file);
    } catch (WavDecoder.UnsupportedCodecException e) {
      // ADPCM, MP3-in-WAV and friends: ffmpeg reads the file, or the stream from its start again
      if (file == null) {
        try {
          in.reset();
        } catch (IOException headerTooLong) {
          throw e;
        }
      }
      try {
        return ffmpeg(tools, "WAV", file, in, preferredRateHz);
      } catch (UnsupportedAudioFormatException ffmpegMissing) {
        throw new UnsupportedAudioFormatException(
            tools.ffmpegMissing("WAV audio with " + e.codec()), ffmpegMissing.getCause());
      }
    }
  }

  private static PcmSource openMp3(
      DecoderTools tools,
      Path file,
      BufferedInputStream in,
      byte[] head,
      int n,
      int preferredRateHz)
      throws IOException {
    // Skip ID3v2 tags (there may be several), then find the first of two consistent frames.
    boolean tagged = false;
    long tag;
    long tagBytes = 0;
    while ((tag = Id3v2.tagBytes(head, 0, n)) >= 0) {
      tagged = true;
      tagBytes += tag;
      try {
        in.skipNBytes(tag);
      } catch (java.io.EOFException e) {
        throw new CorruptAudioException("MP3: truncated ID3 tag", e);
      }
      n = peek(in, head);
    }
    int frame = MpegFrameHeader.findFirstFrame(head, n);
    if (frame < 0) {
      AudioContainer inner = sniff(head, n);
      if (inner != AudioContainer.MP3 && inner != AudioContainer.UNKNOWN) {
        return inner == AudioContainer.WAV
            ? openWav(tools, file, in, preferredRateHz)
            : ffmpeg(tools, inner.name(), file, in, preferredRateHz);
      }
      if (n == 0) {
        throw new CorruptAudioException("MP3: no audio after the ID3 tag");
      }
      throw new CorruptAudioException(
          tagged ? "MP3: no MPEG audio frame after the ID3 tag" : "MP3: no MPEG audio frame");
    }
    MpegFrameHeader header = MpegFrameHeader.parse(head, frame, n);
    if (header.layer() == 3) {
      int shift = Layer3Decoder.downsampleShift(header.sampleRateHz(), preferredRateHz);
      if (shift > 0 || header.version() != MpegFrameHeader.MPEG1) {
        return openLayer3(tools, file, in, tagBytes, frame, shift, preferredRateHz);
      }
      // MPEG-1 at its full rate: an ffmpeg process takes less CPU for a whole song
      try {
        return ffmpeg(tools, "MP3", file, in, preferredRateHz);
      } catch (UnsupportedAudioFormatException ffmpegMissing) {
        return openLayer3(tools, file, in, tagBytes, frame, 0, preferredRateHz);
      }
    }
    try {
      // layers I and II: ffmpeg first; it decodes about ten times faster than javamp3
      return ffmpeg(tools, "MP3", file, in, preferredRateHz);
    } catch (UnsupportedAudioFormatException ffmpegMissing) {
      if (tools.javaMp3() && header.version() == MpegFrameHeader.MPEG1) {
        in.skipNBytes(frame);
        return JavaMp3Decoder.open(in);
      }
      String message =
          tools.javaMp3()
              ? tools.ffmpegMissing(
                  "MP3 audio at " + header.sampleRateHz() + " Hz (" + header.describe() + ")")
              : tools.ffmpegMissing(
                      "MP3 audio without the optional decoder " + DecoderTools.JAVAMP3_COORDINATES)
                  + ", or add "
                  + DecoderTools.JAVAMP3_COORDINATES
                  + " to the class path";
      throw new UnsupportedAudioFormatException(message, ffmpegMissing.getCause());
    }
  }

  /**
   * Layer III in Java, at the native rate divided by {@code 2^shift}: a 5 s clip takes a few
   * milliseconds, less than starting ffmpeg. If the Java decoder rejects the stream, ffmpeg gets it
   * when it can be started (it conceals damaged frames); when a later frame is corrupt, decoding
   * continues in ffmpeg, at the Java decoder's rate, from the same sample ({@link
   * FfmpegFallbackSource}).
   */
  private static PcmSource openLayer3(
      DecoderTools tools,
      Path file,
      BufferedInputStream in,
      long tagBytes,
      int frame,
      int shift,
      int preferredRateHz)
      throws IOException {
    in.mark(MARK_BYTES);
    in.skipNBytes(frame);
    FfmpegFallbackSource.Replayable replayable =
        file == null ? new FfmpegFallbackSource.Replayable(in) : null;
    PcmSource java;
    try {
      java = Layer3Decoder.open(file == null ? replayable : in, tagBytes + frame, shift);
    } catch (CorruptAudioException javaFailed) {
      if (file == null) {
        try {
          in.reset();
        } catch (IOException markLost) {
          throw javaFailed;
        }
      }
      try {
        return ffmpeg(tools, "MP3", file, in, preferredRateHz);
      } catch (UnsupportedAudioFormatException ffmpegMissing) {
        javaFailed.addSuppressed(ffmpegMissing);
        throw javaFailed;
      }
    }
    return file != null
        ? FfmpegFallbackSource.forFile(java, tools, "MP3", file)
        : FfmpegFallbackSource.forStream(java, tools, "MP3", replayable);
  }

  /**
   * Ogg Vorbis in Java, at the native rate divided by {@code 2^shift} as for layer III; ffmpeg
   * when the Java decoder rejects the stream at open, and from the same sample on when a later
   * page or packet is corrupt ({@link FfmpegFallbackSource}).
   */
  private static PcmSource openVorbis(
      DecoderTools tools, Path file, BufferedInputStream in, long nativeRateHz,
      int preferredRateHz)
      throws IOException {
    int shift =
        nativeRateHz > 0 && nativeRateHz <= MAX_SAMPLE_RATE_HZ
            ? Layer3Decoder.downsampleShift((int) nativeRateHz, preferredRateHz)
            : 0;
    FfmpegFallbackSource.Replayable replayable =
        file == null ? new FfmpegFallbackSource.Replayable(in) : null;
    PcmSource java;
    try {
      java = VorbisDecoder.open(file == null ? replayable : in, shift);
    } catch (CorruptAudioException | UnsupportedAudioFormatException javaFailed) {
      try {
        if (file != null) {
          return ffmpeg(tools, "OGG", file, in, preferredRateHz);
        }
        // a copy of what the Java decoder read: headers with cover art can outgrow any mark
        InputStream replay = replayable.replay();
        if (replay == null) {
          throw javaFailed;
        }
        return FfmpegDecoder.open(tools, "OGG", null, replay, preferredRateHz);
      } catch (UnsupportedAudioFormatException ffmpegMissing) {
        if (ffmpegMissing == javaFailed) {
          throw javaFailed;
        }
        javaFailed.addSuppressed(ffmpegMissing);
        throw javaFailed;
      }
    }
    return file != null
        ? FfmpegFallbackSource.forFile(java, tools, "OGG", file)
        : FfmpegFallbackSource.forStream(java, tools, "OGG", replayable);
  }

  private static PcmSource ffmpeg(
      DecoderTools tools, String format, Path file, BufferedInputStream in, int preferredRateHz)
      throws IOException {
    if (file != null) {
      PcmSource source = FfmpegDecoder.open(tools, format, file, null, preferredRateHz);
      in.close(); // ffmpeg reads the file itself
      return source;
    }
    return FfmpegDecoder.open(tools, format, null, in, preferredRateHz);
  }

  /**
   * Refuses a sample rate outside [{@value #MIN_SAMPLE_RATE_HZ}, {@value #MAX_SAMPLE_RATE_HZ}] Hz.
   * Every source {@code open} returns has passed this check (the WAV header is checked before any
   * sample is read, the other decoders' and ffmpeg's output rate as soon as it is known).
   *
   * @param format names the format in the message ({@code "WAV"})
   * @throws UnsupportedAudioFormatException naming the rate and the accepted range
   */
  static void requireServableRate(String format, long rateHz) {
    if (rateHz < MIN_SAMPLE_RATE_HZ || rateHz > MAX_SAMPLE_RATE_HZ) {
      throw new UnsupportedAudioFormatException(format + ": sample rate " + rateHz
          + " Hz is not supported (" + MIN_SAMPLE_RATE_HZ + "-" + MAX_SAMPLE_RATE_HZ + " Hz)");
    }
  }

  /**
   * Stops decoding once more than {@code maxMillis} of audio came out: the next read throws {@link
   * AudioTooLongException}, so an overlong file is refused after decoding the limit, not all of it.
   * The returned source owns {@code source} and closes it.
   */
  public static PcmSource limitDuration(PcmSource source, long maxMillis) {
    return new CountingPcmSource(source, maxMillis);
  }

  /** Reads up to {@code head.length} bytes and rewinds, so no byte is lost. */
  private static int peek(BufferedInputStream in, byte[] head) throws IOException {
    in.mark(head.length);
    int n = in.readNBytes(head, 0, head.length);
    in.reset();
    return n;
  }

  private static UnsupportedAudioFormatException notAudio(byte[] head, int n) {
    if (n == 0) {
      return new UnsupportedAudioFormatException("not audio: empty input");
    }
    StringBuilder sb = new StringBuilder("not audio: unrecognized format (first bytes");
    for (int i = 0; i < Math.min(4, n); i++) {
      sb.append(String.format(" %02x", head[i] & 0xff));
    }
    return new UnsupportedAudioFormatException(sb.append(')').toString());
  }

  private static String ascii(byte[] b, int off) {
    return new String(b, off, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}
