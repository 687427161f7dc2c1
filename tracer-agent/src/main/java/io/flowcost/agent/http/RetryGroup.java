package io.flowcost.agent.http;

import io.flowcost.agent.calls.LogicalCall;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;

/**
 * A framework's retry loop around one model request — Spring's {@code RetryTemplate} inside a
 * Spring AI model (the agent's {@code springai} hooks open it), the Google Gen AI SDK's {@code
 * RetryInterceptor} (the {@code genai} hook): the model exchanges sent inside it
 * are the attempts of one logical call, which the first of them starts (its request tells the
 * model). A loop that sends nothing records nothing. Thread-safe.
 */
public final class RetryGroup {

  private static final ContextKey<RetryGroup> KEY = ContextKey.named("flowcost-retry-group");

  private SdkCall sdk; // guarded by this
  private boolean closed; // guarded by this

  private RetryGroup() {}

  /** Opens a group in the current context; close the returned token with {@link #close}. */
  public static Token open() {
    RetryGroup group = new RetryGroup();
    return new Token(group, Context.current().with(KEY, group).makeCurrent());
  }

  /**
   * Opens a group unless one is open, or an SDK or framework call that records its own attempts is
   * current ({@link SdkCall}, a {@link LogicalCall}): then the outer layer keeps the attempts and
   * this returns {@code null}. For a retry loop nested in another (an SDK's below Spring AI's).
   */
  public static Token openIfNone() {
    if (current() != null || SdkCall.current() != null || LogicalCall.current() != null) {
      return null;
    }
    return open();
  }

  /** The group open in the current context, or {@code null}. */
  static RetryGroup current() {
    return Context.current().get(KEY);
  }

  /** Whether the group's logical call has started (its first attempt was sent). */
  synchronized boolean started() {
    return sdk != null;
  }

  /** The next attempt: the first one starts the logical call. */
  HttpExchange attempt(LlmEndpoint endpoint, RequestFields request) {
    synchronized (this) {
      if (sdk == null && !closed) {
        LogicalCall call =
            LogicalCall.start(
                endpoint.kind(),
                endpoint.operation(),
                endpoint.provider(),
                request.model() != null ? request.model() : endpoint.model(),
                request.stream());
        call.requestBody(request.body());
        sdk = SdkCall.of(call);
      }
      if (sdk == null) {
        return HttpExchange.ownCall(endpoint, request);
      }
      return HttpExchange.attemptOf(sdk);
    }
  }

  private void close(Throwable thrown) {
    SdkCall call;
    synchronized (this) {
      closed = true;
      call = sdk;
    }
    if (call != null) {
      call.methodExited(thrown);
    }
  }

  /** An open group and its scope. */
  public static final class Token {
    private final RetryGroup group;
    private final Scope scope;

    private Token(RetryGroup group, Scope scope) {
      this.group = group;
      this.scope = scope;
    }

    /** The retry loop returned (or threw {@code thrown}): its call ends once its exchanges have. */
    public void close(Throwable thrown) {
      scope.close();
      group.close(thrown);
    }
  }
}
