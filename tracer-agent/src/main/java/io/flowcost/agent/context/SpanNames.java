package io.flowcost.agent.context;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Names of call and tool spans, {@code <operation> <model>} or {@code execute_tool <tool>} (the
 * operation alone when the model is not known): built once per pair and reused, instead of a new
 * string on every call. Bounded: past {@link #MAX_OPERATIONS} operations or {@link #MAX_MODELS}
 * models (or tools) of one operation, names are built per call as before.
 */
public final class SpanNames {

  static final int MAX_OPERATIONS = 32;
  static final int MAX_MODELS = 512;

  private static final ConcurrentHashMap<String, ConcurrentHashMap<String, String>> NAMES =
      new ConcurrentHashMap<>();

  private SpanNames() {}

  /** {@code operation + ' ' + model}, or {@code operation} when {@code model} is {@code null}. */
  public static String of(String operation, String model) {
    if (model == null) {
      return operation;
    }
    ConcurrentHashMap<String, String> byModel = NAMES.get(operation);
    if (byModel == null) {
      if (NAMES.size() >= MAX_OPERATIONS) {
        return operation + ' ' + model;
      }
      byModel = NAMES.computeIfAbsent(operation, o -> new ConcurrentHashMap<>());
    }
    String name = byModel.get(model);
    if (name == null) {
      name = operation + ' ' + model;
      if (byModel.size() < MAX_MODELS) {
        String raced = byModel.putIfAbsent(model, name);
        if (raced != null) {
          name = raced;
        }
      }
    }
    return name;
  }
}
