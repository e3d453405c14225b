package io.tunetrace.server.http;

import io.javalin.security.RouteRole;

/** What a route asks of its caller; checked for every route by {@link AccessControl#before}. */
public enum Access implements RouteRole {
  /** Anyone ({@code /health}, the status code of {@code /ready}). */
  OPEN,
  /** A valid credential: every {@code /tracks} route, {@code /recognize}, the WebSocket. */
  CLIENT,
  /** Operations ({@code /metrics}, {@code POST /admin/reindex}): as {@code OPS_ACCESS} says. */
  OPS
}
