package io.tunetrace.core.explain;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws an {@link Explanation} as one picture, {@value #WIDTH} × {@value #HEIGHT}: the numbers and
 * the reason on top; the clip's spectrogram with its peaks (left) and the track's over the aligned
 * stretch (right), the voted pairs drawn in both and linked across; the votes per Δt below, the
 * winning bin against the background; a legend. The same drawing is written as PNG (Java2D,
 * headless) or SVG (with element ids a page or test can find: {@code explain-numbers}, {@code
 * explain-query}, {@code explain-reference}, {@code explain-pairs}, {@code explain-histogram},
 * {@code explain-legend}). Colours are from the Okabe–Ito palette, distinct under the common
 * colour-vision deficiencies, and each also differs in shape or label.
 *
 * <p>Thread-safe (stateless).
 */
public final class ExplanationPicture {
  public static final int WIDTH = 1200;
  public static final int HEIGHT = 900;

  static final Color TEXT = new Color(0x1a1a1a);
  static final Color MUTED = new Color(0x555555);
  static final Color PEAK = new Color(0x0072B2); // blue
  static final Color PAIR = new Color(0xE69F00); // orange
  static final Color LINK = new Color(0x56B4E9); // sky blue
  static final Color WINNER = new Color(0xD55E00); // vermillion
  /** Vermillion darkened for text: 4.5:1 and more on white. */
  static final Color WINNER_TEXT = new Color(0xA34400);
  static final Color OTHER = new Color(0x8C8C8C); // grey
  static final Color FRAME = new Color(0x767676);

  /** Most links drawn between the two spectrograms (all pairs are drawn inside each). */
  static final int MAX_LINKS = 40;

  private static final double TOP = 130;
  private static final double SPEC_H = 330;
  private static final double LEFT_X = 80;
  private static final double RIGHT_X = 690;
  private static final double SPEC_W = 490;
  private static final double HIST_Y = 560;
  private static final double HIST_H = 220;
  private static final double HIST_X = 80;
  private static final double HIST_W = 1090;
  private static final double LEGEND_Y = 850;

  private ExplanationPicture() {}

  /** Writes the picture as a PNG. */
  public static void writePng(Explanation e, OutputStream out) throws IOException {
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      draw(e, new Java2dSurface(g));
    } finally {
      g.dispose();
    }
    if (!ImageIO.write(img, "png", out)) {
      throw new IOException("no PNG writer in this JDK");
    }
  }

  /** The picture as an SVG document. */
  public static String svg(Explanation e) {
    SvgSurface s = new SvgSurface();
    draw(e, s);
    return s.finish();
  }

  // ---- the drawing, once for both surfaces

  static void draw(Explanation e, Surface s) {
    numbers(e, s);
    double maxHz = e.query().maxHz();
    double minHz = e.query().minHz();
    s.begin("explain-query", "Spectrogram of the clip with its peaks");
    spectrogram(s, e.query(), LEFT_X, "Clip: time (s)", minHz, maxHz, 0);
    for (Explanation.Peak p : e.queryPeaks()) {
      s.circle(LEFT_X + x(p.millis(), e.query(), 0), y(p.hz(), minHz, maxHz), 2.2, PEAK, "peak");
    }
    s.end();
    s.begin("explain-reference", "Spectrogram of the track over the aligned stretch");
    if (e.reference().isPresent()) {
      Spectrogram ref = e.reference().get();
      spectrogram(s, ref, RIGHT_X, "Track: time (s)", minHz, maxHz, ref.startMillis());
    } else {
      s.rect(RIGHT_X, TOP, SPEC_W, SPEC_H, new Color(0xf4f5f7), "placeholder");
      s.text(RIGHT_X + SPEC_W / 2, TOP + SPEC_H / 2, e.candidate().isPresent()
          ? "No reference picture: " + e.referenceProblem() : "No candidate track",
          13, false, MUTED, "middle");
    }
    s.end();
    s.begin("explain-pairs", "The hashes that voted for the alignment");
    if (e.reference().isPresent()) {
      Spectrogram ref = e.reference().get();
      int step = Math.max(1, (e.pairs().size() + MAX_LINKS - 1) / MAX_LINKS);
      for (int i = 0; i < e.pairs().size(); i += step) {
        Explanation.VotedPair p = e.pairs().get(i);
        s.line(LEFT_X + x(p.queryAnchor().millis(), e.query(), 0), y(p.queryAnchor().hz(), minHz, maxHz),
            RIGHT_X + x(p.refAnchor().millis(), ref, ref.startMillis()), y(p.refAnchor().hz(), minHz, maxHz),
            LINK, 1, 0.4, "link");
      }
    }
    for (Explanation.VotedPair p : e.pairs()) {
      s.line(LEFT_X + x(p.queryAnchor().millis(), e.query(), 0), y(p.queryAnchor().hz(), minHz, maxHz),
          LEFT_X + x(p.queryTarget().millis(), e.query(), 0), y(p.queryTarget().hz(), minHz, maxHz),
          PAIR, 1.8, 1, "voted-pair");
      if (e.reference().isPresent()) {
        Spectrogram ref = e.reference().get();
        s.line(RIGHT_X + x(p.refAnchor().millis(), ref, ref.startMillis()), y(p.refAnchor().hz(), minHz, maxHz),
            RIGHT_X + x(p.refTarget().millis(), ref, ref.startMillis()), y(p.refTarget().hz(), minHz, maxHz),
            PAIR, 1.8, 1, "voted-pair");
      }
    }
    s.end();
    histogram(e, s);
    legend(s);
  }

  private static void numbers(Explanation e, Surface s) {
    s.begin("explain-numbers", "The numbers");
    String head;
    if (e.candidate().isEmpty()) {
      head = "No match: no candidate";
    } else {
      Explanation.Candidate c = e.candidate().get();
      head = (e.accepted() ? "Match: " : "No match — best candidate: ") + c.title()
          + (c.artist().isEmpty() ? "" : " by " + c.artist());
    }
    s.text(16, 28, head, 20, true, e.accepted() ? new Color(0x006e4f) : WINNER_TEXT, "start");
    if (e.candidate().isPresent()) {
      Explanation.Candidate c = e.candidate().get();
      s.text(16, 54, String.format(Locale.ROOT,
          "votes %d · moments %d · score %.2f (needs %.2f) · runner-up %s · speed %s · clip starts at %s in the track · search %d ms",
          c.votes(), c.moments(), c.score(), c.threshold(),
          c.runnerUpTitle().isEmpty() ? "none" : c.runnerUpTitle() + " (" + c.runnerUpMoments() + " moments)",
          speed(c), clock(c.deltaMillis()), e.searchMillis()), 13, false, TEXT, "start");
    } else {
      s.text(16, 54, String.format(Locale.ROOT, "clip %.1f s · %d peaks · search %d ms",
          e.queryMillis() / 1000.0, e.queryPeaks().size(), e.searchMillis()), 13, false, TEXT, "start");
    }
    List<String> lines = wrap(e.reason(), 160);
    for (int i = 0; i < lines.size() && i < 2; i++) {
      s.text(16, 78 + i * 18, lines.get(i), 13, false, TEXT, "start");
    }
    s.end();
  }

  static String speed(Explanation.Candidate c) {
    if (c.timeScale() == 1.0 && c.freqScale() == 1.0) {
      return "1.00× (as indexed)";
    }
    if (c.timeScale() == c.freqScale()) {
      return String.format(Locale.ROOT, "%.3f× (played faster or slower)", c.timeScale());
    }
    if (c.freqScale() == 1.0) {
      return String.format(Locale.ROOT, "tempo %.2f×, pitch kept", c.timeScale());
    }
    return String.format(Locale.ROOT, "pitch %+.0f cents, tempo kept",
        1200 * Math.log(c.freqScale()) / Math.log(2));
  }

  private static void spectrogram(Surface s, Spectrogram sp, double x0, String xLabel,
      double minHz, double maxHz, double startMillis) {
    BufferedImage img = new BufferedImage(Math.max(1, sp.frames()), sp.bins(), BufferedImage.TYPE_INT_RGB);
    for (int c = 0; c < sp.frames(); c++) {
      for (int r = 0; r < sp.bins(); r++) {
        int v = 255 - sp.level(c, r); // loud is dark: the coloured marks stand out
        img.setRGB(c, sp.bins() - 1 - r, (v << 16) | (v << 8) | v);
      }
    }
    s.image(x0, TOP, SPEC_W, SPEC_H, img);
    s.frame(x0, TOP, SPEC_W, SPEC_H, FRAME);
    // y axis: Hz
    for (int hz = 0; hz <= maxHz; hz += 500) {
      if (hz < minHz) {
        continue;
      }
      double y = y(hz, minHz, maxHz);
      s.line(x0 - 5, y, x0, y, TEXT, 1, 1, "tick");
      s.text(x0 - 8, y + 4, hz + "", 11, false, TEXT, "end");
    }
    s.text(x0 - 58, TOP - 10, "Hz", 12, true, TEXT, "start");
    // x axis: seconds
    double seconds = (sp.endMillis() - sp.startMillis()) / 1000;
    double step = seconds > 20 ? 5 : seconds > 8 ? 2 : seconds > 3 ? 1 : 0.5;
    double first = Math.ceil(sp.startMillis() / 1000 / step) * step;
    for (double t = first; t * 1000 <= sp.endMillis(); t += step) {
      double x = x0 + x(t * 1000, sp, startMillis);
      s.line(x, TOP + SPEC_H, x, TOP + SPEC_H + 5, TEXT, 1, 1, "tick");
      s.text(x, TOP + SPEC_H + 18, trim(t), 11, false, TEXT, "middle");
    }
    s.text(x0 + SPEC_W / 2, TOP + SPEC_H + 36, xLabel, 12, true, TEXT, "middle");
  }

  private static void histogram(Explanation e, Surface s) {
    s.begin("explain-histogram", "Votes per alignment (Δt)");
    Explanation.VoteHistogram h = e.votes();
    s.frame(HIST_X, HIST_Y, HIST_W, HIST_H, FRAME);
    s.text(HIST_X, HIST_Y - 12, "Votes per Δt (where in the track the clip would start) for "
        + e.candidate().map(Explanation.Candidate::title).orElse("—")
        + (h.bins() > 0 ? String.format(Locale.ROOT, " · bin %.0f ms", h.binMillis()) : ""),
        13, true, TEXT, "start");
    if (h.bins() == 0) {
      s.text(HIST_X + HIST_W / 2, HIST_Y + HIST_H / 2, "no votes", 13, false, MUTED, "middle");
      s.end();
      return;
    }
    int most = 1;
    for (int i = 0; i < h.bins(); i++) {
      most = Math.max(most, h.count(i));
    }
    double barW = HIST_W / h.bins();
    for (int i = 0; i < h.bins(); i++) {
      if (h.count(i) == 0) {
        continue;
      }
      double bh = HIST_H * h.count(i) / most;
      boolean win = i == h.winningBin();
      s.rect(HIST_X + i * barW, HIST_Y + HIST_H - bh, Math.max(1.5, barW - 0.5), bh,
          win ? WINNER : OTHER, win ? "bar winning" : "bar");
    }
    if (h.winningBin() >= 0) {
      double x = HIST_X + (h.winningBin() + 0.5) * barW;
      s.text(Math.min(HIST_X + HIST_W - 4, x + 8), HIST_Y + 16, String.format(Locale.ROOT,
          "◆ winning Δt %s: %d votes (background at most %d)",
          clock(Math.round(h.firstMillis() + h.winningBin() * h.binMillis())),
          h.count(h.winningBin()), h.background()), 12, true, WINNER_TEXT,
          x > HIST_X + HIST_W * 0.6 ? "end" : "start");
    }
    int tick = niceStep(most / 4.0);
    for (int v = 0; v <= most; v += tick) {
      double y = HIST_Y + HIST_H - HIST_H * v / most;
      s.line(HIST_X - 5, y, HIST_X, y, TEXT, 1, 1, "tick");
      s.text(HIST_X - 8, y + 4, v + "", 11, false, TEXT, "end");
    }
    s.text(HIST_X - 70, HIST_Y - 12 + HIST_H / 2, "votes", 12, true, TEXT, "start");
    double spanS = h.bins() * h.binMillis() / 1000;
    double step = spanS > 120 ? 30 : spanS > 40 ? 10 : spanS > 10 ? 5 : 1;
    double firstS = h.firstMillis() / 1000;
    for (double t = Math.ceil(firstS / step) * step; t <= firstS + spanS; t += step) {
      double x = HIST_X + (t - firstS) / spanS * HIST_W;
      s.line(x, HIST_Y + HIST_H, x, HIST_Y + HIST_H + 5, TEXT, 1, 1, "tick");
      s.text(x, HIST_Y + HIST_H + 18, trim(t), 11, false, TEXT, "middle");
    }
    s.text(HIST_X + HIST_W / 2, HIST_Y + HIST_H + 36, "Δt: track time − clip time (s)", 12, true,
        TEXT, "middle");
    s.end();
  }

  private static void legend(Surface s) {
    s.begin("explain-legend", "Legend");
    double x = 16;
    s.circle(x + 6, LEGEND_Y, 4, PEAK, "peak");
    s.text(x + 16, LEGEND_Y + 4, "peak of the clip", 12, false, TEXT, "start");
    x += 150;
    s.line(x, LEGEND_Y, x + 24, LEGEND_Y, PAIR, 2.5, 1, "legend");
    s.text(x + 30, LEGEND_Y + 4, "hash (peak pair) that voted for the alignment", 12, false, TEXT, "start");
    x += 330;
    s.line(x, LEGEND_Y, x + 24, LEGEND_Y, LINK, 2.5, 1, "legend");
    s.text(x + 30, LEGEND_Y + 4, "the same hash in the track", 12, false, TEXT, "start");
    x += 220;
    s.rect(x, LEGEND_Y - 7, 14, 14, WINNER, "legend");
    s.text(x + 20, LEGEND_Y + 4, "winning Δt", 12, false, TEXT, "start");
    x += 110;
    s.rect(x, LEGEND_Y - 7, 14, 14, OTHER, "legend");
    s.text(x + 20, LEGEND_Y + 4, "other Δt (chance)", 12, false, TEXT, "start");
    x += 150;
    s.text(x, LEGEND_Y + 4, "dark = loud", 12, false, MUTED, "start");
    s.end();
  }

  private static double x(double millis, Spectrogram sp, double startMillis) {
    double span = Math.max(1, sp.endMillis() - sp.startMillis());
    return (millis - startMillis) / span * SPEC_W;
  }

  private static double y(double hz, double minHz, double maxHz) {
    return TOP + SPEC_H - (hz - minHz) / (maxHz - minHz) * SPEC_H;
  }

  /** 1, 2 or 5 times a power of ten, at least {@code rough}. */
  static int niceStep(double rough) {
    int p = 1;
    while (true) {
      for (int m : new int[] {1, 2, 5}) {
        if (m * p >= rough) {
          return m * p;
        }
      }
      p *= 10;
    }
  }

  static String clock(long millis) {
    long s = Math.round(Math.abs(millis) / 1000.0);
    return (millis < 0 ? "−" : "") + s / 60 + ":" + String.format(Locale.ROOT, "%02d", s % 60);
  }

  private static String trim(double t) {
    return t == Math.rint(t) ? String.valueOf((long) t) : String.format(Locale.ROOT, "%.1f", t);
  }

  static List<String> wrap(String text, int width) {
    List<String> lines = new java.util.ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    if (line.length() > 0) {
      lines.add(line.toString());
    }
    return lines;
  }

  // ---- two surfaces

  /** What the drawing needs from a surface. */
  interface Surface {
    void begin(String id, String title);

    void end();

    void rect(double x, double y, double w, double h, Color fill, String cls);

    void frame(double x, double y, double w, double h, Color stroke);

    void line(double x1, double y1, double x2, double y2, Color c, double width, double alpha,
        String cls);

    void circle(double cx, double cy, double r, Color fill, String cls);

    void text(double x, double y, String text, double size, boolean bold, Color c, String anchor);

    void image(double x, double y, double w, double h, BufferedImage img);
  }

  private static final class Java2dSurface implements Surface {
    private final Graphics2D g;

    Java2dSurface(Graphics2D g) {
      this.g = g;
    }

    @Override
    public void begin(String id, String title) {}

    @Override
    public void end() {}

    @Override
    public void rect(double x, double y, double w, double h, Color fill, String cls) {
      g.setColor(fill);
      g.fill(new Rectangle2D.Double(x, y, w, h));
    }

    @Override
    public void frame(double x, double y, double w, double h, Color stroke) {
      g.setColor(stroke);
      g.setStroke(new BasicStroke(1f));
      g.draw(new Rectangle2D.Double(x, y, w, h));
    }

    @Override
    public void line(double x1, double y1, double x2, double y2, Color c, double width,
        double alpha, String cls) {
      g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), (int) Math.round(alpha * 255)));
      g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      g.draw(new Line2D.Double(x1, y1, x2, y2));
    }

    @Override
    public void circle(double cx, double cy, double r, Color fill, String cls) {
      g.setColor(fill);
      g.fill(new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r));
    }

    @Override
    public void text(double x, double y, String text, double size, boolean bold, Color c,
        String anchor) {
      g.setFont(new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, (int) Math.round(size)));
      g.setColor(c);
      FontMetrics m = g.getFontMetrics();
      double w = m.stringWidth(text);
      double left = anchor.equals("middle") ? x - w / 2 : anchor.equals("end") ? x - w : x;
      g.drawString(text, (float) left, (float) y);
    }

    @Override
    public void image(double x, double y, double w, double h, BufferedImage img) {
      g.drawImage(img, (int) Math.round(x), (int) Math.round(y), (int) Math.round(w),
          (int) Math.round(h), null);
    }
  }

  private static final class SvgSurface implements Surface {
    private final StringBuilder out = new StringBuilder();

    SvgSurface() {
      out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
          .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH)
          .append(' ').append(HEIGHT).append("\" role=\"img\" aria-labelledby=\"explain-title\""
              + " font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n")
          .append("<title id=\"explain-title\">Why this answer: the clip, the track, the votes</title>\n")
          .append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    }

    private static String n(double v) {
      return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String hex(Color c) {
      return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
    }

    static String escape(String s) {
      return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @Override
    public void begin(String id, String title) {
      out.append("<g id=\"").append(id).append("\"><title>").append(escape(title)).append("</title>\n");
    }

    @Override
    public void end() {
      out.append("</g>\n");
    }

    @Override
    public void rect(double x, double y, double w, double h, Color fill, String cls) {
      out.append("<rect class=\"").append(cls).append("\" x=\"").append(n(x)).append("\" y=\"")
          .append(n(y)).append("\" width=\"").append(n(w)).append("\" height=\"").append(n(h))
          .append("\" fill=\"").append(hex(fill)).append("\"/>\n");
    }

    @Override
    public void frame(double x, double y, double w, double h, Color stroke) {
      out.append("<rect x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" width=\"")
          .append(n(w)).append("\" height=\"").append(n(h)).append("\" fill=\"none\" stroke=\"")
          .append(hex(stroke)).append("\"/>\n");
    }

    @Override
    public void line(double x1, double y1, double x2, double y2, Color c, double width,
        double alpha, String cls) {
      out.append("<line class=\"").append(cls).append("\" x1=\"").append(n(x1)).append("\" y1=\"")
          .append(n(y1)).append("\" x2=\"").append(n(x2)).append("\" y2=\"").append(n(y2))
          .append("\" stroke=\"").append(hex(c)).append("\" stroke-width=\"").append(n(width))
          .append("\" stroke-linecap=\"round\"");
      if (alpha < 1) {
        out.append(" stroke-opacity=\"").append(String.format(Locale.ROOT, "%.2f", alpha)).append('"');
      }
      out.append("/>\n");
    }

    @Override
    public void circle(double cx, double cy, double r, Color fill, String cls) {
      out.append("<circle class=\"").append(cls).append("\" cx=\"").append(n(cx)).append("\" cy=\"")
          .append(n(cy)).append("\" r=\"").append(n(r)).append("\" fill=\"").append(hex(fill))
          .append("\"/>\n");
    }

    @Override
    public void text(double x, double y, String text, double size, boolean bold, Color c,
        String anchor) {
      out.append("<text x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" font-size=\"")
          .append(n(size)).append("\" fill=\"").append(hex(c)).append('"');
      if (bold) {
        out.append(" font-weight=\"bold\"");
      }
      if (!anchor.equals("start")) {
        out.append(" text-anchor=\"").append(anchor).append('"');
      }
      out.append('>').append(escape(text)).append("</text>\n");
    }

    @Override
    public void image(double x, double y, double w, double h, BufferedImage img) {
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      try {
        ImageIO.write(img, "png", png);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      out.append("<image class=\"spectrogram\" x=\"").append(n(x)).append("\" y=\"").append(n(y))
          .append("\" width=\"").append(n(w)).append("\" height=\"").append(n(h))
          .append("\" preserveAspectRatio=\"none\" href=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(png.toByteArray())).append("\"/>\n");
    }

    String finish() {
      return out.append("</svg>\n").toString();
    }
  }
}
