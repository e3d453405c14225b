package io.tunetrace.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import io.tunetrace.server.config.ServerConfig;
import io.tunetrace.server.metrics.Metrics;
import io.tunetrace.server.ws.RecognitionPool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;

/**
 * The Javalin application: server limits and timeouts, the auth before-handler, one exception
 * handler that renders every failure through {@link ErrorResponses} (unknown routes → JSON 404,
 * wrong methods → JSON 405), request metrics, and the routes of each resource.
 */
public final class HttpApi {
  private HttpApi() {}

  /** Creates the app (not started). */
  public static Javalin create(ServerConfig config, ObjectMapper json, Metrics metrics,
      AccessControl access, Path tempDir, List<Routes> routes) {
    Javalin app = Javalin.create(c -> {
      c.showJavalinBanner = false;
      c.jsonMapper(new JavalinJackson(json, false));
      c.http.maxRequestSize = config.maxClipBytes;
      c.http.prefer405over404 = true;
      c.jetty.multipartConfig.cacheDirectory(tempDir.toString());
      c.jetty.multipartConfig.maxFileSize(config.maxUploadBytes, SizeUnit.BYTES);
      c.jetty.multipartConfig.maxInMemoryFileSize(64, SizeUnit.KB);
      c.jetty.multipartConfig.maxTotalRequestSize(
          config.maxUploadBytes + TrackRoutes.MULTIPART_OVERHEAD_BYTES, SizeUnit.BYTES);
      c.jetty.modifyWebSocketServletFactory(f -> {
        f.setMaxBinaryMessageSize(config.maxClipBytes);
        f.setMaxTextMessageSize(64 * 1024);
        f.setIdleTimeout(Duration.ofMinutes(5));
      });
    });
    app.exception(Exception.class, (e, ctx) -> {
      if (e instanceof RecognitionPool.BusyException busy) {
        ctx.header("Retry-After", Integer.toString(busy.retryAfterSeconds()));
      }
      render(ctx, ErrorResponses.toApi(e));
    });
    // Javalin answers unknown routes and wrong methods in plain text; rewrite into the error shape.
    app.error(404, ctx -> {
      if (!isJson(ctx)) {
        render(ctx, ApiException.notFound("no route " + ctx.method() + " " + ctx.path()));
      }
    });
    app.error(405, ctx -> {
      if (!isJson(ctx)) {
        render(ctx, ApiException.methodNotAllowed(
            "method " + ctx.method() + " not allowed on " + ctx.path()));
      }
    });
    app.beforeMatched(access::before);
    app.before(ctx -> ctx.attribute("t0", System.nanoTime()));
    app.after(ctx -> {
      Long t0 = ctx.attribute("t0");
      if (t0 != null) {
        String route = ctx.endpointHandlerPath();
        metrics.request(ctx.method().name(), route == null || route.isEmpty() ? "unmatched" : route,
            ctx.statusCode(), System.nanoTime() - t0);
      }
    });
    for (Routes r : routes) {
      r.addTo(app);
    }
    return app;
  }

  private static boolean isJson(Context ctx) {
    String type = ctx.res().getContentType();
    return type != null && type.startsWith("application/json");
  }

  private static void render(Context ctx, ApiException e) {
    ctx.status(e.status()).json(ErrorResponses.body(e));
  }

  /**
   * Starts the app on the configured host and port, with the connection idle timeout ({@code
   * HTTP_IDLE_TIMEOUT_SECONDS}) and the header and whole-request read deadlines ({@code
   * HTTP_HEADER_TIMEOUT_SECONDS}, {@code HTTP_REQUEST_TIMEOUT_SECONDS}) on every connector.
   */
  public static void start(Javalin app, ServerConfig config) {
    app.start(config.host, config.port);
    for (Connector connector : app.jettyServer().server().getConnectors()) {
      try {
        RequestDeadlines.install((AbstractConnector) connector, config.httpIdleTimeoutMillis,
            config.httpHeaderTimeoutMillis, config.httpRequestTimeoutMillis);
      } catch (Exception e) {
        app.stop();
        throw new IllegalStateException("cannot install HTTP deadlines: " + e, e);
      }
    }
  }
}
