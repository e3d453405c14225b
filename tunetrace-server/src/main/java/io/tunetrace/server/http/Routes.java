package io.tunetrace.server.http;

import io.javalin.Javalin;

/** A resource's routes, each registered with its {@link Access} role. */
public interface Routes {
  void addTo(Javalin app);
}
