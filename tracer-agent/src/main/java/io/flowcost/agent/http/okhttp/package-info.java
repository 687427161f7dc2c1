/**
 * OkHttp 3/4/5 (the transport of the official OpenAI and Anthropic Java SDKs): an advice on {@code
 * OkHttpClient.Builder.build()} appends one application interceptor, a {@link
 * java.lang.reflect.Proxy} of {@code okhttp3.Interceptor} defined in OkHttp's class loader. The
 * interceptor replaces the response body by one that tees the bytes the application reads. An
 * asynchronous call runs in the context of the thread that enqueued it ({@link
 * io.flowcost.agent.http.okhttp.OkHttpAsyncCalls}), not in that of the call whose end let OkHttp's
 * dispatcher start it.
 */
package io.flowcost.agent.http.okhttp;
