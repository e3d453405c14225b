package io.tunetrace.core.bench;

import io.tunetrace.core.audio.AudioDecoders;
import io.tunetrace.core.audio.PcmSource;
import io.tunetrace.core.audio.Resampler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time (not wall time) per second of input audio for WAV decoding, resampling and phone-quality
 * MP3 decoding (needs ffmpeg to make the clip), for machines
 * too busy for JMH's wall-clock scores to mean much. Run with {@code java -cp ...
 * io.tunetrace.core.bench.AudioCpuTime}; it prints the median of 10 runs after 10 warm-up runs.
 */
public final class AudioCpuTime {
  private AudioCpuTime() {}

  interface Work {
    long run() throws IOException;
  }

  public static void main(String[] args) throws IOException {
    int seconds = DecodeBenchmark.SECONDS;
    byte[] wav = DecodeBenchmark.stereoWav(seconds, 44100);
    float[] pcm44 = new float[seconds * 44100];
    float[] pcm48 = new float[seconds * 48000];
    java.util.Random random = new java.util.Random(3);
    for (int i = 0; i < pcm44.length; i++) {
      pcm44[i] = (float) (random.nextGaussian() * 0.1);
    }
    for (int i = 0; i < pcm48.length; i++) {
      pcm48[i] = (float) (random.nextGaussian() * 0.1);
    }
    float[] buffer = new float[4096];
    report("WAV 16-bit stereo 44.1 kHz decode", seconds, () -> drain(
        AudioDecoders.open(new ByteArrayInputStream(wav)), buffer));
    report("WAV decode + resample to 16 kHz", seconds, () -> drain(
        Resampler.resample(AudioDecoders.open(new ByteArrayInputStream(wav)), 16000), buffer));
    report("resample 44100 -> 16000 (array)", seconds,
        () -> Resampler.resample(pcm44, 44100, 16000).length);
    report("resample 48000 -> 16000 (array)", seconds,
        () -> Resampler.resample(pcm48, 48000, 16000).length);
    byte[] phone;
    try {
      phone = DecodeBenchmark.phoneMp3(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    report("MP3 MPEG-2.5 8 kHz 32 kbps 5 s, in Java", 5, () -> drain(
        AudioDecoders.open(new ByteArrayInputStream(phone)), buffer));
  }

  private static long drain(PcmSource source, float[] buffer) throws IOException {
    long n = 0;
    try (source) {
      int r;
      while ((r = source.read(buffer, 0, buffer.length)) > 0) {
        n += r;
      }
    }
    return n;
  }

  private static void report(String name, int seconds, Work work) throws IOException {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long[] cpu = new long[10];
    long sink = 0;
    for (int i = 0; i < 20; i++) {
      long t0 = mx.getCurrentThreadCpuTime();
      sink += work.run();
      long t1 = mx.getCurrentThreadCpuTime();
      if (i >= 10) {
        cpu[i - 10] = t1 - t0;
      }
    }
    java.util.Arrays.sort(cpu);
    double nsPerSecond = cpu[5] / (double) seconds;
    System.out.printf(
        "%-40s %10.0f ns CPU per input second  %7.0fx realtime  %8.3f ms CPU per run  (%d)%n",
        name, nsPerSecond, 1e9 / nsPerSecond, cpu[5] / 1e6, sink % 10);
  }
}
