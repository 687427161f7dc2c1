package io.flowcost.collector.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.ingest.IngestBatch;
import io.flowcost.collector.ingest.WorkflowHint;
import io.flowcost.collector.ingest.WorkflowSpanRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

  @TempDir Path tmp;

  @Test
  void aKeysTagsArePinnedOverTheSpansOwnAndItsOtherTagsAreKept() throws Exception {
    Path file = tmp.resolve("keys.txt");
    Files.writeString(file, "# comment\nk-1 = owner=alice, team=a\n");
    ApiKeys keys = ApiKeys.load(file);
    Map<String, String> owner = keys.owner("k-1").orElseThrow();
    assertThat(keys.owner("k-2")).isEmpty();

    Instant t = Instant.parse("2026-12-01T10:00:00Z");
    WorkflowSpanRecord span = new WorkflowSpanRecord("5b8efff798038103d269b633813fc60c",
        "1111111111111111", "intent", "svc", "api", t, t.plusSeconds(1), false, null,
        Map.of("team", "b", "feature", "faq"), null, null, null, t);
    IngestBatch batch = new IngestBatch(List.of(), List.of(span), 1, Map.of("svc", 1), Map.of(),
        Map.of());

    Map<String, String> tags = ApiKeys.applyOwnerTags(batch, owner).workflowSpans().get(0).tags();

    assertThat(tags).containsExactlyInAnyOrderEntriesOf(
        Map.of("owner", "alice", "team", "a", "feature", "faq"));

    // a call span's copy of the workflow's tags is pinned the same way (live attribution)
    WorkflowHint hint = new WorkflowHint("5b8efff798038103d269b633813fc60c", "intent", "svc",
        Map.of("team", "b", "feature", "faq"));
    IngestBatch calls = new IngestBatch(List.of(), List.of(), 1, Map.of("svc", 1), Map.of(),
        Map.of(), Map.of(), List.of(), List.of(hint));
    assertThat(ApiKeys.applyOwnerTags(calls, owner).workflowHints().get(0).tags())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("owner", "alice", "team", "a", "feature", "faq"));
  }
}
