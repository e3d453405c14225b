package io.tunetrace.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Makes the project's own sample music in {@code samples/}: short deterministic pieces with a
 * melody, chords, a bass line and percussion, each in its own key, scale, tempo and timbre. WAV
 * pieces are written directly (16-bit mono 22.05 kHz); MP3 pieces are rendered at 44.1 kHz and
 * encoded with ffmpeg's libmp3lame (MPEG-1 Layer III, 64 kbps).
 *
 * <p>Run: {@code java tunetrace-cli/src/test/java/io/tunetrace/cli/SampleGenerator.java samples}
 */
public final class SampleGenerator {
  /**
   * One piece.
   *
   * @param name file name without extension (also the title)
   * @param seed random seed of the melody, rhythm and mix
   * @param bpm tempo
   * @param rootMidi key: MIDI note number of the tonic
   * @param scale semitone steps of the scale from the tonic
   * @param harmonics relative amplitudes of the melody instrument's partials
   * @param seconds duration
   * @param mp3 whether to encode as MP3 (else WAV)
   */
  record Piece(String name, long seed, double bpm, int rootMidi, int[] scale, double[] harmonics,
      double seconds, boolean mp3) {}

  static final int[] MAJOR = {0, 2, 4, 5, 7, 9, 11};
  static final int[] MINOR = {0, 2, 3, 5, 7, 8, 10};
  static final int[] DORIAN = {0, 2, 3, 5, 7, 9, 10};
  static final int[] MIXOLYDIAN = {0, 2, 4, 5, 7, 9, 10};

