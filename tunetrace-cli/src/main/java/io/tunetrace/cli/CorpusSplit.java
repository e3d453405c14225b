package io.tunetrace.cli;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a corpus's queries into a tune half and a test half, so that parameters tuned on one half
 * can be checked on the other. Indexed clips are split by their reference (the {@code expected}
 * file name), never-indexed clips by their source stem (the query file name up to its last
 * {@code _<N>s_}, e.g. {@code unknown004} for {@code unknown004_10s_clean.wav}), so that every clip
 * of one piece of music falls in the same half.
 *
 * <p>The rule: the names of each kind are sorted by the SHA-256 of their UTF-8 bytes (hex order,
 * ties by name); the first ⌈n/2⌉ form the tune half, the rest the test half. It depends only on the
 * names in the manifest, so it is the same on every run and machine, and both halves hold as many
 * pieces as possible. Immutable and thread-safe.
 */
final class CorpusSplit {
  /** Which queries to evaluate. */
  enum Part {
    TUNE,
    TEST,
    ALL;

    /** Parses {@code tune}, {@code test} or {@code all} (any case). */
    static Part parse(String s) {
      for (Part p : values()) {
        if (p.name().equalsIgnoreCase(s)) {
          return p;
        }
      }
      throw new IllegalArgumentException("split must be tune, test or all: " + s);
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final Pattern LENGTH_MARK = Pattern.compile("^(.+)_[0-9]+(?:\\.[0-9]+)?s_.*$");

  private final Set<String> refs;
  private final Set<String> tuneRefs;
  private final Set<String> sources;
  private final Set<String> tuneSources;

  private CorpusSplit(Set<String> refs, Set<String> sources) {
    this.refs = Set.copyOf(refs);
    this.sources = Set.copyOf(sources);
    this.tuneRefs = firstHalf(refs);
    this.tuneSources = firstHalf(sources);
  }

  /** The split of the references and never-indexed sources named in {@code rows}. */
  static CorpusSplit of(List<Manifest.Row> rows) {
    Set<String> refs = new TreeSet<>();
    Set<String> sources = new TreeSet<>();
    for (Manifest.Row r : rows) {
      if (r.heldOut()) {
        sources.add(sourceStem(r.query()));
      } else {
        refs.add(r.expected());
      }
    }
    return new CorpusSplit(refs, sources);
  }

  /** The piece a query was cut from: its name up to the last {@code _<N>s_}, else its stem. */
  static String sourceStem(String queryName) {
    String name = queryName.substring(queryName.lastIndexOf('/') + 1);
    Matcher m = LENGTH_MARK.matcher(name);
    if (m.matches()) {
      return m.group(1);
    }
    int dot = name.lastIndexOf('.');
    return dot <= 0 ? name : name.substring(0, dot);
  }

  /** The key that decides a row's half: its reference, or for a held-out clip its source stem. */
  static String key(Manifest.Row row) {
    return row.heldOut() ? sourceStem(row.query()) : row.expected();
  }

  /** Whether {@code row} belongs to {@code part}. */
  boolean includes(Manifest.Row row, Part part) {
    if (part == Part.ALL) {
      return true;
    }
    String key = key(row);
    boolean tune = row.heldOut() ? tuneSources.contains(key) : tuneRefs.contains(key);
    return tune == (part == Part.TUNE);
  }

  /** The references of {@code part}, sorted. */
  Set<String> refs(Part part) {
    return select(refs, tuneRefs, part);
  }

  /** The never-indexed sources of {@code part}, sorted. */
  Set<String> sources(Part part) {
    return select(sources, tuneSources, part);
  }

  private static Set<String> select(Set<String> all, Set<String> tune, Part part) {
    Set<String> out = new TreeSet<>();
    for (String s : all) {
      if (part == Part.ALL || tune.contains(s) == (part == Part.TUNE)) {
        out.add(s);
      }
    }
    return out;
  }

  private static Set<String> firstHalf(Set<String> names) {
    List<String> ordered = names.stream()
        .sorted(Comparator.comparing(CorpusSplit::sha256Hex).thenComparing(Comparator.naturalOrder()))
        .toList();
    return Set.copyOf(ordered.subList(0, (ordered.size() + 1) / 2));
  }

  static String sha256Hex(String s) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }
}
