package io.tunetrace.core.spectrum;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StftTest {
  @Test
  void chunkedInputGivesTheSameFramesAsOneBlock() {
    int n = 20000;
    float[] signal = new float[n];
    for (int i = 0; i < n; i++) {
      signal[i] = (float) Math.sin(i * 0.05) * (float) Math.cos(i * 0.0031);
    }
    List<float[]> whole = new ArrayList<>();
    new Stft(512, 128, (i, p) -> whole.add(p.clone())).push(signal, 0, n);
    List<float[]> chunked = new ArrayList<>();
    Stft stft = new Stft(512, 128, (i, p) -> chunked.add(p.clone()));
    for (int off = 0; off < n; off += 333) {
      stft.push(signal, off, Math.min(333, n - off));
    }
    assertEquals(Stft.frameCount(n, 512, 128), whole.size());
    assertEquals(whole.size(), chunked.size());
    for (int f = 0; f < whole.size(); f++) {
      for (int k = 0; k < whole.get(f).length; k++) {
        assertEquals(whole.get(f)[k], chunked.get(f)[k], 1e-6f);
      }
    }
  }

  @Test
  void toneAtOneKilohertzPeaksInTheExpectedBin() {
    int rate = 16000;
    float[] signal = new float[rate];
    for (int i = 0; i < rate; i++) {
      signal[i] = (float) Math.sin(2 * Math.PI * 1000 * i / rate);
    }
    int[] best = new int[1];
    new Stft(1024, 128, (i, p) -> {
      int b = 0;
      for (int k = 1; k < p.length; k++) {
        if (p[k] > p[b]) {
          b = k;
        }
      }
      best[0] = b;
    }).push(signal, 0, signal.length);
    assertEquals(64, best[0]); // 1000 Hz / (16000 Hz / 1024) = 64
  }

  @Test
  void shorterThanOneFrameGivesNoFrames() {
    assertEquals(0, Stft.frameCount(1023, 1024, 128));
    assertEquals(1, Stft.frameCount(1024, 1024, 128));
    assertEquals(2, Stft.frameCount(1152, 1024, 128));
  }
}
