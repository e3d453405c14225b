package io.tunetrace.core.peaks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeakPickerTest {
  /** Collects peaks and checks that advanceTo never goes back. */
  static final class Collector implements PeakSink {
    final List<int[]> peaks = new ArrayList<>();
    int advanced;
    boolean finished;

    @Override
    public void peak(int frame, int bin, float strengthDb) {
      assertTrue(frame >= advanced, "peak at " + frame + " after advanceTo " + advanced);
      peaks.add(new int[] {frame, bin});
    }

    @Override
    public void advanceTo(int frame) {
      assertTrue(frame >= advanced);
      advanced = frame;
    }

    @Override
    public void finish() {
      finished = true;
    }
  }

  @Test
  void findsIsolatedPeaksOfAGrid() {
    Collector sink = new Collector();
    PeakPicker picker = new PeakPicker(0, 256, 5, 5, 100, 1000, sink);
    int frames = 100;
    for (int f = 0; f < frames; f++) {
      float[] power = new float[257];
      if (f % 20 == 10) {
        power[40 + f] = 10;
        power[200 - f] = 5;
      }
      picker.pushFrame(f, power);
    }
    picker.finish();
    assertTrue(sink.finished);
    List<int[]> expected = new ArrayList<>();
    for (int f = 10; f < frames; f += 20) {
      expected.add(new int[] {f, Math.min(40 + f, 200 - f)});
      expected.add(new int[] {f, Math.max(40 + f, 200 - f)});
    }
    assertEquals(expected.size(), sink.peaks.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i)[0], sink.peaks.get(i)[0]);
      assertEquals(expected.get(i)[1], sink.peaks.get(i)[1]);
    }
  }

  @Test
  void silenceHasNoPeaks() {
    Collector sink = new Collector();
    PeakPicker picker = new PeakPicker(0, 256, 5, 5, 100, 30, sink);
    for (int f = 0; f < 300; f++) {
      picker.pushFrame(f, new float[257]);
    }
    picker.finish();
    assertEquals(0, sink.peaks.size());
  }

  @Test
  void densityFilterKeepsTheStrongestPerSecond() {
    Collector sink = new Collector();
    // 100 frames per second, ask for 4 peaks per second: candidates every 10 frames.
    PeakPicker picker = new PeakPicker(0, 256, 2, 2, 100, 4, sink);
    java.util.Random random = new java.util.Random(1);
    for (int f = 0; f < 1000; f++) {
      float[] power = new float[257];
      if (f % 10 == 0) {
        power[10 + random.nextInt(200)] = 1 + random.nextFloat() * 100;
      }
      picker.pushFrame(f, power);
    }
    picker.finish();
    // 100 candidates over 10 s; about 4 per second survive.
    assertTrue(sink.peaks.size() >= 30 && sink.peaks.size() <= 50, "kept " + sink.peaks.size());
  }
}
