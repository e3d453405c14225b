package io.tunetrace.cli.remote;

import io.tunetrace.server.client.TuneTraceClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tunetrace upload --server URL FILE --title T --artist A}: POST /tracks. */
@Command(name = "upload", mixinStandardHelpOptions = true,
    description = "Upload a track to a TuneTrace server; prints the server's JSON answer.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:uploaded (and READY with --wait)", "2:failed"})
public final class UploadCommand implements Callable<Integer> {
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
    String credential = token != null ? token : System.getenv("TUNETRACE_TOKEN");
    TuneTraceClient client = new TuneTraceClient(server, credential);
    TuneTraceClient.Response r;
    try {
      r = client.upload(file, title, artist, album);
    } catch (java.io.IOException e) {
      System.err.println("upload: cannot reach " + server + ": " + e.getMessage());
      return 2;
    }
    System.out.println(r.body());
    if (r.status() != 201) {
      System.err.println("upload: server answered " + r.status());
      return 2;
    }
    if (!await) {
      return 0;
    }
    String id = r.body().replaceAll("(?s).*\"id\"\\s*:\\s*\"([^\"]+)\".*", "$1");
    for (int i = 0; i < 36_000; i++) {
      TuneTraceClient.Response t = client.get("/tracks/" + id);
      if (t.body().contains("\"status\":\"READY\"")) {
        System.out.println(t.body());
        return 0;
      }
      if (t.body().contains("\"status\":\"FAILED\"")) {
        System.out.println(t.body());
        return 2;
      }
      Thread.sleep(500);
    }
    System.err.println("upload: gave up waiting for READY");
    return 2;
  }
}
