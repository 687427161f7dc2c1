package io.flowcost.agent.aws;

import io.flowcost.agent.AgentLog;
import io.flowcost.agent.http.HttpExchange;
import io.flowcost.agent.http.HttpExchanges;
import io.flowcost.agent.http.SdkCall;
import io.flowcost.agent.http.TeeInputStream;
import io.flowcost.agent.http.ToolLoop;
import io.flowcost.agent.http.apache5.ApacheTracing;
import io.flowcost.agent.langchain4j.Reflect;
import io.flowcost.agent.usage.ToolWire;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The agent's AWS SDK {@code ExecutionInterceptor}, a {@link Proxy} defined in the SDK's class
 * loader (the agent's classes cannot implement the SDK's interface). Per execution it keeps an
 * {@link Execution} in the SDK's {@code ExecutionAttributes}, and per HTTP attempt — {@code
 * beforeTransmission} to the response body's end — one attempt of the call {@link BedrockTracing}
 * opened: status and content type from {@code afterTransmission}, usage from a tee of the body the
 * SDK reads ({@code modifyHttpResponseContent}, sync) or of the byte publisher it subscribes to
 * ({@code modifyAsyncHttpResponseContent}, async; also the event streams); and, once per
 * Converse execution while tool calls wait for their answers, the marshalled request body ({@code
 * modifyHttpContent}, before the first attempt) for its {@code toolResult} blocks. Every other hook runs
 * the interface's default; any failure of the agent falls back to the default too.
 */
final class BedrockInterceptor implements InvocationHandler {

