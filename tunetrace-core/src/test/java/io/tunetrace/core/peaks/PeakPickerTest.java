package io.tunetrace.core.peaks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
  void aNeighbourhoodNarrowedTowardsTheBassKeepsCloseBassNotes() {
    // Two notes 5 bins apart in the bass and two in the treble, in one frame. With ±12 bins
    // everywhere only the louder of each pair is a peak; with round(bin / 8), at least 3, the bass
    // pair (half-heights 3 at bins 10 and 15) are both peaks, the treble pair (12) still one.
    float[] power = new float[257];
    power[10] = 10;
    power[15] = 8;
    power[150] = 6;
    power[155] = 4;
    Collector wide = new Collector();
    pushOneFrame(new PeakPicker(4, 230, 12, 3, 100, 1000, wide), power);
    assertEquals(List.of(10, 150), wide.peaks.stream().map(p -> p[1]).toList());
    Collector narrow = new Collector();
    pushOneFrame(new PeakPicker(4, 230, bin -> Math.max(3, Math.min(12, Math.round(bin / 8f))), 3,
        100, 1000, narrow), power);
    assertEquals(List.of(10, 15, 150), narrow.peaks.stream().map(p -> p[1]).toList());
    assertTrue(narrow.peaks.stream().allMatch(p -> p[0] == 4));
  }

  @Test
  void refusesABinRadiusThatShrinksUpwards() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PeakPicker(4, 230, bin -> bin < 20 ? 5 : bin < 30 ? 4 : 12, 3, 100, 10,
            new Collector()));
    assertEquals("bin radius must be at least 1 and never decrease: 4 at bin 20", e.getMessage());
  }

  /** Pushes one frame of {@code power} (frame 4) among silent frames. */
  private static void pushOneFrame(PeakPicker picker, float[] power) {
    for (int f = 0; f < 9; f++) {
      picker.pushFrame(f, f == 4 ? power : new float[257]);
    }
    picker.finish();
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
  void densityFilterKeepsTheStrongestCandidatesOfEachSecond() {
    Collector sink = new Collector();
    // 100 frames per second, 4 peaks per second: a candidate survives when fewer than 4 stronger
    // ones lie within half a second (50 frames) on either side.
    PeakPicker picker = new PeakPicker(0, 256, 2, 2, 100, 4, sink);
    float[] strengths = {5, 50, 20, 40, 10, 30}; // frames 0, 10, ..., 50: all within 50 frames
    for (int f = 0; f <= 60; f++) {
      float[] power = new float[257];
      if (f % 10 == 0 && f / 10 < strengths.length) {
        power[10 + f] = strengths[f / 10];
      }
      picker.pushFrame(f, power);
    }
    picker.finish();
    // 5 has five stronger, 10 has four: dropped; 50, 40, 30 and 20 survive.
    assertEquals(List.of("10:20", "20:30", "30:40", "50:60"), names(sink.peaks));
  }

  @Test
  void densityFilterMatchesItsDefinitionOnRandomCandidates() {
    Collector sink = new Collector();
    PeakPicker picker = new PeakPicker(0, 256, 2, 2, 100, 4, sink);
    java.util.Random random = new java.util.Random(1);
    List<int[]> candidates = new ArrayList<>(); // frame, bin
    List<Float> powers = new ArrayList<>();
    for (int f = 0; f < 1000; f++) {
      float[] power = new float[257];
      if (f % 10 == 0) {
        int bin = 10 + random.nextInt(200);
        power[bin] = 1 + random.nextFloat() * 100;
        candidates.add(new int[] {f, bin});
        powers.add(power[bin]);
      }
      picker.pushFrame(f, power);
    }
    picker.finish();
    // The definition, by brute force: fewer than keep = 4 stronger candidates within 50 frames
    // (ties go to the earlier candidate).
    List<int[]> expected = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      int stronger = 0;
      for (int j = 0; j < candidates.size(); j++) {
        if (j != i && Math.abs(candidates.get(j)[0] - candidates.get(i)[0]) <= 50
            && (powers.get(j) > powers.get(i) || (powers.get(j).equals(powers.get(i)) && j < i))) {
          stronger++;
        }
      }
      if (stronger < 4) {
        expected.add(candidates.get(i));
      }
    }
    assertTrue(expected.size() > 20 && expected.size() < candidates.size(), "a filter that filters");
    assertEquals(names(expected), names(sink.peaks));
  }

  private static List<String> names(List<int[]> peaks) {
    return peaks.stream().map(p -> p[0] + ":" + p[1]).toList();
  }
}
