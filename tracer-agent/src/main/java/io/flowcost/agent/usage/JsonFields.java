package io.flowcost.agent.usage;

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
final class JsonFields {

  private static final JsonFactory FACTORY = new JsonFactory();

  private final Set<String> paths;
  private final Set<String> decimals;
  private final Set<String> containers;

  JsonFields(Set<String> paths) {
    this(paths, Collections.emptySet());
  }

  /**
   * @param paths the fields to extract
   * @param decimals those of {@code paths} whose numbers are kept as their exact JSON text (a
   *     {@link String}) rather than truncated to a {@link Long}: money, which must never pass
   *     through a {@code double}
   */
  JsonFields(Set<String> paths, Set<String> decimals) {
    this.paths = Collections.unmodifiableSet(new HashSet<>(paths));
    this.decimals = Collections.unmodifiableSet(new HashSet<>(decimals));
    Set<String> prefixes = new HashSet<>();
    for (String path : paths) {
      for (int i = path.indexOf('.'); i > 0; i = path.indexOf('.', i + 1)) {
        prefixes.add(path.substring(0, i));
      }
      if (path.endsWith("[]")) {
        prefixes.add(path);
      }
    }
    this.containers = Collections.unmodifiableSet(prefixes);
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
      readObject(parser, "", out);
    } else if (token == JsonToken.START_ARRAY) {
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY && token != null) {
        if (token == JsonToken.START_OBJECT) {
          readObject(parser, "", out);
        } else {
          parser.skipChildren();
        }
      }
    }
    return out;
  }

  private void readObject(JsonParser parser, String path, Map<String, Object> out)
      throws IOException {
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      String child = path.isEmpty() ? name : path + '.' + name;
      readValue(parser, parser.nextToken(), child, out);
    }
  }

  private void readValue(JsonParser parser, JsonToken token, String path, Map<String, Object> out)
      throws IOException {
    if (token == null) {
      return;
    }
    switch (token) {
      case START_OBJECT:
        if (containers.contains(path)) {
          readObject(parser, path, out);
        } else {
          parser.skipChildren();
        }
        break;
      case START_ARRAY:
        String element = path + "[]";
        if (containers.contains(element)) {
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
        if (decimals.contains(path)) {
          store(path, parser.getText(), out); // the number exactly as written
        } else if (token == JsonToken.VALUE_NUMBER_INT) {
          store(path, parser.getLongValue(), out);
        } else {
          store(path, (long) parser.getDoubleValue(), out);
        }
        break;
      case VALUE_STRING:
        if (paths.contains(path)) {
          store(path, parser.getText(), out);
        }
        break;
      case VALUE_TRUE:
      case VALUE_FALSE:
        store(path, token == JsonToken.VALUE_TRUE, out);
        break;
      default:
        break;
    }
  }

  @SuppressWarnings("unchecked")
  private void store(String path, Object value, Map<String, Object> out) {
    if (!paths.contains(path)) {
      return;
    }
    if (path.contains("[]")) {
      ((List<Object>) out.computeIfAbsent(path, k -> new ArrayList<>())).add(value);
    } else {
      out.put(path, value);
    }
  }
}
