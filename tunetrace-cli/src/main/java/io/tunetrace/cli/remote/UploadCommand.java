package io.tunetrace.cli.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tunetrace.cli.AudioFiles;
import io.tunetrace.cli.Errors;
import io.tunetrace.client.TuneTraceClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tunetrace upload --server URL FILE --title T --artist A}: POST /tracks for one file; and
 * {@code tunetrace upload --server URL FILE|DIR...}: every audio file, titled from its tags (see
 * {@link FolderUpload}).
 */
@Command(name = "upload", mixinStandardHelpOptions = true,
    description = {"Upload tracks to a TuneTrace server.",
        "One FILE with --title and --artist: prints the server's JSON answer.",
        "Files and folders (searched recursively) without --title/--artist: each",
        "file is titled from its tags, else its name (\"Artist - Title.mp3\"),",
        "sent --parallel at a time; what the server already holds is skipped (by",
        "a journal of earlier runs, without sending it, or by the server's",
        "duplicate_of answer); one line per file on stdout, progress on stderr.",
        "Token: --token, else $TUNETRACE_TOKEN, else (server on this machine) one signed with",
        "JWT_SECRET or the embedded server's DATA_DIR/jwt-secret (default ~/.tunetrace/server)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:uploaded or held already (and READY with --wait)", "2:failed"})
public final class UploadCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String NAMED_ONE_FILE = "--title, --artist and --album name a single file; with"
      + " several files or a folder each file is titled from its tags (or its name, \"Artist -"
      + " Title.mp3\"): leave them out";

  @Spec CommandSpec spec;

  @Option(names = "--server", required = true, description = "Server base URL, e.g. http://localhost:8080")
  String server;

  @Option(names = "--title", description = "Track title (one FILE only; then --artist too).")
  String title;

  @Option(names = "--artist", description = "Track artist (one FILE only; then --title too).")
  String artist;

  @Option(names = "--album", description = "Album (optional; one FILE only).")
  String album;

  @Option(names = "--token", description = "Bearer token or API key (default: $TUNETRACE_TOKEN).")
  String token;

  @Option(names = "--wait", description = "Poll until the tracks are READY or FAILED.")
  boolean await;

  @Option(names = "--parallel", paramLabel = "N", defaultValue = "4",
      description = "Uploads at a time, 1-64 (default: ${DEFAULT-VALUE}).")
  int parallel;

  @Option(names = "--json", description = "One JSON line per file: path, status (uploaded|duplicate|"
      + "skipped|failed), id, duplicate_of, error.")
  boolean json;

  @Option(names = "--journal", paramLabel = "FILE", description = "Journal of the files sent"
      + " (default: ~/.tunetrace/uploads/HOST_PORT-HASH.jsonl, one per server).")
  Path journal;

  @Option(names = "--no-journal", description = "Neither read nor write the journal.")
  boolean noJournal;

  @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "Audio files (MP3, WAV, ...) or folders.")
  List<Path> paths;

  @Override
  public Integer call() throws Exception {
    boolean named = title != null || artist != null || album != null;
    if (!named) {
      return many();
    }
    if (paths.size() != 1 || Files.isDirectory(paths.get(0))) {
      err().println("upload: " + NAMED_ONE_FILE);
      return 2;
    }
    if (title == null || artist == null) {
      throw new ParameterException(spec.commandLine(), "Missing required option: '"
          + (title == null ? "--title=<title>" : "--artist=<artist>") + "'");
    }
    if (json) {
      err().println("upload: --json goes with files titled from their tags; with --title and"
          + " --artist the server's answer is printed as it is");
      return 2;
    }
    return one(paths.get(0));
  }

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  private PrintWriter err() {
    return spec.commandLine().getErr();
  }

  private int many() throws Exception {
    if (parallel < 1 || parallel > 64) {
      throw new ParameterException(spec.commandLine(), "--parallel must be 1-64: " + parallel);
    }
    if (journal != null && noJournal) {
      throw new ParameterException(spec.commandLine(), "--journal and --no-journal exclude each other");
    }
    List<Path> files;
    try {
      files = AudioFiles.expand(paths);
    } catch (IOException e) {
      err().println("upload: " + Errors.oneLine(e));
      return 2;
    }
    TuneTraceClient client = new TuneTraceClient(server, Credentials.resolve(token, server));
    Path journalFile = noJournal ? null : journal != null ? journal
        : UploadJournal.defaultFile(Path.of(System.getProperty("user.home")), server);
    UploadJournal open = null;
    if (journalFile != null) {
      try {
        open = UploadJournal.open(journalFile);
      } catch (IOException e) {
        err().println("upload: cannot use the journal " + journalFile + ": " + Errors.oneLine(e)
            + " (--journal FILE or --no-journal)");
        return 2;
      }
    }
    try {
      return new FolderUpload(client, server, open, parallel, await, json, out(), err(),
          UploadProgress.stderrIsTerminal()).run(files);
    } finally {
      if (open != null) {
        open.close();
      }
    }
  }

  /** The one-file form, unchanged: the server's answers as they are. */
  private int one(Path file) throws Exception {
    if (!Files.isRegularFile(file)) {
      err().println("upload: not a file: " + file);
      return 2;
    }
    TuneTraceClient client = new TuneTraceClient(server, Credentials.resolve(token, server));
    TuneTraceClient.Response r;
    try {
      r = client.upload(file, title, artist, album);
    } catch (IOException e) {
      err().println("upload: cannot reach " + server + ": " + e.getMessage());
      return 2;
    }
    out().println(r.body());
    if (r.status() != 201) {
      err().println("upload: server answered " + r.status());
      if (r.status() == 401) {
        err().println("upload: " + Credentials.HINT);
      }
      return 2;
    }
    if (!await) {
      return 0;
    }
    String id = JSON.readTree(r.body()).path("id").asText("");
    if (id.isEmpty()) {
      err().println("upload: the server's answer has no track id");
      return 2;
    }
    for (int i = 0; i < 36_000; i++) {
      TuneTraceClient.Response t = client.get("/tracks/" + id);
      if (t.status() != 200) {
        out().println(t.body());
        err().println("upload: GET /tracks/" + id + " answered " + t.status());
        return 2;
      }
      JsonNode track = JSON.readTree(t.body());
      String status = track.path("status").asText();
      if (status.equals("READY")) {
        out().println(t.body());
        return 0;
      }
      if (status.equals("FAILED")) {
        out().println(t.body());
        return 2;
      }
      Thread.sleep(500);
    }
    err().println("upload: gave up waiting for READY");
    return 2;
  }
}
