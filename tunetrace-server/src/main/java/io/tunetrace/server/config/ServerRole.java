package io.tunetrace.server.config;

/** What a server process does: answer HTTP, run fingerprint jobs, or both. */
public enum ServerRole {
  ALL,
  API,
  WORKER;

  public boolean servesApi() {
    return this != WORKER;
  }

  public boolean runsWorkers() {
    return this != API;
  }
}
