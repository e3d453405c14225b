package io.tunetrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.cli.Evaluation.QueryResult;
import io.tunetrace.core.index.IndexStats;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The report's tallies, tables and JSON from hand-made query results (no audio). */
class EvalReportTest {
  private static QueryResult known(String query, String condition, double length, String got,
      double ms, String error) {
    return new QueryResult(new Manifest.Row(query, "track000.mp3", 10, length, condition, ""),
        got, got == null ? null : 10_000L, got == null ? 0 : 0.5, got == null ? 0 : 12, ms, error);
  }

  private static QueryResult unknown(String query, String condition, double length, String got,
      double ms) {
    return new QueryResult(new Manifest.Row(query, "", 3, length, condition, ""), got,
        got == null ? null : 500L, 0, 0, ms, null);
  }

  private static EvalReport report() {
    List<QueryResult> results = List.of(
        known("track000_5s_clean.wav", "clean", 5, "track000.mp3", 10, null),
        known("track000_5s_clean2.wav", "clean", 5, "track001.wav", 20, null),
        known("track000_3s_clean.wav", "clean", 3, null, 40, null),
        known("track000_3s_pink0.wav", "pink0", 3, null, 1, "not audio"),
        unknown("unknown000_3s_phone.mp3", "phone", 3, "track001.wav", 30),
        unknown("unknown001_3s_phone.mp3", "phone", 3, null, 50),
        unknown("unknown001_5s_clean.wav", "clean", 5, null, 60));
    TrackMetadata meta = new TrackMetadata("t", "", "", "/c/refs/track000.mp3", 3_600_000, "");
    Ingester.Summary summary = new Ingester.Summary(
        List.of(new Ingester.Outcome(Path.of("/c/refs/track000.mp3"), Ingester.Kind.ADDED,
            new Track(1, meta, 900, 0), 3_600_000, 900, null)),
        1_000_000_000L, 10_000_000_000L, 2, Map.of(), 0);
    Evaluation.Library refs = Evaluation.Library.of(Path.of("/c/refs"), summary, Set.of());
    CorpusSplit split = CorpusSplit.of(results.stream().map(QueryResult::row).toList());
    return new EvalReport(Path.of("/c"), split, CorpusSplit.Part.ALL, 7, 0, refs, null,
        new IndexStats(1, 3_600_000, 900, 3600), 0,
        new EvalReport.Cpu(100, 12.5, 2.5, 1.4, 0.35), results);
  }

  @Test
  void separatesWrongTracksNoMatchesAndUnreadableClips() {
    EvalReport r = report();
    assertEquals(new EvalReport.Tally(3, 1, 1, 1, 0), r.tally("clean", null));
    assertEquals(new EvalReport.Tally(2, 1, 1, 0, 0), r.tally("clean", 5.0));
    assertEquals(new EvalReport.Tally(1, 0, 0, 0, 1), r.tally("pink0", null));
    assertEquals(new EvalReport.Tally(4, 1, 1, 1, 1), r.tally(null, null));
    assertEquals(new Proportion(1, 3), r.falsePositives(null, null));
    assertEquals(new Proportion(1, 2), r.falsePositives("phone", 3.0));
    assertEquals(new Proportion(0, 1), r.falsePositives("clean", null));
    assertEquals(Set.of("unknown000"), r.falsePositiveSources());
    assertEquals(2, r.heldOutSources());
  }

  @Test
  void latencyIsSplitByOutcome() {
    EvalReport r = report();
    assertEquals(new EvalReport.Latency(20, 30, 30, 3), r.latency(QueryResult::matched));
    assertEquals(new EvalReport.Latency(50, 60, 60, 3), r.latency(QueryResult::noMatch));
    // The unreadable clip (1 ms) is left out.
    assertEquals(new EvalReport.Latency(30, 60, 60, 6), r.latency(q -> true));
    assertEquals(new EvalReport.Latency(20, 60, 60, 3), r.latency(EvalReport::fiveSecondWav));
  }