  /** One {@code ExecutionAttribute} per SDK class loader (its names must be unique). */
  private static final ClassValue<Object> ATTRIBUTE = new ClassValue<Object>() {
    @Override
    protected Object computeValue(Class<?> attributeType) {
      try {
        Constructor<?> c = attributeType.getConstructor(String.class);
        return c.newInstance("io.flowcost.agent.BedrockCall");
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  };

  private final Object attribute;
  private final Method getAttribute;
  private final Method putAttribute;
  private final Class<?> publisherType;
  private final Class<?> subscriberType;
  private final Method subscribe;

  BedrockInterceptor(ClassLoader loader) throws ReflectiveOperationException {
    Class<?> attributeType = Class.forName(
        "software.amazon.awssdk.core.interceptor.ExecutionAttribute", false, loader);
    Class<?> attributes = Class.forName(
        "software.amazon.awssdk.core.interceptor.ExecutionAttributes", false, loader);
    attribute = ATTRIBUTE.get(attributeType);
    getAttribute = attributes.getMethod("getAttribute", attributeType);
    putAttribute = attributes.getMethod("putAttribute", attributeType, Object.class);
    publisherType = Class.forName("org.reactivestreams.Publisher", false, loader);
    subscriberType = Class.forName("org.reactivestreams.Subscriber", false, loader);
    subscribe = publisherType.getMethod("subscribe", subscriberType);
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    switch (method.getName()) {
      case "hashCode":
        return System.identityHashCode(proxy);
      case "equals":
        return proxy == args[0];
      case "toString":
        return "FlowcostBedrockInterceptor";
      default:
        break;
    }
    Object result = defaultResult(proxy, method, args);
    if (args == null || args.length != 2) {
      return result;
    }
    try {
      return hook(method.getName(), args[0], args[1], result);
    } catch (Throwable t) {
      AgentLog.failure("bedrock interceptor " + method.getName(), t);
      return result;
    }
  }

  private static Object defaultResult(Object proxy, Method method, Object[] args) throws Throwable {
    if (!method.isDefault()) {
      return null;
    }
    try {
      return InvocationHandler.invokeDefault(proxy, method, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** One hook; {@code result} is what the interface's default returned. */
  private Object hook(String name, Object context, Object attributes, Object result)
      throws ReflectiveOperationException {
    if (name.equals("beforeExecution")) {
      SdkCall sdk = Context.current().get(BedrockTracing.KEY);
      if (sdk != null && execution(attributes) == null) {
        Long toolLoop = Context.current().get(BedrockTracing.TOOL_LOOP);
        putAttribute.invoke(attributes, attribute,
            new Execution(sdk, toolLoop == null ? 0 : toolLoop));
      }
      return result;
    }
    Execution execution = execution(attributes);
    if (execution == null) {
      return result;
    }
    switch (name) {
      case "modifyHttpContent":
        long callStarted = execution.takeToolLoop();
        if (callStarted != 0 && ToolLoop.anyPending()) {
          answerToolCalls(execution, result, callStarted);
        }
        return result;
      case "beforeTransmission":
        execution.startAttempt();
        return result;
      case "afterTransmission":
        Object response = Reflect.call(context, "httpResponse");
        Object status = Reflect.call(response, "statusCode");
        // the response's class is the SDK's package-private implementation: call the interface
        Object type = ApacheTracing.publicMethod(response.getClass(), "firstMatchingHeader",
            new Class<?>[] {String.class}).invoke(response, "Content-Type");
        execution.responseHead(status instanceof Integer ? (Integer) status : 0,
            type instanceof Optional ? (String) ((Optional<?>) type).orElse(null) : null);
        return result;
      case "modifyHttpResponseContent":
        return teeStream(execution, result);
      case "modifyAsyncHttpResponseContent":
        return teePublisher(execution, result);
      case "afterExecution":
        execution.executionSucceeded();
        return result;
      case "onExecutionFailure":
        Object error = Reflect.call(context, "exception");
        execution.failed(error instanceof Throwable ? (Throwable) error : null);
        return result;
      default:
        return result;
    }
  }

  /** Most bytes of a request body read for its tool results; a longer one is not read. */
  static final int MAX_TOOL_LOOP_BODY = 8 << 20;

  /**
   * Reads the marshalled Converse body ({@code Optional<RequestBody>}, in memory: the SDK resends
   * it on every attempt) and records the tool rows its {@code toolResult} blocks answer.
   */
  private static void answerToolCalls(Execution execution, Object body, long callStarted) {
    Object requestBody = body instanceof Optional ? ((Optional<?>) body).orElse(null) : null;
    Object provider = Reflect.call(requestBody, "contentStreamProvider");
    Object stream = Reflect.call(provider, "newStream");
    if (!(stream instanceof InputStream)) {
      return;
    }
    byte[] bytes;
    try (InputStream in = (InputStream) stream) {
      bytes = in.readNBytes(MAX_TOOL_LOOP_BODY + 1);
    } catch (IOException e) {
      return;
    }
    if (bytes.length <= MAX_TOOL_LOOP_BODY) {
      ToolLoop.answering(ToolWire.BEDROCK_CONVERSE, bytes, execution.sdk.call().parentContext(), "",
          callStarted);
    }
  }

  private Execution execution(Object attributes) throws ReflectiveOperationException {
    Object value = getAttribute.invoke(attributes, attribute);
    return value instanceof Execution ? (Execution) value : null;
  }

  private static Object teeStream(Execution execution, Object result) {
    // the SDK calls both content hooks; only the one with a body takes the attempt's tee
    Object body = result instanceof Optional ? ((Optional<?>) result).orElse(null) : null;
    if (!(body instanceof InputStream)) {
      return result;
    }
    HttpExchange exchange = execution.teeing(false);
    return exchange == null ? result : Optional.of(new TeeInputStream((InputStream) body, exchange));
  }

  private Object teePublisher(Execution execution, Object result) {
    if (!(result instanceof Optional) || ((Optional<?>) result).isEmpty()) {
      return result;
    }
    HttpExchange exchange = execution.teeing(true);
    if (exchange == null) {
      return result;
    }
    Object publisher = ((Optional<?>) result).get();
    Object teed = Proxy.newProxyInstance(publisherType.getClassLoader(),
        new Class<?>[] {publisherType}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "subscribe":
              Object subscriber = Proxy.newProxyInstance(subscriberType.getClassLoader(),
                  new Class<?>[] {subscriberType}, new TeeSubscriber(args[0], exchange));
              return invokeOn(subscribe, publisher, subscriber);
            case "hashCode":
              return System.identityHashCode(proxy);
            case "equals":
              return proxy == args[0];
            case "toString":
              return "flowcost(" + publisher + ")";
            default:
              return invokeOn(method, publisher, args);
          }
        });
    return Optional.of(teed);
  }

  private static Object invokeOn(Method method, Object target, Object... args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /**
   * A subscriber in front of the SDK's: every buffer is read (without moving its position) before
   * it is passed on, and the stream's end or error ends the attempt. Signals pass unchanged.
   */
  private static final class TeeSubscriber implements InvocationHandler {
    private final Object delegate;
    private final HttpExchange exchange;

    TeeSubscriber(Object delegate, HttpExchange exchange) {
      this.delegate = delegate;
      this.exchange = exchange;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      try {
        switch (method.getName()) {
          case "onNext":
            if (args[0] instanceof ByteBuffer) {
              exchange.bodyBytes((ByteBuffer) args[0]);
            }
            break;
          case "onError":
            exchange.failed(args[0] instanceof Throwable ? (Throwable) args[0] : null);
            break;
          case "onComplete":
            exchange.bodyComplete();
            break;
          case "hashCode":
            return System.identityHashCode(proxy);
          case "equals":
            return proxy == args[0];
          case "toString":
            return "flowcost(" + delegate + ")";
          default:
            break;
        }
      } catch (Throwable t) {
        AgentLog.failure("bedrock stream tee", t);
      }
      return invokeOn(method, delegate, args);
    }
  }

  /** What the interceptor knows of one SDK execution: its call and current attempt. */
  static final class Execution {
    private final SdkCall sdk;
    // guarded by this: when the call started, while its request's tool results are to be read
    private long toolLoop;
    private HttpExchange exchange; // guarded by this
    private boolean tee; // guarded by this: the current attempt wants its body
    private boolean async; // guarded by this: the body arrives through a publisher

    Execution(SdkCall sdk, long toolLoop) {
      this.sdk = sdk;
      this.toolLoop = toolLoop;
    }

    /**
     * When the call started, if its request's tool results are to be read (once per Converse
     * execution); else 0.
     */
    synchronized long takeToolLoop() {
      long take = toolLoop;
      toolLoop = 0;
      return take;
    }

    void startAttempt() {
      HttpExchange previous;
      HttpExchange next = HttpExchanges.sdkAttempt(sdk).ignoreResponseModel();
      synchronized (this) {
        previous = exchange;
        exchange = next;
        tee = false;
      }
      if (previous != null) {
        // no response reached the SDK (a connection error it retried): first end wins, so a
        // finished attempt is unchanged
        previous.failed(new IOException());
      }
    }

    void responseHead(int status, String contentType) {
      HttpExchange current;
      synchronized (this) {
        current = exchange;
      }
      if (current != null) {
        boolean wantsBody = current.responseHead(status, contentType);
        synchronized (this) {
          tee = wantsBody && current == exchange;
        }
      }
    }

    /** The attempt whose body should be teed, or {@code null}; at most once per attempt. */
    synchronized HttpExchange teeing(boolean viaPublisher) {
      if (!tee) {
        return null;
      }
      tee = false;
      async = viaPublisher;
      return exchange;
    }

    void executionSucceeded() {
      HttpExchange current;
      synchronized (this) {
        // an asynchronous body ends when its publisher does (an event stream outlives this hook)
        current = async ? null : exchange;
      }
      if (current != null) {
        current.bodyComplete(); // the SDK read its whole body: ends it if the tee did not yet
      }
    }

    void failed(Throwable error) {
      HttpExchange current;
      synchronized (this) {
        current = exchange;
      }
      if (current != null) {
        current.failed(error != null ? error : new IOException());
      }
    }
  }
}
