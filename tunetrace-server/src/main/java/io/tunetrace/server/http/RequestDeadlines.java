package io.tunetrace.server.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.HttpChannel;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Total deadlines for reading a request, which Jetty's idle timeout alone does not give: a client
 * that sends one header line (or one body byte) just before every idle timeout would hold a
 * connection and a request for ever. The request line and headers must arrive within {@code
 * headerMillis} of the connection opening (or of the previous response on a kept-alive one), and
 * the whole request, body included, within {@code requestMillis}; otherwise the connection is
 * closed. Time spent handling a fully read request is not limited here. WebSocket connections,
 * once upgraded, are not HTTP connections and are not tracked.
 *
 * <p>A bean of the connector (started and stopped with it). Thread-safe.
 */
final class RequestDeadlines extends AbstractLifeCycle
    implements Connection.Listener, HttpChannel.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(RequestDeadlines.class);

  private enum Phase { HEADERS, BODY, HANDLING }

  /** Where one connection is in its current request, and since when. */
  private static final class State {
    volatile Phase phase = Phase.HEADERS;
    volatile long sinceNanos = System.nanoTime();
  }

  private final long headerMillis;
  private final long requestMillis;
  private final Scheduler scheduler;
  private final Map<EndPoint, State> connections = new ConcurrentHashMap<>();

  private RequestDeadlines(long headerMillis, long requestMillis, Scheduler scheduler) {
    this.headerMillis = headerMillis;
    this.requestMillis = requestMillis;
    this.scheduler = scheduler;
  }

  /** Sets the idle timeout of {@code connector} and installs the deadlines on it. */
  static void install(AbstractConnector connector, long idleMillis, long headerMillis,
      long requestMillis) throws Exception {
    connector.setIdleTimeout(idleMillis);
    RequestDeadlines deadlines = new RequestDeadlines(headerMillis, requestMillis,
        connector.getScheduler());
    connector.addBean(deadlines);
    connector.addEventListener(deadlines);
    if (!deadlines.isStarted()) {
      deadlines.start();
    }
  }

  @Override
  protected void doStart() {
    schedule();
  }

  private void schedule() {
    long tick = Math.max(50, Math.min(1000, Math.min(headerMillis, requestMillis) / 4));
    scheduler.schedule(this::sweep, tick, TimeUnit.MILLISECONDS);
  }

  private void sweep() {
    if (!isRunning()) {
      return;
    }
    try {
      long now = System.nanoTime();
      connections.forEach((endPoint, state) -> {
        long elapsedMillis = (now - state.sinceNanos) / 1_000_000;
        Phase phase = state.phase;
        if (phase == Phase.HEADERS && elapsedMillis > headerMillis
            || phase == Phase.BODY && elapsedMillis > requestMillis) {
          LOG.debug("closing {}: {} not read within {} ms", endPoint.getRemoteSocketAddress(),
              phase == Phase.HEADERS ? "request headers" : "request", elapsedMillis);
          connections.remove(endPoint);
          endPoint.close();
        }
      });
    } finally {
      schedule();
    }
  }

  @Override
  public void onOpened(Connection connection) {
    if (connection instanceof HttpConnection) {
      connections.put(connection.getEndPoint(), new State());
    }
  }

  @Override
  public void onClosed(Connection connection) {
    if (connection instanceof HttpConnection) {
      connections.remove(connection.getEndPoint());
    }
  }

  @Override
  public void onRequestBegin(Request request) {
    move(request, Phase.BODY, false); // the request deadline counts from the first header byte
  }

  @Override
  public void onRequestEnd(Request request) {
    move(request, Phase.HANDLING, true);
  }

  @Override
  public void onComplete(Request request) {
    move(request, Phase.HEADERS, true);
  }

  private void move(Request request, Phase phase, boolean restartClock) {
    State state = connections.get(request.getHttpChannel().getEndPoint());
    if (state != null) {
      if (restartClock) {
        state.sinceNanos = System.nanoTime();
      }
      state.phase = phase;
    }
  }
}
