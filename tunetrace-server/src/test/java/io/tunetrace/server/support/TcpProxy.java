package io.tunetrace.server.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP forwarder in front of a real service, so a test can take "the service" down
 * (close the port and cut live connections) and bring it back without touching the shared server.
 */
public final class TcpProxy implements AutoCloseable {
  private final int targetPort;
  private final int port;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;
  /** Bytes still forwarded towards the service before the proxy goes down by itself; -1: no limit. */
  private final AtomicLong upstreamBudget = new AtomicLong(-1);
  private final AtomicLong upstreamBytes = new AtomicLong();
  private final Object budgetLock = new Object();

  public TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.port = S3ProxyProcess.freePort();
    up();
  }

  public int port() {
    return port;
  }

  /** Bytes forwarded from clients to the service so far. */
  public long upstreamBytes() {
    return upstreamBytes.get();
  }

  /**
   * Takes the service down (as {@link #down()}) once {@code bytes} more bytes have been forwarded
   * to it: a cut at a point fixed by the traffic, not by the timing of the test's thread. A request
   * that straddles the point reaches the service only in part.
   */
  public void downAfterUpstreamBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes < 0: " + bytes);
    }
    upstreamBudget.set(bytes);
  }

  public synchronized void up() throws IOException {
    if (server != null) {
      return;
    }
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress("127.0.0.1", port));
    server = s;
    Thread t = new Thread(() -> acceptLoop(s), "tcp-proxy-" + port);
    t.setDaemon(true);
    t.start();
  }

  public synchronized void down() throws IOException {
    upstreamBudget.set(-1);
    if (server != null) {
      server.close();
      server = null;
    }
    for (Socket s : sockets) {
      s.close();
    }
    sockets.clear();
  }

  private void acceptLoop(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket client = s.accept();
        Socket upstream = new Socket("127.0.0.1", targetPort);
        synchronized (this) {
          if (server != s) {
            // Went down while this connection was being set up: it must not outlive the cut.
            client.close();
            upstream.close();
            return;
          }
          sockets.add(client);
          sockets.add(upstream);
        }
        pipe(client, upstream, true);
        pipe(upstream, client, false);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pipe(Socket from, Socket to, boolean toService) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          if (toService && !forward(out, buf, n)) {
            down();
            return;
          }
          if (!toService) {
            out.write(buf, 0, n);
            out.flush();
          }
        }
      } catch (IOException e) {
        // connection cut
      } finally {
        try {
          from.close();
          to.close();
        } catch (IOException ignored) {
          // closing
        }
      }
    });
    t.setDaemon(true);
    t.start();
  }

  /** Forwards towards the service within the budget; false once the budget is spent. */
  private boolean forward(OutputStream out, byte[] buf, int n) throws IOException {
    synchronized (budgetLock) {
      return forwardWithinBudget(out, buf, n);
    }
  }

  private boolean forwardWithinBudget(OutputStream out, byte[] buf, int n) throws IOException {
    long budget = upstreamBudget.get();
    int allowed = budget < 0 ? n : (int) Math.min(n, budget);
    out.write(buf, 0, allowed);
    out.flush();
    upstreamBytes.addAndGet(allowed);
    if (budget < 0) {
      return true;
    }
    upstreamBudget.set(budget - allowed);
    return allowed == n && budget - allowed > 0;
  }

  @Override
  public void close() throws IOException {
    down();
  }
}
