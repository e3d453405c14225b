package io.tunetrace.server.config;

/**
 * Who may read {@code /metrics} and the details of {@code /ready} ({@code OPS_ACCESS}); the
 * status code of {@code /ready} is always open, for load balancers and orchestrators.
 */
public enum OpsAccess {
  /** Any valid credential (the default). */
  TOKEN,
  /** Only clients connecting from a loopback address (a sidecar or a local scraper). */
  LOOPBACK,
  /** Everyone. */
  OPEN
}
