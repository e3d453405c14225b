package io.tunetrace.cli.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunetrace.client.TuneTraceClient;
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
    description = {"Recognize a clip with a TuneTrace server over its WebSocket; prints its JSON answer.",
        "Token: --token, else $TUNETRACE_TOKEN, else (server on this machine) one signed with",
        "JWT_SECRET or the embedded server's DATA_DIR/jwt-secret (default ~/.tunetrace/server)."},
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
    TuneTraceClient client = new TuneTraceClient(server, Credentials.resolve(token, server));
    String answer;
    try {
      if (http) {
        TuneTraceClient.Response r = client.recognizeHttp(clip);
        answer = r.body();
        if (r.status() == 401) {
          System.out.println(answer);
          System.err.println("recognize: " + Credentials.HINT);
          return 2;
        }
      } else {
        answer = client.recognizeWebSocket(clip, Duration.ofSeconds(timeoutSeconds));
      }
    } catch (java.io.IOException e) {
      System.err.println("recognize: " + e.getMessage());
      if (e.getMessage() != null && e.getMessage().startsWith("server refused the WebSocket: HTTP 401")) {
        System.err.println("recognize: " + Credentials.HINT);
      }
      return 2;
    }
    System.out.println(answer);
    return exitCode(answer);
  }

  /** 0 for {@code "ok": true} with a match, 1 for {@code "match": null}, 2 otherwise. */
  static int exitCode(String answer) {
    JsonNode json;
    try {
      json = new ObjectMapper().readTree(answer);
    } catch (JsonProcessingException e) {
      return 2;
    }
    if (json == null || !json.path("ok").asBoolean(false)) {
      return 2;
    }
    JsonNode match = json.get("match");
    return match == null || match.isNull() ? 1 : 0;
  }
}
