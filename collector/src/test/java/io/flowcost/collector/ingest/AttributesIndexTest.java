package io.flowcost.collector.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.collector.otlp.OtlpSpans;
import io.flowcost.collector.otlp.OtlpTraceDecoder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Attributes.Index}, the one pass that files a span's attributes for the interpreter's
 * look-ups, answers exactly as the backwards scan does: the last occurrence of a duplicated key,
 * keys whose {@code String} hashes collide kept apart, spans of every size (the table grows), and
 * a view whose index was since rebuilt for another span still reading its own span.
 */
class AttributesIndexTest {

  /** "Aa", "BB" and "C#" share one {@code String.hashCode()}; so do "AaAa", "BBBB", "AaBB". */
  private static final List<String> KEYS = List.of("Aa", "BB", "C#", "AaAa", "BBBB", "AaBB",
      "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.request.model",
      "gen_ai.response.model", "flowcost.attempt", "flowcost.call.kind", "gen_ai.system",
      "ключ", "", "k");

  @Test
  void everyLookUpAnswersAsTheScanDoesForSpansOfEverySizeWithDuplicatesAndCollisions()
      throws Exception {
    Random random = new Random(20261206);
    Attributes.Index index = new Attributes.Index();
    int compared = 0;
    for (int i = 0; i < 300; i++) {
      ScopeSpans.Builder scope = ScopeSpans.newBuilder();
      int spans = 1 + random.nextInt(4);
      for (int s = 0; s < spans; s++) {
        Span.Builder span = ids(Span.newBuilder().setName("s" + s), s);
        int n = random.nextInt(i % 10 == 0 ? 200 : 24); // now and then a span larger than 16 slots
        for (int a = 0; a < n; a++) {
          String key = KEYS.get(random.nextInt(KEYS.size()));
          AnyValue value = random.nextBoolean()
              ? AnyValue.newBuilder().setIntValue(random.nextInt(1000)).build()
              : AnyValue.newBuilder().setStringValue("v" + random.nextInt(1000)).build();
          span.addAttributes(KeyValue.newBuilder().setKey(key).setValue(value));
        }
        scope.addSpans(span);
      }
      OtlpSpans table = decode(scope);
      for (int s = 0; s < table.spans(); s++) {
        Attributes indexed = Attributes.ofSpan(table, s, index);
        Attributes scanned = Attributes.ofSpan(table, s);
        List<String> asked = new ArrayList<>(KEYS);
        asked.add("absent.key");
        asked.add("Ab"); // not sent, and no collision with any sent key's hash cluster guaranteed
        for (String k : asked) {
          assertThat(indexed.has(k)).as(k).isEqualTo(scanned.has(k));
          assertThat(indexed.string(k)).as(k).isEqualTo(scanned.string(k));
          compared++;
        }
      }
    }
    assertThat(compared).isGreaterThan(5000);
  }

  @Test
  void theLastOfADuplicatedKeyCountsAndAStaleViewStillReadsItsOwnSpan() throws Exception {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder()
        .addSpans(ids(Span.newBuilder().setName("a"), 0)
            .addAttributes(kv("gen_ai.request.model", "first"))
            .addAttributes(kv("Aa", "aa"))
            .addAttributes(kv("gen_ai.request.model", "second"))
            .addAttributes(kv("BB", "bb"))
            .addAttributes(kv("gen_ai.request.model", "last")))
        .addSpans(ids(Span.newBuilder().setName("b"), 1)
            .addAttributes(kv("gen_ai.request.model", "other span")));
    OtlpSpans table = decode(scope);
    Attributes.Index index = new Attributes.Index();

    Attributes a = Attributes.ofSpan(table, 0, index);
    assertThat(a.string("gen_ai.request.model")).isEqualTo("last");
    assertThat(a.string("Aa")).isEqualTo("aa");
    assertThat(a.string("BB")).isEqualTo("bb");
    assertThat(a.has("C#")).isFalse(); // same hash as "Aa" and "BB", never sent

    Attributes b = Attributes.ofSpan(table, 1, index); // the index now holds span b
    assertThat(b.string("gen_ai.request.model")).isEqualTo("other span");
    assertThat(a.string("gen_ai.request.model")).isEqualTo("last");
    assertThat(a.string("BB")).isEqualTo("bb");
  }

  private static Span.Builder ids(Span.Builder span, int n) {
    byte[] trace = new byte[16];
    trace[15] = 1;
    byte[] id = new byte[8];
    id[7] = (byte) (n + 1);
    return span.setTraceId(com.google.protobuf.ByteString.copyFrom(trace))
        .setSpanId(com.google.protobuf.ByteString.copyFrom(id))
        .setStartTimeUnixNano(1_790_000_000_000_000_000L)
        .setEndTimeUnixNano(1_790_000_000_001_000_000L);
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder().setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static OtlpSpans decode(ScopeSpans.Builder scope) throws Exception {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(Resource.newBuilder())
            .addScopeSpans(scope))
        .build();
    return OtlpTraceDecoder.decode(request.toByteArray(), "application/x-protobuf").table();
  }
}
