package io.tunetrace.cli.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunetrace.cli.Errors;
import io.tunetrace.cli.JsonOutput;
import io.tunetrace.client.TuneTraceClient;
import io.tunetrace.core.TuneTrace;
import io.tunetrace.core.index.TrackMetadata;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The many-files form of {@code tunetrace upload}: each file titled from its tags (or its name),
 * sent on {@code parallel} threads, with what the server already holds skipped — by the journal
 * of earlier runs without sending anything, by the server's {@code duplicate_of} answer
 * otherwise. One line per file on stdout (JSON with {@code --json}), progress on stderr. One
 * instance serves one run; not thread-safe.
 */
final class FolderUpload {
  /** Title and artist the server accepts: at most this many code points. */
  static final int MAX_FIELD_CODE_POINTS = 200;
  /** The artist sent when neither the tags nor the file name ("Artist - Title.mp3") give one. */
  static final String UNKNOWN_ARTIST = "Unknown artist";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long WAIT_POLL_MILLIS = 500;
  private static final long WAIT_LIMIT_MILLIS = 5 * 3600 * 1000L;

  /** What became of one file. {@code status}: uploaded, duplicate, skipped or failed. */
  record Outcome(Path path, String status, String id, String duplicateOf, String error, long bytes,
      String trackStatus) {
    boolean failed() {
      return status.equals("failed");
    }

    Outcome failedWith(String message) {
      return new Outcome(path, "failed", id, duplicateOf, message, bytes, trackStatus);
    }

    Outcome withTrackStatus(String s) {
      return new Outcome(path, status, id, duplicateOf, error, bytes, s);
    }
  }

  private final TuneTraceClient client;
  private final String server;
  private final UploadJournal journal;
  private final int parallel;
  private final boolean await;
  private final boolean json;
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean terminal;
  private final AtomicBoolean unauthorized = new AtomicBoolean();
  private UploadProgress progress;

