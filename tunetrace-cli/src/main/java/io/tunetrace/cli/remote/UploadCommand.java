package io.tunetrace.cli.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunetrace.client.TuneTraceClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tunetrace upload --server URL FILE --title T --artist A}: POST /tracks. */
@Command(name = "upload", mixinStandardHelpOptions = true,
    description = {"Upload a track to a TuneTrace server; prints the server's JSON answer.",
        "Token: --token, else $TUNETRACE_TOKEN, else (server on this machine) one signed with",
        "JWT_SECRET or the embedded server's DATA_DIR/jwt-secret (default ~/.tunetrace/server)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:uploaded (and READY with --wait)", "2:failed"})
public final class UploadCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--server", required = true, description = "Server base URL, e.g. http://localhost:8080")
  String server;

  @Option(names = "--title", required = true, description = "Track title.")
  String title;

  @Option(names = "--artist", required = true, description = "Track artist.")
  String artist;

  @Option(names = "--album", description = "Album (optional).")
  String album;

  @Option(names = "--token", description = "Bearer token or API key (default: $TUNETRACE_TOKEN).")
  String token;

  @Option(names = "--wait", description = "Poll until the track is READY or FAILED.")
  boolean await;

  @Parameters(index = "0", paramLabel = "FILE", description = "Audio file (MP3, WAV, ...).")
  Path file;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(file)) {
      System.err.println("upload: not a file: " + file);
      return 2;
    }
    TuneTraceClient client = new TuneTraceClient(server, Credentials.resolve(token, server));
    TuneTraceClient.Response r;
    try {
      r = client.upload(file, title, artist, album);
    } catch (IOException e) {
      System.err.println("upload: cannot reach " + server + ": " + e.getMessage());
      return 2;
    }
    System.out.println(r.body());
    if (r.status() != 201) {
      System.err.println("upload: server answered " + r.status());
      if (r.status() == 401) {
        System.err.println("upload: " + Credentials.HINT);
      }
      return 2;
    }
    if (!await) {
      return 0;
    }
    String id = JSON.readTree(r.body()).path("id").asText("");
    if (id.isEmpty()) {
      System.err.println("upload: the server's answer has no track id");
      return 2;
    }
    for (int i = 0; i < 36_000; i++) {
      TuneTraceClient.Response t = client.get("/tracks/" + id);
      if (t.status() != 200) {
        System.out.println(t.body());
        System.err.println("upload: GET /tracks/" + id + " answered " + t.status());
        return 2;
      }
      JsonNode track = JSON.readTree(t.body());
      String status = track.path("status").asText();
      if (status.equals("READY")) {
        System.out.println(t.body());
        return 0;
      }
      if (status.equals("FAILED")) {
        System.out.println(t.body());
        return 2;
      }
      Thread.sleep(500);
    }
    System.err.println("upload: gave up waiting for READY");
    return 2;
  }
}