  static final List<Piece> PIECES = List.of(
      new Piece("amber-steps", 11, 112, 57, MAJOR, new double[] {1, 0.5, 0.33, 0.25, 0.2}, 22, false),
      new Piece("blue-lantern", 23, 84, 62, MINOR, new double[] {1, 0.1, 0.4, 0.05, 0.2, 0.05}, 26, true),
      new Piece("copper-kite", 37, 132, 52, MIXOLYDIAN, new double[] {1, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1}, 24, true),
      new Piece("dune-signal", 41, 98, 60, DORIAN, new double[] {1, 0.3, 0.1}, 28, true),
      new Piece("ember-tide", 53, 120, 55, MINOR, new double[] {1, 0, 0.33, 0, 0.2, 0, 0.14}, 25, true));

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "samples");
    Files.createDirectories(out);
    for (Piece piece : PIECES) {
      if (piece.mp3()) {
        Path wav = Files.createTempFile("tunetrace-sample-", ".wav");
        try {
          writeWav(wav, render(piece, 44100), 44100);
          Path mp3 = out.resolve(piece.name() + ".mp3");
          Process p = new ProcessBuilder(List.of("ffmpeg", "-v", "error", "-y", "-i", wav.toString(),
              "-c:a", "libmp3lame", "-b:a", "64k", "-ar", "44100", "-ac", "1",
              "-metadata", "title=" + title(piece.name()), "-metadata", "artist=TuneTrace samples",
              mp3.toString())).inheritIO().start();
          if (p.waitFor() != 0) {
            throw new IOException("ffmpeg failed for " + piece.name());
          }
        } finally {
          Files.deleteIfExists(wav);
        }
      } else {
        writeWav(out.resolve(piece.name() + ".wav"), render(piece, 22050), 22050,
            title(piece.name()), "TuneTrace samples");
      }
      System.out.println("wrote " + piece.name());
    }
  }

  private static byte[] infoChunk(String title, String artist) {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.writeBytes("INFO".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    subChunk(body, "INAM", title);
    subChunk(body, "IART", artist);
    ByteBuffer list = ByteBuffer.allocate(8 + body.size()).order(ByteOrder.LITTLE_ENDIAN);
    list.put("LIST".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(body.size())
        .put(body.toByteArray());
    return list.array();
  }

  private static void subChunk(java.io.ByteArrayOutputStream out, String id, String text) {
    byte[] value = (text + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    head.put(id.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(value.length);
    out.writeBytes(head.array());
    out.writeBytes(value);
    if (value.length % 2 == 1) {
      out.write(0);
    }
  }

  static String title(String name) {
    StringBuilder b = new StringBuilder();
    for (String word : name.split("-")) {
      b.append(b.length() == 0 ? "" : " ")
          .append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
    }
    return b.toString();
  }

  static double midiHz(double midi) {
    return 440 * Math.pow(2, (midi - 69) / 12);
  }

  /** Renders the piece as mono samples in [-1, 1]. */
  static float[] render(Piece piece, int rate) {
    Random random = new Random(piece.seed());
    int n = (int) (piece.seconds() * rate);
    double[] mix = new double[n];
    double beat = 60.0 / piece.bpm();
    int[] scale = piece.scale();
    // A four-chord progression on scale degrees, chosen per piece.
    int[][] progressions = {{0, 5, 3, 4}, {0, 3, 4, 0}, {0, 4, 5, 3}, {5, 3, 0, 4}, {0, 2, 3, 4}};
    int[] progression = progressions[random.nextInt(progressions.length)];
    int bars = (int) Math.ceil(piece.seconds() / (4 * beat));
    for (int bar = 0; bar < bars; bar++) {
      int degree = progression[bar % 4];
      double barStart = bar * 4 * beat;
      // Chord pad: triad on the degree, soft partials, whole bar.
      for (int k = 0; k < 3; k++) {
        int d = degree + 2 * k;
        double midi = piece.rootMidi() - 12 + scale[d % 7] + 12 * (d / 7);
        addNote(mix, rate, barStart, 4 * beat, midiHz(midi), new double[] {1, 0.3, 0.1}, 0.05, 0.3, 0.4);
      }
      // Bass on every beat.
      for (int b = 0; b < 4; b++) {
        double midi = piece.rootMidi() - 24 + scale[degree % 7];
        addNote(mix, rate, barStart + b * beat, beat * 0.9, midiHz(midi), new double[] {1, 0.5, 0.2}, 0.01, 0.15, 0.2);
      }
      // Arpeggio: chord tones two octaves up, in sixteenths.
      for (int s16 = 0; s16 < 16; s16++) {
        int d = degree + 2 * (s16 % 3) + (s16 % 4 == 3 ? 7 : 0);
        double midi = piece.rootMidi() + 12 + scale[d % 7] + 12 * (d / 7);
        addNote(mix, rate, barStart + s16 * beat / 4, beat / 4, midiHz(midi), new double[] {1, 0.4, 0.2, 0.1}, 0.005, 0.08, 0.18);
      }
      // Percussion: kick on 1 and 3, snare on 2 and 4, hi-hat on eighths.
      for (int b = 0; b < 4; b++) {
        double t = barStart + b * beat;
        if (b % 2 == 0) {
          addKick(mix, rate, t);
        } else {
          addNoiseBurst(mix, rate, t, 0.18, 0.25, 0.5, random);
        }
        addNoiseBurst(mix, rate, t, 0.04, 0.12, 0.95, random);
        addNoiseBurst(mix, rate, t + beat / 2, 0.04, 0.08, 0.95, random);
      }
    }
    // Melody: a random walk on the scale with varied note lengths.
    double[] lengths = {0.5, 0.5, 1, 1, 1.5, 2, 0.25, 0.25};
    int step = 7 + random.nextInt(5);
    for (double t = 0; t < piece.seconds(); ) {
      double len = lengths[random.nextInt(lengths.length)] * beat;
      step = Math.max(0, Math.min(20, step + random.nextInt(7) - 3));
      if (random.nextDouble() > 0.12) {
        double midi = piece.rootMidi() + scale[step % 7] + 12 * (step / 7) + 5;
        addNote(mix, rate, t, len * 0.95, midiHz(midi), piece.harmonics(), 0.01, len * 0.6, 0.45);
      }
      t += len;
    }
    double peak = 1e-9;
    for (double v : mix) {
      peak = Math.max(peak, Math.abs(v));
    }
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (0.89 * mix[i] / peak);
    }
    return out;
  }

  /** A note with partials, a linear attack and an exponential decay. */
  static void addNote(double[] mix, int rate, double start, double length, double hz,
      double[] harmonics, double attack, double decay, double gain) {
    int from = (int) (start * rate);
    int to = Math.min(mix.length, (int) ((start + length) * rate));
    for (int i = from; i < to; i++) {
      double t = (i - from) / (double) rate;
      double env = Math.min(1, t / attack) * Math.exp(-t / Math.max(0.05, decay));
      double release = Math.min(1, (to - i) / (0.01 * rate));
      double v = 0;
      for (int h = 0; h < harmonics.length; h++) {
        double f = hz * (h + 1);
        if (f < rate / 2.0 - 200) {
          v += harmonics[h] * Math.sin(2 * Math.PI * f * t);
        }
      }
      mix[i] += gain * env * release * v / harmonics.length;
    }
  }

  static void addKick(double[] mix, int rate, double start) {
    int from = (int) (start * rate);
    int to = Math.min(mix.length, from + (int) (0.25 * rate));
    double phase = 0;
    for (int i = from; i < to; i++) {
      double t = (i - from) / (double) rate;
      double hz = 50 + 90 * Math.exp(-t / 0.04);
      phase += 2 * Math.PI * hz / rate;
      mix[i] += 0.4 * Math.exp(-t / 0.08) * Math.sin(phase);
    }
  }

  /** Noise with a one-pole high-pass ({@code brightness} near 1 = hiss), decaying. */
  static void addNoiseBurst(double[] mix, int rate, double start, double length, double gain,
      double brightness, Random random) {
    int from = (int) (start * rate);
    int to = Math.min(mix.length, from + (int) (length * rate));
    double prev = 0;
    for (int i = from; i < to; i++) {
      double t = (i - from) / (double) rate;
      double white = random.nextDouble() * 2 - 1;
      double high = white - brightness * prev;
      prev = white;
      mix[i] += gain * Math.exp(-t / (length / 4)) * high;
    }
  }

  static void writeWav(Path file, float[] samples, int rate) throws IOException {
    writeWav(file, samples, rate, null, null);
  }

  /** A 16-bit mono WAV; with a title, a LIST/INFO chunk (INAM, IART) precedes the data. */
  static void writeWav(Path file, float[] samples, int rate, String title, String artist)
      throws IOException {
    byte[] info = title == null ? new byte[0] : infoChunk(title, artist);
    ByteBuffer b = ByteBuffer.allocate(44 + info.length + samples.length * 2)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .putInt(36 + info.length + samples.length * 2)
        .put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16)
        .putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
        .putShort((short) 2).putShort((short) 16)
        .put(info)
        .put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(samples.length * 2);
    for (float s : samples) {
      b.putShort((short) Math.round(Math.max(-1, Math.min(1, s)) * 32767));
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(b.array());
    }
  }
}
