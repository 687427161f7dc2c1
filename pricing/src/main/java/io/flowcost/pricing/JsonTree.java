package io.flowcost.pricing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON tree that remembers the line of every value, so that catalog errors found after
 * parsing (a missing price, a bad date) can still name their line. Numbers keep their exact text.
 */
final class JsonTree {

  /** Kinds of JSON values. */
  enum Kind { OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL }

  /** A JSON value and the line it starts on. */
  static final class Node {
    final Kind kind;
    final int line;
    final String text;
    final Map<String, Node> fields;
    final List<Node> items;

    private Node(Kind kind, int line, String text, Map<String, Node> fields, List<Node> items) {
      this.kind = kind;
      this.line = line;
      this.text = text;
      this.fields = fields;
      this.items = items;
    }

    boolean isObject() {
      return kind == Kind.OBJECT;
    }

    Node get(String field) {
      return fields == null ? null : fields.get(field);
    }

    boolean isNull() {
      return kind == Kind.NULL;
    }
  }

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private JsonTree() {}

  /** Parses one JSON document; syntax errors become {@link CatalogException}s with the line. */
  static Node parse(InputStream in, String name) {
    try (JsonParser p = FACTORY.createParser(in)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new CatalogException(name, 1, "empty file", null);
      }
      Node root = read(p);
      if (p.nextToken() != null) {
        throw new CatalogException(name, line(p.currentTokenLocation()),
            "unexpected content after the end of the JSON document", null);
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new CatalogException(name, line(e.getLocation()), "invalid JSON: "
          + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new CatalogException(name, 0, "cannot read: " + e.getClass().getSimpleName(), e);
    }
  }

  private static int line(JsonLocation loc) {
    return loc == null ? 0 : loc.getLineNr();
  }

  private static Node read(JsonParser p) throws IOException {
    int line = line(p.currentTokenLocation());
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT: {
        Map<String, Node> fields = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          fields.put(name, read(p));
        }
        return new Node(Kind.OBJECT, line, null, Collections.unmodifiableMap(fields), null);
      }
      case START_ARRAY: {
        List<Node> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(read(p));
        }
        return new Node(Kind.ARRAY, line, null, null, Collections.unmodifiableList(items));
      }
      case VALUE_STRING:
        return new Node(Kind.STRING, line, p.getText(), null, null);
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        // getText() keeps the literal as written, so 2.5e-06 converts to a decimal exactly.
        return new Node(Kind.NUMBER, line, p.getText(), null, null);
      case VALUE_TRUE:
      case VALUE_FALSE:
        return new Node(Kind.BOOLEAN, line, p.getText(), null, null);
      case VALUE_NULL:
        return new Node(Kind.NULL, line, null, null, null);
      default:
        throw new IllegalStateException("unexpected token " + t);
    }
  }
}
