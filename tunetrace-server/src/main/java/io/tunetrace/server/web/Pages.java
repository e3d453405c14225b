package io.tunetrace.server.web;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.tunetrace.server.http.Access;
import io.tunetrace.server.http.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The browser pages: {@code /} (Listen: the microphone or a file, streamed over {@code
 * /ws/stream}), {@code /library} (tracks, uploads, deletes) and their assets under {@code /web/}.
 * Plain HTML, CSS and ES modules from the classpath folder {@code web/}; no build step.
 *
 * <p>Sign-in: the pages ask for a token or API key once and keep it for the browser session;
 * {@code ?token=T} signs in with {@code T}. In embedded mode without configured credentials the
 * server offers a fresh development token to pages opened from the same machine (a loopback client
 * address) so that nothing has to be pasted; remote clients never see one.
 *
 * <p>Thread-safe.
 */
public final class Pages {
  private static final Pattern ASSET = Pattern.compile("[a-z0-9][a-z0-9.-]*\\.(css|js|svg|png|txt)");
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "svg", "image/svg+xml",
      "png", "image/png",
      "txt", "text/plain; charset=utf-8");
  /** No inline script or style: everything the pages run comes from this server. */
  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: wss:; "
      + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
  private static final String DEV_TOKEN_SLOT = "<meta name=\"tunetrace-dev-token\" content=\"\">";

  private final Supplier<String> devTokens;
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  private Pages(Supplier<String> devTokens) {
    this.devTokens = devTokens;
  }

  /**
   * Registers the pages and their assets on {@code app}.
   *
   * @param devTokens issues a fresh development token (embedded mode without configured
   *     credentials), or null when credentials are configured
   */
  public static void register(Javalin app, Supplier<String> devTokens) {
    Pages pages = new Pages(devTokens);
    app.get("/", ctx -> pages.page(ctx, "listen.html"), Access.OPEN);
    app.get("/library", ctx -> pages.page(ctx, "library.html"), Access.OPEN);
    app.get("/web/{file}", pages::asset, Access.OPEN);
  }

  private void page(Context ctx, String name) {
    String html = new String(resource(name).orElseThrow(), StandardCharsets.UTF_8);
    if (devTokens != null && fromThisMachine(ctx.req().getRemoteAddr())) {
      html = html.replace(DEV_TOKEN_SLOT,
          "<meta name=\"tunetrace-dev-token\" content=\"" + escape(devTokens.get()) + "\">");
    }
    headers(ctx, "html");
    ctx.header("Cache-Control", "no-store");
    ctx.result(html);
  }

  private void asset(Context ctx) {
    String file = ctx.pathParam("file");
    if (!ASSET.matcher(file).matches()) {
      throw ApiException.notFound("no page asset " + file);
    }
    byte[] bytes = resource(file).orElseThrow(() -> ApiException.notFound("no page asset " + file));
    headers(ctx, file.substring(file.lastIndexOf('.') + 1));
    ctx.header("Cache-Control", "no-cache");
    ctx.result(bytes);
  }

  private static void headers(Context ctx, String extension) {
    ctx.contentType(TYPES.get(extension));
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
  }

  private Optional<byte[]> resource(String name) {
    byte[] cached = cache.get(name);
    if (cached != null) {
      return Optional.of(cached);
    }
    try (InputStream in = Pages.class.getClassLoader().getResourceAsStream("web/" + name)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] bytes = in.readAllBytes();
      cache.put(name, bytes);
      return Optional.of(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read page resource web/" + name, e);
    }
  }

  /** True for a loopback client address (127.0.0.0/8, ::1). */
  static boolean fromThisMachine(String remoteAddress) {
    if (remoteAddress == null || remoteAddress.isBlank()) {
      return false;
    }
    String literal = remoteAddress.startsWith("[") && remoteAddress.endsWith("]")
        ? remoteAddress.substring(1, remoteAddress.length() - 1)
        : remoteAddress;
    boolean ipv4 = literal.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean ipv6 = literal.contains(":") && literal.matches("[0-9a-fA-F:.]+(%[0-9A-Za-z_.-]+)?");
    if (!ipv4 && !ipv6) {
      return false; // never a name: no lookup
    }
    try {
      // A numeric literal: no name lookup happens.
      return InetAddress.getByName(literal).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
