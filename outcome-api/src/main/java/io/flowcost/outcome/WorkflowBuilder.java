package io.flowcost.outcome;

import io.flowcost.outcome.spi.AgentBridge;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Describes a workflow before it starts: its name (the intent), tags and business key. Obtain one
 * from {@link Flowcost#workflow(String)}; not thread-safe, use it on one thread.
 */
public final class WorkflowBuilder {

  private final String name;
  private final Map<String, String> tags = new LinkedHashMap<>();
  private String externalKey;

  WorkflowBuilder(String name) {
    this.name = OutcomeBuilder.requireText("name", name, 256);
  }

  /**
   * Adds a tag (team, feature, customer, env, …). Tags set here override {@code flowcost.tags}.
   *
   * @throws IllegalArgumentException when the key is blank or the value null
   */
  public WorkflowBuilder tag(String key, String value) {
    OutcomeBuilder.requireText("tag key", key, 128);
    if (value == null) {
      throw new IllegalArgumentException("tag value must not be null");
    }
    tags.put(key, value);
    return this;
  }

  /** Adds every entry of {@code tags}, as {@link #tag} does. */
  public WorkflowBuilder tags(Map<String, String> tags) {
    Objects.requireNonNull(tags, "tags").forEach(this::tag);
    return this;
  }

  /**
   * Sets the business key (ticket id, order id, …) that outcomes may reference instead of the
   * workflow id, see {@link Flowcost#outcomeForKey}.
   */
  public WorkflowBuilder externalKey(String externalKey) {
    this.externalKey = OutcomeBuilder.requireText("externalKey", externalKey, OutcomeBuilder.MAX_KEY);
    return this;
  }

  /**
   * Opens the workflow on this thread and makes it current, or joins the workflow already open
   * on this thread (the returned handle then shares its id; this builder's tags and key are added
   * to it where it has none). Close it on the same thread, e.g. with try-with-resources.
   */
  public Workflow start() {
    String[] flatTags = new String[tags.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> e : tags.entrySet()) {
      flatTags[i++] = e.getKey();
      flatTags[i++] = e.getValue();
    }
    Object handle = AgentBridge.openWorkflow(name, flatTags, externalKey);
    if (handle != null) {
      return Workflow.underAgent(name, handle, externalKey);
    }
    return Workflow.local(name, tags, externalKey);
  }

  /**
   * Runs {@code body} inside the workflow: opens it, records an exception it throws (the
   * workflow span then has {@code error.type}), and closes it.
   */
  public <T> T call(Callable<T> body) throws Exception {
    Objects.requireNonNull(body, "body");
    try (Workflow workflow = start()) {
      try {
        return body.call();
      } catch (Exception | Error e) {
        workflow.fail(e);
        throw e;
      }
    }
  }

  /** Like {@link #call}, for a body that returns nothing and throws no checked exception. */
  public void run(Runnable body) {
    Objects.requireNonNull(body, "body");
    try (Workflow workflow = start()) {
      try {
        body.run();
      } catch (RuntimeException | Error e) {
        workflow.fail(e);
        throw e;
      }
    }
  }
}
