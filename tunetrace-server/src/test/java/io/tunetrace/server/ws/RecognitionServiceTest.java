package io.tunetrace.server.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunetrace.core.SameRecording;
import io.tunetrace.core.index.Track;
import io.tunetrace.core.index.TrackMetadata;
import io.tunetrace.server.db.TrackRow;
import io.tunetrace.server.db.TrackStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The wire form of the other copies of a matched recording. */
class RecognitionServiceTest {
  private static final UUID REMASTER = UUID.fromString("00000000-0000-0000-0000-00000000000a");
  private static final UUID LIVE = UUID.fromString("00000000-0000-0000-0000-00000000000b");

  private static Track indexed(int id, String s3Key) {
    return new Track(id, new TrackMetadata("t" + id, "", "", s3Key, 60_000, ""), 100, 0);
  }

  private static TrackRow row(UUID id, String title, String s3Key) {
    return new TrackRow(id, title, "Band", "", s3Key, "audio/mpeg", 1000, "", TrackStatus.READY,
        1, null, 60_000L, 100L, 1, null, null);
  }

  @Test
  void copiesCarryPublicIdsAndStreamRelativeOffsetsAndSkipDeletedRows() throws Exception {
    Map<String, TrackRow> rows = Map.of(
        "tracks/a.flac", row(REMASTER, "Blue (remaster)", "tracks/a.flac"),
        "tracks/b.mp3", row(LIVE, "Blue \"live\"", "tracks/b.mp3"));
    List<String> asked = new ArrayList<>();
    List<Map<String, Object>> copies = RecognitionService.sameRecording(
        List.of(new SameRecording(indexed(7, "tracks/a.flac"), 12_345, 0.91234),
            new SameRecording(indexed(8, "tracks/deleted.wav"), 500, 0.8),
            new SameRecording(indexed(9, "tracks/b.mp3"), 95_000, 0.6)),
        (indexId, s3Key) -> {
          asked.add(indexId + " " + s3Key);
          return Optional.ofNullable(rows.get(s3Key));
        },
        2000);
    assertEquals(List.of("7 tracks/a.flac", "8 tracks/deleted.wav", "9 tracks/b.mp3"), asked);
    assertEquals("[{\"track_id\":\"00000000-0000-0000-0000-00000000000a\",\"title\":\"Blue (remaster)\","
        + "\"artist\":\"Band\",\"path\":\"tracks/a.flac\",\"delta_ms\":10345,\"score\":0.912},"
        + "{\"track_id\":\"00000000-0000-0000-0000-00000000000b\",\"title\":\"Blue \\\"live\\\"\","
        + "\"artist\":\"Band\",\"path\":\"tracks/b.mp3\",\"delta_ms\":93000,\"score\":0.6}]",
        new ObjectMapper().writeValueAsString(copies));
  }

  @Test
  void noCopiesIsAnEmptyArray() throws Exception {
    assertEquals("[]", new ObjectMapper().writeValueAsString(
        RecognitionService.sameRecording(List.of(), (id, key) -> Optional.empty(), 0)));
  }
}