  @Test
  void markdownHasEveryCellWithItsCounts() {
    String md = report().markdown();
    assertTrue(md.startsWith("Split: all (1 of 1 refs, 2 of 2 never-indexed sources; 7 of 7"
        + " queries). Every ref is indexed whatever the split.\n\n"), md);
    assertTrue(md.contains("| condition | 3 s | 5 s | all |\n| --- | --- | --- | --- |\n"
        + "| clean | 0.0% (0/1) | 50.0% (1/2) | 33.3% (1/3) |\n"
        + "| pink0 | 0.0% (0/1) | — | 0.0% (0/1) |\n"
        + "| **all** | 0.0% (0/2) | 50.0% (1/2) | 25.0% (1/4) |\n"), md);
    assertTrue(md.contains("| condition | clips | correct | wrong track | no match | unreadable |\n"
        + "| --- | --- | --- | --- | --- | --- |\n"
        + "| clean | 3 | 1 | 1 | 1 | 0 |\n"
        + "| pink0 | 1 | 0 | 0 | 0 | 1 |\n"
        + "| **all** | 4 | 1 | 1 | 1 | 1 |\n"), md);
    assertTrue(md.contains("| condition | 3 s | 5 s | all |\n| --- | --- | --- | --- |\n"
        + "| clean | — | 0.0% (0/1) [0.0–79.3%] | 0.0% (0/1) [0.0–79.3%] |\n"
        + "| phone | 50.0% (1/2) [9.5–90.5%] | — | 50.0% (1/2) [9.5–90.5%] |\n"
        + "| **all** | 50.0% (1/2) [9.5–90.5%] | 0.0% (0/1) [0.0–79.3%]"
        + " | 33.3% (1/3) [6.1–79.2%] |\n"), md);
    assertTrue(md.contains("| false positives, 95% Wilson interval | [6.1–79.2%]; clips with a match:"
        + " 1, from 1 of 2 sources; distinct tracks matched: 1 |"), md);
    assertTrue(md.contains("| ingest CPU, whole process + child processes (/proc/self/stat) |"
        + " 12.50 CPU-s (2.50 in child processes) for 1.00 h of audio added:"
        + " 288× realtime per CPU-second |"), md);
    assertTrue(md.contains("| query CPU, whole process + child processes (/proc/self/stat) |"
        + " 1.40 CPU-s (0.35 in child processes) for 27.0 s of queries:"
        + " 19× realtime per CPU-second; 200.00 CPU-ms per query |"), md);
    assertTrue(md.contains("| query latency p50 / p95 / p99, queries that matched |"
        + " 20.00 ms / 30.00 ms / 30.00 ms (3 queries) |"), md);
    assertTrue(md.contains("| query latency p50 / p95 / p99, queries with no match |"
        + " 50.00 ms / 60.00 ms / 60.00 ms (3 queries) |"), md);
    assertTrue(md.contains("| query latency p50 / p95 / p99, 5 s WAV clips |"
        + " 20.00 ms / 60.00 ms / 60.00 ms (3 queries) |"), md);
  }

  @Test
  void jsonHoldsCellsFalsePositivesLatencyCpuAndIndex() {
    String json = report().json();
    assertTrue(json.startsWith("{\"corpus\": \"/c\", \"split\": {\"part\": \"all\", "), json);
    assertTrue(json.contains("\"cells\": {\"clean\": {"
        + "\"3s\": {\"correct\": 0, \"total\": 1, \"rate\": 0, \"wrong_track\": 0, \"no_match\": 1,"
        + " \"errors\": 0}, "
        + "\"5s\": {\"correct\": 1, \"total\": 2, \"rate\": 0.5, \"wrong_track\": 1, \"no_match\": 0,"
        + " \"errors\": 0}, "
        + "\"all\": {\"correct\": 1, \"total\": 3, \"rate\": 0.333333, \"wrong_track\": 1,"
        + " \"no_match\": 1, \"errors\": 0}}, "), json);
    assertTrue(json.contains("\"all\": {\"3s\": {\"correct\": 0, \"total\": 2, "), json);
    assertTrue(json.contains("\"fp\": {\"count\": 1, \"total\": 3, \"rate\": 0.333333,"
        + " \"ci_low\": 0.061492, \"ci_high\": 0.79234, \"distinct_clips\": 1,"
        + " \"distinct_sources\": 1, \"sources\": 2, \"distinct_tracks\": 1,"
        + " \"clips\": [\"unknown000_3s_phone.mp3\"], \"cells\": {\"clean\": {\"5s\": {\"count\": 0,"
        + " \"total\": 1, \"rate\": 0, \"ci_low\": 0, \"ci_high\": 0.793451}, "), json);
    assertTrue(json.contains("\"latency_ms\": {"
        + "\"all\": {\"p50\": 30, \"p95\": 60, \"p99\": 60, \"count\": 6}, "
        + "\"matched\": {\"p50\": 20, \"p95\": 30, \"p99\": 30, \"count\": 3}, "
        + "\"no_match\": {\"p50\": 50, \"p95\": 60, \"p99\": 60, \"count\": 3}, "
        + "\"wav_5s\": {\"p50\": 20, \"p95\": 60, \"p99\": 60, \"count\": 3}}"), json);
    assertTrue(json.contains("\"cpu\": {\"clock_ticks_per_s\": 100, \"ingest_s\": 12.5,"
        + " \"ingest_child_s\": 2.5, \"ingest_audio_added_s\": 3600,"
        + " \"ingest_realtime_per_cpu_s\": 288, \"query_s\": 1.4, \"query_child_s\": 0.35,"
        + " \"queries\": 7, \"query_audio_s\": 27, \"query_ms_per_query\": 200,"
        + " \"query_realtime_per_cpu_s\": 19.3}"), json);
    assertTrue(json.contains("\"index\": {\"tracks\": 1, \"hours\": 1, \"postings\": 900,"
        + " \"bytes\": 3600, \"bytes_per_hour\": 3600, \"bytes_per_posting\": 4,"
        + " \"other_tracks\": 0, \"refs\": {\"dir\": \"/c/refs\", \"files\": 1, \"tracks\": 1,"
        + " \"added\": 1, \"already_indexed\": 0, \"duplicates\": 0, \"failed\": 0, \"hours\": 1,"
        + " \"postings\": 900}, \"background\": null}"), json);
    assertTrue(json.contains("\"false_positives\": [1, 3]"), json);
    assertTrue(json.endsWith("]}\n"), json);
  }
}
