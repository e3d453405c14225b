package io.tunetrace.server.http;

import io.javalin.http.Context;
import io.javalin.security.RouteRole;
import io.tunetrace.server.auth.Auth;
import io.tunetrace.server.config.OpsAccess;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;

/**
 * The one auth check: a before-handler that reads each route's {@link Access} role and lets the
 * request through or throws 401/403. Credentials come from {@code Authorization: Bearer} or {@code
 * X-API-Key}; the URL query ({@code token}, {@code access_token}, {@code api_key}) is accepted only
 * for the WebSocket upgrade, where browsers cannot set headers (URLs end up in logs and histories).
 *
 * <p>Immutable and thread-safe.
 */
public final class AccessControl {
  private static final String PRINCIPAL = "tunetrace.principal";

  private final Auth auth;
  private final OpsAccess ops;

  public AccessControl(Auth auth, OpsAccess ops) {
    this.auth = auth;
    this.ops = ops;
  }

  /** The before-handler of every matched HTTP route. */
  public void before(Context ctx) {
    Set<RouteRole> roles = ctx.routeRoles();
    if (roles.contains(Access.OPEN)) {
      return;
    }
    if (roles.contains(Access.OPS)) {
      checkOps(ctx);
      return;
    }
    // CLIENT, and any route registered without a role: a credential is required.
    ctx.attribute(PRINCIPAL, authenticate(ctx, false));
  }

  /** Authenticates the WebSocket upgrade, which may carry its credential in the query. */
  public Auth.Principal authenticateUpgrade(Context ctx) {
    Auth.Principal who = authenticate(ctx, true);
    ctx.attribute(PRINCIPAL, who);
    return who;
  }

  /** The caller of a {@link Access#CLIENT} route, as the before-handler found it. */
  public static Auth.Principal principal(Context ctx) {
    Auth.Principal who = ctx.attribute(PRINCIPAL);
    if (who == null) {
      throw new IllegalStateException("route has no CLIENT role: " + ctx.endpointHandlerPath());
    }
    return who;
  }

  /** True when this caller may see operations details (does not throw). */
  public boolean opsAllowed(Context ctx) {
    try {
      checkOps(ctx);
      return true;
    } catch (ApiException e) {
      return false;
    }
  }

  /**
   * True when this caller may read other callers' recognitions: only with {@code
   * OPS_ACCESS=loopback}, from a loopback address (an operator on the server's machine). With
   * {@code token} or {@code open} every client would count as an operator, so nobody does.
   */
  public boolean mayReadOthersRecognitions(Context ctx) {
    return ops == OpsAccess.LOOPBACK && loopback(ctx.req().getRemoteAddr());
  }

  private void checkOps(Context ctx) {
    switch (ops) {
      case OPEN:
        return;
      case LOOPBACK:
        if (!loopback(ctx.req().getRemoteAddr())) {
          throw ApiException.forbidden("served to loopback clients only (OPS_ACCESS=loopback)");
        }
        return;
      default:
        authenticate(ctx, false);
    }
  }

  private Auth.Principal authenticate(Context ctx, boolean queryAllowed) {
    String token = ctx.queryParam("token");
    String accessToken = ctx.queryParam("access_token");
    String apiKey = ctx.queryParam("api_key");
    if (!queryAllowed) {
      String fromHeaders = Auth.credential(ctx.header("Authorization"), ctx.header("X-API-Key"),
          null, null, null);
      if (fromHeaders == null && (token != null || accessToken != null || apiKey != null)) {
        throw ApiException.unauthorized("credentials in the URL are accepted only for the WebSocket"
            + " upgrade (/ws/stream): send Authorization: Bearer <token>");
      }
      return auth.verify(fromHeaders);
    }
    return auth.verify(Auth.credential(ctx.header("Authorization"), ctx.header("X-API-Key"),
        token, accessToken, apiKey));
  }

  private static boolean loopback(String address) {
    try {
      return address != null && InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
