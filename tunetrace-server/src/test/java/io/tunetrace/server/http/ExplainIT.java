package io.tunetrace.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunetrace.core.explain.ExplanationPicture;
import io.tunetrace.server.TuneTraceServer;
import io.tunetrace.server.support.ApiClient;
import io.tunetrace.server.support.Samples;
import io.tunetrace.server.support.ServerFixture;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code POST /explain} in full mode: the reference half is decoded from the track's S3 object. */
@Timeout(180)
class ExplainIT {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<byte[]> post(int port, String query, byte[] clip, String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/explain" + query))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "audio/wav")
        .POST(HttpRequest.BodyPublishers.ofByteArray(clip));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void drawsTheMatchWithTheReferenceFromObjectStorageAsSvgOrPng() throws Exception {
    try (ServerFixture fx = new ServerFixture()) {
      TuneTraceServer server = fx.start(fx.env());
      String token = ServerFixture.token();
      ApiClient api = new ApiClient(server.port(), token);
      ApiClient.Reply up = api.upload("/tracks", Map.of("title", "Dune Signal", "artist", "Samples"),
          "dune-signal.mp3", Files.readAllBytes(Samples.file("dune-signal.mp3")), "audio/mpeg");
      assertEquals(201, up.status(), up.body().toString());
      assertEquals("READY", api.awaitStatus(up.body().path("id").asText(), 60_000, "READY", "FAILED")
          .path("status").asText());
      Path dir = Files.createTempDirectory("tt-explain");
      try {
        byte[] clip = Files.readAllBytes(Samples.noisyClip("dune-signal.mp3", 9, 6, 12, 4, dir));

        HttpResponse<byte[]> svg = post(server.port(), "", clip, token);
        assertEquals(200, svg.statusCode(), new String(svg.body(), StandardCharsets.UTF_8));
        assertEquals("image/svg+xml; charset=utf-8", svg.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("true", svg.headers().firstValue("X-TuneTrace-Accepted").orElseThrow());
        String text = new String(svg.body(), StandardCharsets.UTF_8);
        assertTrue(text.contains("Match: Dune Signal by Samples"), text.substring(0, 600));
        // Two spectrograms: the clip's, and the track's read back from S3.
        assertEquals(2, text.split("class=\"spectrogram\"", -1).length - 1);
        assertTrue(text.contains("class=\"bar winning\""));

        HttpResponse<byte[]> png = post(server.port(), "?format=png", clip, token);
        assertEquals(200, png.statusCode());
        assertEquals("image/png", png.headers().firstValue("Content-Type").orElseThrow());
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png.body()));
        assertEquals(ExplanationPicture.WIDTH, img.getWidth());
        assertEquals(ExplanationPicture.HEIGHT, img.getHeight());

        HttpResponse<byte[]> jpeg = post(server.port(), "?format=jpeg", clip, token);
        assertEquals(400, jpeg.statusCode());
        assertEquals("{\"ok\":false,\"error\":{\"code\":\"invalid_request\",\"message\":\"format must be svg or png: jpeg\"}}",
            new String(jpeg.body(), StandardCharsets.UTF_8));
        assertEquals(401, post(server.port(), "", clip, null).statusCode());
        assertEquals(415, post(server.port(), "", "not audio at all".repeat(100)
            .getBytes(StandardCharsets.UTF_8), token).statusCode());
      } finally {
        ServerFixture.deleteTree(dir);
      }
    }
  }
}
