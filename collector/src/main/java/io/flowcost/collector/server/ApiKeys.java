package io.flowcost.collector.server;

import io.flowcost.collector.ingest.IngestBatch;
import io.flowcost.collector.ingest.WorkflowHint;
import io.flowcost.collector.ingest.WorkflowSpanRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Ingestion API keys ({@code --api-keys FILE}): one {@code key = tag=value,tag=value} per line,
 * {@code #} comments. A key's tags (its owner, team, …) are pinned for the workflows sent with
 * it: they override the same keys set by the sender (span attributes {@code flowcost.tag.*},
 * which carry {@code -Dflowcost.tags}, baggage {@code flowcost.*} and the outcome API), so whoever
 * holds a key cannot move its spend to another owner (DESIGN.md, tag precedence). Outcome
 * reports carry no tags at all. With no file, keys are not required.
 */
public final class ApiKeys {

  private final Map<String, Map<String, String>> owners;

  private ApiKeys(Map<String, Map<String, String>> owners) {
    this.owners = owners;
  }

  /** No keys: every request is accepted. */
  public static ApiKeys none() {
    return new ApiKeys(Map.of());
  }

  /** Loads a key file; a bad line is an error naming the line. */
  public static ApiKeys load(Path file) throws IOException {
    Map<String, Map<String, String>> owners = new HashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(file + " line " + (i + 1)
            + ": expected 'KEY = tag=value,tag=value'");
      }
      String key = line.substring(0, eq).strip();
      Map<String, String> tags = new LinkedHashMap<>();
      for (String pair : line.substring(eq + 1).split(",")) {
        String p = pair.strip();
        if (p.isEmpty()) {
          continue;
        }
        int e = p.indexOf('=');
        if (e <= 0) {
          throw new IllegalArgumentException(file + " line " + (i + 1)
              + ": tag '" + p + "' must be tag=value");
        }
        tags.put(p.substring(0, e).strip(), p.substring(e + 1).strip());
      }
      owners.put(key, Map.copyOf(tags));
    }
    if (owners.isEmpty()) {
      throw new IllegalArgumentException(file + ": no API keys in file");
    }
    return new ApiKeys(Map.copyOf(owners));
  }

  boolean enabled() {
    return !owners.isEmpty();
  }

  Optional<Map<String, String>> owner(String key) {
    return Optional.ofNullable(owners.get(key));
  }

  /** Sets the key owner's tags on workflow spans, overriding the span's own value for a key. */
  static IngestBatch applyOwnerTags(IngestBatch batch, Map<String, String> ownerTags) {
    if (ownerTags.isEmpty()
        || (batch.workflowSpans().isEmpty() && batch.workflowHints().isEmpty())) {
      return batch;
    }
    List<WorkflowSpanRecord> spans = new ArrayList<>();
    for (WorkflowSpanRecord w : batch.workflowSpans()) {
      Map<String, String> tags = new LinkedHashMap<>(w.tags());
      tags.putAll(ownerTags); // pinned: the key's tags win
      spans.add(new WorkflowSpanRecord(w.workflowId(), w.spanId(), w.workflowName(), w.service(),
          w.source(), w.startTime(), w.endTime(), w.error(), w.errorType(), tags,
          w.externalKey(), w.conversationId(), w.userId(), w.receivedAt()));
    }
    List<WorkflowHint> hints = new ArrayList<>();
    for (WorkflowHint h : batch.workflowHints()) {
      // a call span's copy of the tags is pinned the same way, or it would name another owner
      Map<String, String> tags = new LinkedHashMap<>(h.tags());
      tags.putAll(ownerTags);
      hints.add(new WorkflowHint(h.workflowId(), h.workflowName(), h.service(), tags));
    }
    return new IngestBatch(batch.calls(), spans, batch.spansReceived(),
        batch.spansReceivedByService(), batch.rejectedByReason(), batch.rejectedByService(),
        batch.agentDroppedByService(), batch.capBreaches(), hints);
  }
}
