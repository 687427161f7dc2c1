package io.flowcost.agent.usage;

// A frozen copy of the Jackson-based reader the agent used before UsageScanner: the oracle of
// UsageScannerDifferentialTest. Not used by the agent.

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pulls a fixed set of scalar fields out of a JSON document with the streaming parser, skipping
 * every other subtree unread (message text, embedding vectors).
 *
 * <p>Paths are dot-separated field names; {@code []} marks "any element of this array", and values
 * under such a path are collected into a list in document order. A document whose root is an array
 * is read element by element, later elements overwriting earlier ones.
 */
final class LegacyJsonFields {

  private static final JsonFactory FACTORY = new JsonFactory();

  /** The root of the tree of wanted paths: what is looked up per field name, never a path string. */
  private final Node root = new Node(false, false);

  LegacyJsonFields(Set<String> paths) {
    this(paths, Collections.emptySet());
  }

  /**
   * @param paths the fields to extract
   * @param decimals those of {@code paths} whose numbers are kept as their exact JSON text (a
   *     {@link String}) rather than truncated to a {@link Long}: money, which must never pass
   *     through a {@code double}
   */
  LegacyJsonFields(Set<String> paths, Set<String> decimals) {
    for (String path : new HashSet<>(paths)) {
      Node node = root;
      // "a.b[].c" is a, then b, then any element of b, then c
      for (String step : path.split("\\.")) {
        int arrays = 0;
        while (step.endsWith("[]")) {
          step = step.substring(0, step.length() - 2);
          arrays++;
        }
        node = node.field(step);
        for (; arrays > 0; arrays--) {
          node = node.element();
        }
      }
      node.path = path;
      node.decimal = decimals.contains(path);
    }
  }

  /**
   * One position in a document: a field of an object, or any element of an array. {@code path} is
   * set when a value here is wanted (its key in the result); containers are nodes with children.
   */
  private static final class Node {
    private Map<String, Node> fields;
    private Node element;
    /** Whether this position lies in an array: its values are collected into a list. */
    private final boolean inArray;
    String path;
    boolean decimal;

    Node(boolean parentInArray, boolean isElement) {
      this.inArray = parentInArray || isElement;
    }

    boolean inArray() {
      return inArray;
    }

    Node field(String name) {
      if (fields == null) {
        fields = new HashMap<>();
      }
      return fields.computeIfAbsent(name, n -> new Node(inArray, false));
    }

    Node element() {
      if (element == null) {
        element = new Node(inArray, true);
      }
      return element;
    }

    /** The child for a field name, or {@code null} when nothing under it is wanted. */
    Node child(String name) {
      return fields == null ? null : fields.get(name);
    }

    boolean isContainer() {
      return fields != null || element != null;
    }
  }

  /** Extracts the fields from a JSON text; returns an empty map when it is not JSON. */
  Map<String, Object> extract(String json) {
    if (json == null || json.isEmpty()) {
      return Collections.emptyMap();
    }
    try (JsonParser parser = FACTORY.createParser(json)) {
      return extract(parser);
    } catch (IOException | RuntimeException e) {
      return Collections.emptyMap();
    }
  }

  /** Extracts the fields from UTF-8 JSON bytes; returns an empty map when it is not JSON. */
  Map<String, Object> extract(byte[] json) {
    if (json == null || json.length == 0) {
      return Collections.emptyMap();
    }
    try (JsonParser parser = FACTORY.createParser(json)) {
      return extract(parser);
    } catch (IOException | RuntimeException e) {
      return Collections.emptyMap();
    }
  }

  private Map<String, Object> extract(JsonParser parser) throws IOException {
    Map<String, Object> out = new HashMap<>();
    JsonToken token = parser.nextToken();
    if (token == JsonToken.START_OBJECT) {
      readObject(parser, root, out);
    } else if (token == JsonToken.START_ARRAY) {
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY && token != null) {
        if (token == JsonToken.START_OBJECT) {
          readObject(parser, root, out);
        } else {
          parser.skipChildren();
        }
      }
    }
    return out;
  }

  private void readObject(JsonParser parser, Node node, Map<String, Object> out)
      throws IOException {
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      Node child = node.child(parser.currentName());
      JsonToken value = parser.nextToken();
      if (child == null) {
        parser.skipChildren(); // a scalar: nothing to skip; a container: skipped unread
      } else {
        readValue(parser, value, child, out);
      }
    }
  }

  private void readValue(JsonParser parser, JsonToken token, Node node, Map<String, Object> out)
      throws IOException {
    if (token == null) {
      return;
    }
    switch (token) {
      case START_OBJECT:
        if (node.fields != null) {
          readObject(parser, node, out);
        } else {
          parser.skipChildren();
        }
        break;
      case START_ARRAY:
        Node element = node.element;
        if (element != null && (element.isContainer() || element.path != null)) {
          JsonToken next;
          while ((next = parser.nextToken()) != JsonToken.END_ARRAY && next != null) {
            readValue(parser, next, element, out);
          }
        } else {
          parser.skipChildren();
        }
        break;
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        if (node.path == null) {
          break;
        }
        if (node.decimal) {
          store(node, parser.getText(), out); // the number exactly as written
        } else if (token == JsonToken.VALUE_NUMBER_INT) {
          store(node, parser.getLongValue(), out);
        } else {
          store(node, (long) parser.getDoubleValue(), out);
        }
        break;
      case VALUE_STRING:
        if (node.path != null) {
          store(node, parser.getText(), out);
        }
        break;
      case VALUE_TRUE:
      case VALUE_FALSE:
        if (node.path != null) {
          store(node, token == JsonToken.VALUE_TRUE, out);
        }
        break;
      default:
        break;
    }
  }

  @SuppressWarnings("unchecked")
  private static void store(Node node, Object value, Map<String, Object> out) {
    if (node.inArray()) {
      ((List<Object>) out.computeIfAbsent(node.path, k -> new ArrayList<>())).add(value);
    } else {
      out.put(node.path, value);
    }
  }
}
