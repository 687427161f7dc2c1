package io.flowcost.agent.http.okhttp;

import io.flowcost.agent.testing.BenchmarkAgent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    BenchmarkAgent agent;
    OkHttpClient client;
    Request request;

    /** Installs the agent and builds the client. */
    public void install() {
      agent = BenchmarkAgent.install();
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
      agent.flush();
    }

    /** Spans ended but not exported so far: dropped by a full queue, once flushed. */
    public long unexported() {
      return agent.unexported();
    }
  }

  /** One request, its answer read whole as the application reads it. */
  public Object invocation(Installed state) throws IOException {
    try (Response response = state.client.newCall(state.request).execute()) {
      return response.body().string();
    }
  }
}
