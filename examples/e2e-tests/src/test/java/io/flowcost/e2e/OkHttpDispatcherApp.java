package io.flowcost.e2e;

import io.flowcost.outcome.Flowcost;
import io.flowcost.outcome.Workflow;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Three asynchronous model calls ({@code Call.enqueue}) through one OkHttp client whose dispatcher
 * runs one call per host at a time, in an order the app forces: call A, enqueued in workflow
 * {@code dispatch-1}, is held (by an application interceptor, before it is sent) until call B,
 * enqueued in workflow {@code dispatch-2}, and call C, enqueued outside any workflow, wait in the
 * dispatcher's queue. A's end then promotes B on A's dispatcher thread, and B's end promotes C on
 * B's — where the executor hook alone would run them in A's and B's context. Prompts of 1, 10
 * and 20 words tell the calls apart by their input tokens. Prints {@code A 200}, {@code B 200},
 * {@code C 200} and {@code queued 2} (the calls that waited in the queue).
 *
 * <pre>java io.flowcost.e2e.OkHttpDispatcherApp --provider-url http://127.0.0.1:PORT/v1</pre>
 */
public final class OkHttpDispatcherApp {

  private static final MediaType JSON = MediaType.get("application/json");
  private static final long WAIT_SECONDS = 60;

  private OkHttpDispatcherApp() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    String url = args[1] + "/chat/completions";
    CountDownLatch aHeld = new CountDownLatch(1);
    CountDownLatch othersQueued = new CountDownLatch(1);
    AtomicBoolean first = new AtomicBoolean(true);
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequestsPerHost(1);
    OkHttpClient client = new OkHttpClient.Builder()
        .dispatcher(dispatcher)
        .addInterceptor(chain -> {
          if (first.compareAndSet(true, false)) {
            aHeld.countDown();
            await(othersQueued); // the dispatcher's only slot for the host stays taken
          }
          return chain.proceed(chain.request());
        })
        .build();
    try {
      CompletableFuture<Integer> a = new CompletableFuture<>();
      Thread one = new Thread(() -> inWorkflow("dispatch-1", () -> {
        enqueue(client, url, 1, a);
        return a;
      }), "workflow-1");
      one.start();
      await(aHeld);

      CompletableFuture<Integer> b = new CompletableFuture<>();
      CountDownLatch bEnqueued = new CountDownLatch(1);
      Thread two = new Thread(() -> inWorkflow("dispatch-2", () -> {
        enqueue(client, url, 10, b);
        bEnqueued.countDown();
        return b;
      }), "workflow-2");
      two.start();
      await(bEnqueued);

      CompletableFuture<Integer> c = new CompletableFuture<>();
      enqueue(client, url, 20, c); // outside any workflow
      int queued = dispatcher.queuedCallsCount();
      othersQueued.countDown();

      System.out.println("A " + a.get(WAIT_SECONDS, TimeUnit.SECONDS));
      System.out.println("B " + b.get(WAIT_SECONDS, TimeUnit.SECONDS));
      System.out.println("C " + c.get(WAIT_SECONDS, TimeUnit.SECONDS));
      System.out.println("queued " + queued);
      one.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
      two.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    } finally {
      othersQueued.countDown();
      dispatcher.executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  /** Opens workflow {@code key}, starts its call and keeps it open until the call answered. */
  private static void inWorkflow(String key, java.util.function.Supplier<CompletableFuture<Integer>> call) {
    try (Workflow wf = Flowcost.workflow("dispatch").externalKey(key).start()) {
      call.get().get(WAIT_SECONDS, TimeUnit.SECONDS);
      wf.success();
    } catch (Exception e) {
      throw new IllegalStateException(key, e);
    }
  }

  /** Enqueues a chat request whose prompt is {@code words} words; completes with its status. */
  private static void enqueue(OkHttpClient client, String url, int words, CompletableFuture<Integer> done) {
    String prompt = "word ".repeat(words).trim();
    String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\""
        + prompt + "\"}]}";
    Request request = new Request.Builder().url(url).post(RequestBody.create(body, JSON)).build();
    client.newCall(request).enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response response) {
        try (response) {
          response.body().string();
          done.complete(response.code());
        } catch (IOException e) {
          done.completeExceptionally(e);
        }
      }

      @Override
      public void onFailure(Call call, IOException e) {
        done.completeExceptionally(e);
      }
    });
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
