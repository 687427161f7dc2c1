package io.flowcost.agent.http.okhttp;

import io.flowcost.agent.AgentConfig;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.export.Telemetry;
import io.flowcost.agent.trace.OtlpTraceEncoder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * One bare model request through OkHttp with the agent's interceptor ({@link OkHttpTracing}, as
 * the builder advice adds it): a chat completion to {@code api.openai.com} outside any workflow —
 * a call of its own in an implicit workflow, 3 spans — answered without a network by an
 * application interceptor behind the agent's (a canned OpenAI answer with usage), the body read
 * whole by the application. The spans go to the agent's batch processor, whose exporter encodes
 * them on its thread (where an answer left for later is read). Run, against an earlier build, by
 * {@code InvocationPathBeforeAfterBenchmark} with {@code -Dbench.benchmark=} this class: not a
 * test (its name does not end in {@code Test}).
 */
public class OkHttpPathBenchmark {

  static final byte[] ANSWER = ("{\"id\":\"chatcmpl-3\",\"object\":\"chat.completion\","
      + "\"created\":1700000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,"
      + "\"message\":{\"role\":\"assistant\",\"content\":\"The windshield is covered; the repair"
      + " is estimated at 420 USD.\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":"
      + "210,\"completion_tokens\":24,\"total_tokens\":234},\"system_fingerprint\":\"fp_1\"}")
      .getBytes(StandardCharsets.UTF_8);
  static final String REQUEST = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
      + "\"content\":\"Claim C-1: is the windshield covered?\"}]}";
  static final MediaType JSON = MediaType.get("application/json");

  /** The agent installed, an OkHttp client with its interceptor, the request. */
  public static class Installed {
    final AtomicLong exported = new AtomicLong();
    final AtomicLong ended = new AtomicLong();
    final OtlpTraceEncoder encoder = new OtlpTraceEncoder();
    SpanProcessor processor;
    OkHttpClient client;
    Request request;

    /** Installs the agent and builds the client. */
    public void install() {
      AgentConfig config = AgentConfig.from(Map.of("flowcost.service", "bench",
          "flowcost.budgets.poll", "off")::get, n -> null);
      processor = Telemetry.batching(new SpanExporter() {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
          encoder.encode(spans);
          exported.addAndGet(spans.size());
          return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
          return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
          return CompletableResultCode.ofSuccess();
        }
      });
      AgentContext.install(Telemetry.create(config, "bench", new Counting()).tracer(), config);
      OkHttpClient.Builder builder = new OkHttpClient.Builder();
      OkHttpTracing.addInterceptor(builder);
      // behind the agent's: the provider's answer, no network
      builder.addInterceptor(chain -> new Response.Builder()
          .request(chain.request())
          .protocol(Protocol.HTTP_1_1)
          .code(200)
          .message("OK")
          .header("Content-Type", "application/json")
          .header("x-request-id", "req-1")
          .body(ResponseBody.create(ANSWER, JSON))
          .build());
      client = builder.build();
      request = new Request.Builder().url("https://api.openai.com/v1/chat/completions")
          .post(RequestBody.create(REQUEST, JSON)).build();
    }

    /** Waits until the spans ended so far are exported (encoded). */
    public void flush() {
      processor.forceFlush().join(30, TimeUnit.SECONDS);
    }

    /** Spans ended but not exported so far: dropped by a full queue, once flushed. */
    public long unexported() {
      return ended.get() - exported.get();
    }

    private final class Counting implements SpanProcessor {
      @Override
      public void onStart(io.opentelemetry.context.Context parent,
          io.opentelemetry.sdk.trace.ReadWriteSpan span) {}

      @Override
      public boolean isStartRequired() {
        return false;
      }

      @Override
      public void onEnd(ReadableSpan span) {
        ended.incrementAndGet();
        processor.onEnd(span);
      }

      @Override
      public boolean isEndRequired() {
        return true;
      }

      @Override
      public CompletableResultCode forceFlush() {
        return processor.forceFlush();
      }
    }
  }

  /** One request, its answer read whole as the application reads it. */
  public Object invocation(Installed state) throws IOException {
    try (Response response = state.client.newCall(state.request).execute()) {
      return response.body().string();
    }
  }
}