  FolderUpload(TuneTraceClient client, String server, UploadJournal journal, int parallel,
      boolean await, boolean json, PrintWriter out, PrintWriter err, boolean terminal) {
    if (parallel < 1) {
      throw new IllegalArgumentException("parallel < 1: " + parallel);
    }
    this.client = client;
    this.server = server;
    this.journal = journal;
    this.parallel = parallel;
    this.await = await;
    this.json = json;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  /** Uploads {@code files}; 0 when every one was uploaded or skipped as held already, else 2. */
  int run(List<Path> files) throws InterruptedException {
    long totalBytes = 0;
    for (Path f : files) {
      totalBytes += sizeOf(f);
    }
    progress = new UploadProgress(err, terminal, files.size(), totalBytes);
    ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
      Thread t = new Thread(r, "upload");
      t.setDaemon(true);
      return t;
    });
    List<Outcome> outcomes = new ArrayList<>();
    try {
      List<Future<Outcome>> futures = new ArrayList<>();
      for (Path f : files) {
        futures.add(pool.submit(() -> {
          Outcome o = send(f);
          progress.fileDone(o.bytes(), o.failed());
          if (!await) {
            print(o);
          }
          return o;
        }));
      }
      for (int i = 0; i < futures.size(); i++) {
        try {
          outcomes.add(futures.get(i).get());
        } catch (ExecutionException e) {
          Outcome o = new Outcome(files.get(i), "failed", null, null, Errors.oneLine(e.getCause()), 0, null);
          print(o);
          outcomes.add(o);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    if (await) {
      outcomes = awaitAll(outcomes, progress);
      for (Outcome o : outcomes) {
        print(o);
      }
    }
    progress.close();
    if (unauthorized.get()) {
      err.println("upload: " + Credentials.HINT);
    }
    int failed = (int) outcomes.stream().filter(Outcome::failed).count();
    err.println("upload: " + outcomes.size() + " files: "
        + count(outcomes, "uploaded") + " uploaded, " + count(outcomes, "duplicate") + " duplicate, "
        + count(outcomes, "skipped") + " skipped, " + failed + " failed");
    err.flush();
    out.flush();
    return failed == 0 ? 0 : 2;
  }

  private static long count(List<Outcome> outcomes, String status) {
    return outcomes.stream().filter(o -> o.status().equals(status)).count();
  }

  private static long sizeOf(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Hashes, checks the journal, uploads. Never throws for one file's failure. */
  Outcome send(Path file) throws InterruptedException {
    long bytes = sizeOf(file);
    Outcome failed = new Outcome(file, "failed", null, null, null, bytes, null);
    if (unauthorized.get()) {
      return failed.failedWith("not sent: the server refused the token");
    }
    String sha256;
    try {
      sha256 = UploadJournal.sha256(file);
    } catch (IOException e) {
      return failed.failedWith(Errors.oneLine(e));
    }
    try {
      if (journal != null) {
        var known = journal.idOf(sha256);
        if (known.isPresent()) {
          TuneTraceClient.Response r = client.get("/tracks/" + known.get());
          if (r.status() == 200) {
            return new Outcome(file, "skipped", known.get(), null, null, bytes, null);
          }
          if (r.status() != 404) {
            return failed.failedWith(answer("GET /tracks/" + known.get(), r));
          }
          journal.forget(sha256); // the server lost or deleted it: send it again
        }
      }
      TrackMetadata meta = metadataOf(file);
      TuneTraceClient.Response r = client.upload(file, meta.title(), meta.artist(),
          meta.album().isEmpty() ? null : meta.album());
      if (r.status() != 201 && r.status() != 200) {
        return failed.failedWith(answer("POST /tracks", r));
      }
      JsonNode body = JSON.readTree(r.body());
      String id = body.path("id").asText("");
      if (id.isEmpty()) {
        return failed.failedWith("the server's answer has no track id: " + oneLine(r.body()));
      }
      String duplicateOf = body.path("duplicate_of").isTextual() ? body.path("duplicate_of").asText() : null;
      if (journal != null) {
        journal.record(sha256, id, file.toAbsolutePath().normalize());
      }
      return new Outcome(file, duplicateOf == null ? "uploaded" : "duplicate", id, duplicateOf, null,
          bytes, null);
    } catch (IOException e) {
      return failed.failedWith("cannot reach " + server + ": " + Errors.oneLine(e));
    }
  }

  /** "POST /tracks answered 415: file is not audio (...)", from the server's error shape. */
  private String answer(String request, TuneTraceClient.Response r) {
    if (r.status() == 401) {
      unauthorized.set(true);
    }
    String message = null;
    try {
      JsonNode body = JSON.readTree(r.body());
      if (body != null && body.path("error").path("message").isTextual()) {
        message = body.path("error").path("message").asText();
      }
    } catch (IOException e) {
      // not JSON: a proxy's page
    }
    return request + " answered " + r.status() + (message == null ? "" : ": " + message);
  }

  private static String oneLine(String s) {
    String t = s.strip().replaceAll("\\s+", " ");
    return t.length() > 200 ? t.substring(0, 200) + "..." : t;
  }

  /** Polls every track sent until it is READY or FAILED; FAILED tracks count as failures. */
  private List<Outcome> awaitAll(List<Outcome> outcomes, UploadProgress progress)
      throws InterruptedException {
    List<Outcome> result = new ArrayList<>(outcomes);
    List<Integer> pending = new ArrayList<>();
    for (int i = 0; i < result.size(); i++) {
      if (!result.get(i).failed()) {
        pending.add(i);
      }
    }
    int total = pending.size();
    long deadline = System.nanoTime() + WAIT_LIMIT_MILLIS * 1_000_000L;
    while (!pending.isEmpty()) {
      List<Integer> still = new ArrayList<>();
      for (int i : pending) {
        Outcome o = result.get(i);
        try {
          TuneTraceClient.Response r = client.get("/tracks/" + o.id());
          if (r.status() != 200) {
            result.set(i, o.failedWith(answer("GET /tracks/" + o.id(), r)));
            continue;
          }
          JsonNode track = JSON.readTree(r.body());
          String status = track.path("status").asText();
          if (status.equals("READY")) {
            result.set(i, o.withTrackStatus(status));
          } else if (status.equals("FAILED")) {
            String why = track.path("last_error").asText("");
            result.set(i, o.withTrackStatus(status)
                .failedWith("track FAILED" + (why.isEmpty() ? "" : ": " + why)));
          } else {
            still.add(i);
          }
        } catch (IOException e) {
          still.add(i); // the server restarting: ask again
        }
      }
      pending = still;
      progress.waiting(total - pending.size(), total);
      if (!pending.isEmpty()) {
        if (System.nanoTime() > deadline) {
          for (int i : pending) {
            result.set(i, result.get(i).failedWith("gave up waiting for READY"));
          }
          break;
        }
        Thread.sleep(WAIT_POLL_MILLIS);
      }
    }
    return result;
  }

  private synchronized void print(Outcome o) {
    progress.above(() -> printLine(o));
  }

  private void printLine(Outcome o) {
    if (json) {
      ObjectNode line = JsonOutput.object();
      line.put("path", o.path().toString());
      line.put("status", o.status());
      line.put("id", o.id());
      line.put("duplicate_of", o.duplicateOf());
      line.put("error", o.error());
      if (await) {
        line.put("track_status", o.trackStatus());
      }
      out.println(JsonOutput.write(line));
    } else if (o.failed()) {
      out.println("failed     " + o.path() + ": " + o.error());
    } else {
      out.println(String.format("%-10s %s %s%s", o.status(), o.id(), o.path(),
          o.trackStatus() == null ? "" : " " + o.trackStatus()));
    }
    out.flush();
  }

  /**
   * Title, artist and album for the server: the tags, else the file name ("Artist - Title.mp3"),
   * else {@link #UNKNOWN_ARTIST}; control characters dropped and each field cut to 200 code
   * points, as the server requires.
   */
  static TrackMetadata metadataOf(Path file) {
    TrackMetadata named = TuneTrace.nameOf(file);
    String title = field(named.title());
    String artist = field(named.artist());
    String album = field(named.album());
    if (title.isEmpty()) {
      title = field(String.valueOf(file.getFileName()));
    }
    return new TrackMetadata(title.isEmpty() ? "untitled" : title,
        artist.isEmpty() ? UNKNOWN_ARTIST : artist, album, "", 0, "");
  }

  static String field(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    s.codePoints().filter(c -> !Character.isISOControl(c)).limit(MAX_FIELD_CODE_POINTS)
        .forEach(b::appendCodePoint);
    return b.toString().strip();
  }
}
