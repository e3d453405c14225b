package io.tunetrace.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The CLI's {@code --json} output, written with Jackson: commands build a Jackson tree
 * ({@link #object()}) and {@link #write} turns it into one line in the documented layout, which
 * scripts and tests rely on: {@code {"key": value, "key": value}} (a space after {@code :} and
 * {@code ,}), fields in insertion order, doubles that hold an integer written without a fraction
 * ({@code 3}, not {@code 3.0}), NaN and infinities as {@code null}, and strings escaped per RFC
 * 8259 plus {@code \u007f}, {@code \u2028}, {@code \u2029} and lone surrogates (lower-case hex),
 * so a line is always valid UTF-8 and safe to embed in JavaScript. Stateless and thread-safe.
 */
public final class JsonOutput {
  private static final JsonFactory FACTORY = new JsonFactoryBuilder()
      .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
      .characterEscapes(new Escapes())
      .build();

  private JsonOutput() {}

  /** A new, empty object whose fields keep their insertion order. */
  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** A new, empty array. */
  static ArrayNode array() {
    return JsonNodeFactory.instance.arrayNode();
  }

  /** An array of strings. */
  static ArrayNode strings(Iterable<String> items) {
    ArrayNode array = array();
    items.forEach(array::add);
    return array;
  }

  /** {@code value} in the one-line layout. */
  public static String write(JsonNode value) {
    return write(value, Set.of());
  }

  /**
   * {@code value} in the one-line layout, except that the arrays held by the top-level fields
   * named in {@code oneElementPerLine} put each element on a line of its own, indented by two
   * spaces ({@code [\n  {...},\n  {...}\n]}).
   */
  static String write(JsonNode value, Set<String> oneElementPerLine) {
    StringWriter text = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(new LoneSurrogateEscaper(text))) {
      g.setPrettyPrinter(new Layout(oneElementPerLine));
      writeNode(g, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return text.toString();
  }

  /** {@code s} as a JSON string literal, quotes included; null becomes {@code null}. */
  static String quote(String s) {
    return write(s == null ? NullNode.getInstance() : JsonNodeFactory.instance.textNode(s));
  }

  /** Rounds to {@code decimals} places for compact output. */
  static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }

  private static void writeNode(JsonGenerator g, JsonNode node) throws IOException {
    switch (node.getNodeType()) {
      case OBJECT -> {
        g.writeStartObject();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          g.writeFieldName(field.getKey());
          writeNode(g, field.getValue());
        }
        g.writeEndObject();
      }
      case ARRAY -> {
        g.writeStartArray();
        for (JsonNode element : node) {
          writeNode(g, element);
        }
        g.writeEndArray();
      }
      case STRING -> g.writeString(node.textValue());
      case BOOLEAN -> g.writeBoolean(node.booleanValue());
      case NULL, MISSING -> g.writeNull();
      case NUMBER -> writeNumber(g, node);
      default -> throw new IllegalArgumentException("not written as JSON: " + node.getNodeType());
    }
  }

  private static void writeNumber(JsonGenerator g, JsonNode node) throws IOException {
    if (node.isIntegralNumber()) {
      if (node.canConvertToLong()) {
        g.writeNumber(node.longValue());
      } else {
        g.writeNumber(node.bigIntegerValue());
      }
      return;
    }
    double value = node.doubleValue();
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      g.writeNull();
    } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      g.writeNumber((long) value);
    } else {
      g.writeNumber(value);
    }
  }

  /** {@code {"a": 1, "b": [1, 2]}}: one line, a space after each {@code :} and {@code ,}. */
  private static final class Layout implements PrettyPrinter {
    private final Set<String> oneElementPerLine;

    Layout(Set<String> oneElementPerLine) {
      this.oneElementPerLine = oneElementPerLine;
    }

    /** Whether the array being written is a top-level field listed one element per line. */
    private boolean lines(JsonGenerator g) {
      JsonStreamContext array = g.getOutputContext();
      JsonStreamContext object = array.getParent();
      return array.inArray() && object != null && object.inObject() && object.getParent() != null
          && object.getParent().inRoot() && oneElementPerLine.contains(object.getCurrentName());
    }

    @Override
    public void writeRootValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw('\n');
    }

    @Override
    public void writeStartObject(JsonGenerator g) throws IOException {
      g.writeRaw('{');
    }

    @Override
    public void writeEndObject(JsonGenerator g, int nrOfEntries) throws IOException {
      g.writeRaw('}');
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
      g.writeRaw(", ");
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(": ");
    }

    @Override
    public void writeStartArray(JsonGenerator g) throws IOException {
      g.writeRaw('[');
    }

    @Override
    public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
      g.writeRaw(lines(g) ? "\n]" : "]");
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(lines(g) ? ",\n  " : ", ");
    }

    @Override
    public void beforeArrayValues(JsonGenerator g) throws IOException {
      if (lines(g)) {
        g.writeRaw("\n  ");
      }
    }

    @Override
    public void beforeObjectEntries(JsonGenerator g) {}
  }

  /** JSON's own escapes plus DEL, U+2028 and U+2029 (line breaks to JavaScript). */
  private static final class Escapes extends CharacterEscapes {
    private static final int[] ASCII = standardAsciiEscapesForJSON();
    private static final SerializedString LINE_SEPARATOR = new SerializedString("\\u2028");
    private static final SerializedString PARAGRAPH_SEPARATOR = new SerializedString("\\u2029");

    static {
      ASCII[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ASCII;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return ch == 0x2028 ? LINE_SEPARATOR : ch == 0x2029 ? PARAGRAPH_SEPARATOR : null;
    }
  }

  /**
   * Writes a surrogate that is not half of a pair as its {@code \}{@code uXXXX} escape: Jackson
   * passes string characters through, and a lone surrogate has no UTF-8 form. Surrogates only
   * occur inside string literals, where the escape is the same character to a JSON reader.
   */
  private static final class LoneSurrogateEscaper extends FilterWriter {
    private char pendingHigh; // a high surrogate whose successor has not been written yet

    LoneSurrogateEscaper(Writer out) {
      super(out);
    }

    @Override
    public void write(int c) throws IOException {
      char ch = (char) c;
      if (pendingHigh != 0) {
        char high = pendingHigh;
        pendingHigh = 0;
        if (Character.isLowSurrogate(ch)) {
          out.write(high);
          out.write(ch);
          return;
        }
        escape(high);
      }
      if (Character.isHighSurrogate(ch)) {
        pendingHigh = ch;
      } else if (Character.isLowSurrogate(ch)) {
        escape(ch);
      } else {
        out.write(ch);
      }
    }

    @Override
    public void write(char[] chars, int off, int len) throws IOException {
      write(new String(chars, off, len), 0, len);
    }

    @Override
    public void write(String s, int off, int len) throws IOException {
      int end = off + len;
      int plain = off; // s[plain, i) holds no surrogate and is written in one call
      for (int i = off; i < end; i++) {
        if (Character.isSurrogate(s.charAt(i))) {
          if (plain < i) {
            writePlain(s, plain, i);
          }
          write(s.charAt(i));
          plain = i + 1;
        }
      }
      if (plain < end) {
        writePlain(s, plain, end);
      }
    }

    private void writePlain(String s, int from, int to) throws IOException {
      if (pendingHigh != 0) {
        escape(pendingHigh);
        pendingHigh = 0;
      }
      out.write(s, from, to - from);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      if (pendingHigh != 0) {
        escape(pendingHigh);
        pendingHigh = 0;
      }
      out.close();
    }

    private void escape(char c) throws IOException {
      out.write(String.format("\\u%04x", (int) c));
    }
  }
}
