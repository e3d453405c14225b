package io.tunetrace.cli.remote;

import io.tunetrace.server.client.TuneTraceClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tunetrace recognize --server URL FILE}: sends the clip over the WebSocket (or HTTP with
 * {@code --http}) and prints the server's JSON answer.
 */
@Command(name = "recognize", mixinStandardHelpOptions = true,
    description = "Recognize a clip with a TuneTrace server over its WebSocket; prints its JSON answer.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:matched", "1:no match", "2:error"})
public final class RecognizeCommand implements Callable<Integer> {
  @Option(names = "--server", required = true, description = "Server base URL, e.g. http://localhost:8080")
  String server;

  @Option(names = "--token", description = "Bearer token or API key (default: $TUNETRACE_TOKEN).")
  String token;

  @Option(names = "--http", description = "Use POST /recognize instead of the WebSocket.")
  boolean http;

  @Option(names = "--timeout", defaultValue = "60", description = "Seconds to wait (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Parameters(index = "0", paramLabel = "FILE", description = "Clip (WAV, MP3, ...).")
  Path file;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(file)) {
      System.err.println("recognize: not a file: " + file);
      return 2;
    }
    byte[] clip = Files.readAllBytes(file);
    TuneTraceClient client = new TuneTraceClient(server,
        token != null ? token : System.getenv("TUNETRACE_TOKEN"));
    String answer;
    try {
      if (http) {
        TuneTraceClient.Response r = client.recognizeHttp(clip);
        answer = r.body();
      } else {
        answer = client.recognizeWebSocket(clip, Duration.ofSeconds(timeoutSeconds));
      }
    } catch (java.io.IOException e) {
      System.err.println("recognize: " + e.getMessage());
      return 2;
    }
    System.out.println(answer);
    return exitCode(answer);
  }

  /** 0 for a match, 1 for {@code "match": null}, 2 for an error answer. */
  static int exitCode(String answer) {
    if (!answer.contains("\"ok\":true")) {
      return 2;
    }
    return answer.contains("\"match\":null") ? 1 : 0;
  }
}
