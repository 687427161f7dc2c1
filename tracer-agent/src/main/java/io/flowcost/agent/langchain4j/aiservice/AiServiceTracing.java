package io.flowcost.agent.langchain4j.aiservice;

import io.flowcost.contract.WorkflowSource;
import io.flowcost.agent.AgentLog;
import io.flowcost.agent.BrokenInstrumentation;
import io.flowcost.agent.calls.InvocationCalls;
import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.SpanAttributes;
import io.flowcost.agent.caps.CapRefusal;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.context.WorkflowRefused;
import io.flowcost.agent.langchain4j.Reflect;
import io.flowcost.agent.langchain4j.TypedReads;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Consumer;

/**
 * AI-service invocations ({@code DefaultAiServices}' proxy handler): a workflow when none is open,
 * else a step of the open one. An invocation that returns a {@code TokenStream} lasts until the
 * stream completes or fails.
 */
public final class AiServiceTracing {

  private static final String TOKEN_STREAM = "dev.langchain4j.service.TokenStream";
  private static final String MEMORY_ID = "dev.langchain4j.service.MemoryId";

  /** Streams returned by an invocation and not yet started, weakly keyed by the stream object. */
  private static final Map<Object, Invocation> PENDING_STREAMS =
      Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * Whether {@link AiServiceInvokeAdvice} tells a returned {@code TokenStream} with a plain {@code
   * instanceof} rather than by name ({@link TypedReads}; every supported line has the interface).
   */
  public static final TypedReads TYPED =
      new TypedReads("langchain4j-aiservice-untyped", "LangChain4j AI-service results");

  private AiServiceTracing() {}

  /** Entry of an invocation whose arguments are not known: no conversation id. */
  public static Object enter(Method method) {
    return enter(method, null);
  }

  /**
   * Entry of {@code invoke(proxy, method, args)}; returns a token or {@code null}. The argument
   * annotated {@code @MemoryId}, if any, is the workflow's conversation ({@link
   * Workflow#conversation}).
   */
  public static Object enter(Method method, Object[] args) {
    try {
      BrokenInstrumentation.check("aiservice");
      if (method == null) {
        return null;
      }
      ServiceMethod described = ServiceMethod.of(method);
      if (described == null) {
        return null;
      }
      String agent = described.agent;
      String name = described.name;
      // read once for the open workflow and the invocation's parent (one look-up)
      Context current = Context.current();
      Workflow open = AgentContext.currentWorkflow(current);
      String conversation = described.memoryId(args);
      Span span;
      Context context;
      if (open == null) {
        Workflow workflow =
            AgentContext.startWorkflow(name, WorkflowSource.AI_SERVICE.wire(), null, null, null,
                method.getDeclaringClass().getClassLoader());
        workflow.conversation(conversation);
        span = workflow.rootSpan();
        span.setAttribute(SpanAttributes.AGENT_NAME, agent);
        context = workflow.attach(current);
      } else {
        open.conversation(conversation);
        span =
            AgentContext.tracer()
                .spanBuilder(name)
                .setAttribute(SpanAttributes.STEP, true)
                .setAttribute(SpanAttributes.STEP_NAME, name)
                .setAttribute(SpanAttributes.AGENT_NAME, agent)
                .setParent(current)
                .startSpan();
        context = current.with(span);
      }
      // calls made inside wait for the verdict on their answers (guardrails, a throwing step)
      context = InvocationCalls.open(context);
      return new Invocation(span, context, context.makeCurrent(), open != null);
    } catch (WorkflowRefused refused) {
      return CapRefusal.of(refused.exception()); // the advice skips the invocation and throws it
    } catch (Throwable t) {
      AgentLog.failure("ai service enter", t);
      return null;
    }
  }

  /**
   * The value of the argument annotated {@code @MemoryId} (matched by name: the agent does not
   * link LangChain4j), as text, or {@code null} when there is none or it is {@code null}.
   */
  static String memoryId(Method method, Object[] args) {
    if (method == null) {
      return null;
    }
    ServiceMethod described = ServiceMethod.of(method);
    return described == null ? null : described.memoryId(args);
  }

  /**
   * What an invocation of an AI-service method records, worked out once per method rather than
   * on every call: its names and which argument is the {@code @MemoryId} ({@code
   * getParameterAnnotations} copies its arrays on every call). {@code null} for methods that are
   * not traced (default methods, {@code Object}'s, LangChain4j's chat-memory access).
   */
  private static final class ServiceMethod {

    /** Per declaring interface, so a discarded application class loader is not kept. */
    private static final ClassValue<java.util.concurrent.ConcurrentHashMap<Method, ServiceMethod>>
        METHODS = new ClassValue<>() {
          @Override
          protected java.util.concurrent.ConcurrentHashMap<Method, ServiceMethod> computeValue(
              Class<?> type) {
            return new java.util.concurrent.ConcurrentHashMap<>();
          }
        };

    /** Stands for "not traced" in the map (which holds no {@code null}). */
    private static final ServiceMethod UNTRACED = new ServiceMethod(null, null, -1);

    /** {@code gen_ai.agent.name}: the interface's simple name. */
    final String agent;
    /** The span's and step's name: {@code <Interface>.<method>}. */
    final String name;
    /** Index of the {@code @MemoryId} argument, or -1. */
    final int memoryIdArgument;

    private ServiceMethod(String agent, String name, int memoryIdArgument) {
      this.agent = agent;
      this.name = name;
      this.memoryIdArgument = memoryIdArgument;
    }

    static ServiceMethod of(Method method) {
      java.util.concurrent.ConcurrentHashMap<Method, ServiceMethod> known =
          METHODS.get(method.getDeclaringClass());
      ServiceMethod described = known.get(method);
      if (described == null) {
        described = describe(method);
        known.putIfAbsent(method, described);
      }
      return described == UNTRACED ? null : described;
    }

    private static ServiceMethod describe(Method method) {
      Class<?> type = method.getDeclaringClass();
      if (method.isDefault()
          || type == Object.class
          || type.getName().startsWith("dev.langchain4j.service.memory.")) {
        return UNTRACED;
      }
      int memoryId = -1;
      java.lang.annotation.Annotation[][] annotations = method.getParameterAnnotations();
      for (int i = 0; i < annotations.length && memoryId < 0; i++) {
        for (java.lang.annotation.Annotation a : annotations[i]) {
          if (a.annotationType().getName().equals(MEMORY_ID)) {
            memoryId = i;
            break;
          }
        }
      }
      String agent = type.getSimpleName();
      return new ServiceMethod(agent, agent + '.' + method.getName(), memoryId);
    }

    /** The {@code @MemoryId} argument as text, or {@code null} (none, or a {@code null} one). */
    String memoryId(Object[] args) {
      if (memoryIdArgument < 0 || args == null || memoryIdArgument >= args.length) {
        return null;
      }
      Object id = args[memoryIdArgument];
      return id == null ? null : String.valueOf(id);
    }
  }

  /**
   * Exit: ends the span, unless a {@code TokenStream} was returned (then its end ends it).
   *
   * @return what the invocation throws: a refusal's exception, else {@code thrown}
   */
  public static Throwable exit(Object token, Object returned, Throwable thrown) {
    return exit(token, returned, thrown, TypedReads.UNREAD);
  }

  /**
   * {@link #exit(Object, Object, Throwable)} knowing whether {@code returned} is a {@code
   * TokenStream} (a {@code Boolean}; {@link TypedReads#UNREAD}: told here, by name).
   */
  public static Throwable exit(Object token, Object returned, Throwable thrown, Object tokenStream) {
    if (!(token instanceof Invocation)) {
      return CapRefusal.thrown(token, thrown); // a refusal's exception, else thrown
    }
    Invocation invocation = (Invocation) token;
    try {
      invocation.scope.close();
      if (thrown == null && (tokenStream == TypedReads.UNREAD
          ? Reflect.isInstance(returned, TOKEN_STREAM) : Boolean.TRUE.equals(tokenStream))) {
        PENDING_STREAMS.put(returned, invocation);
        return thrown;
      }
      invocation.end(thrown);
    } catch (Throwable t) {
      AgentLog.failure("ai service exit", t);
    }
    return thrown;
  }

  /**
   * Entry of {@code AiServiceTokenStream.start()}: makes the invocation's context current and
   * returns a token, or {@code null} when the stream is not one of ours.
   */
  public static Object streamStarting(Object stream) {
    try {
      Invocation invocation = PENDING_STREAMS.remove(stream);
      if (invocation == null) {
        return null;
      }
      return new StreamStart(invocation, invocation.context.makeCurrent());
    } catch (Throwable t) {
      AgentLog.failure("token stream start", t);
      return null;
    }
  }

  /**
   * Wraps the stream's completion handler so that completion ends the invocation. A missing
   * handler is replaced by one that only ends it.
   */
  @SuppressWarnings("unchecked")
  public static Object wrapCompletion(Object token, Object handler) {
    if (!(token instanceof StreamStart)) {
      return handler;
    }
    Invocation invocation = ((StreamStart) token).invocation;
    Consumer<Object> delegate = (Consumer<Object>) handler;
    return (Consumer<Object>)
        response -> {
          invocation.end(null);
          if (delegate != null) {
            delegate.accept(response);
          }
        };
  }

  /** Wraps the stream's error handler so that an error ends the invocation; null stays null. */
  @SuppressWarnings("unchecked")
  public static Object wrapError(Object token, Object handler) {
    if (!(token instanceof StreamStart) || handler == null) {
      return handler;
    }
    Invocation invocation = ((StreamStart) token).invocation;
    Consumer<Throwable> delegate = (Consumer<Throwable>) handler;
    return (Consumer<Throwable>)
        error -> {
          invocation.end(error);
          delegate.accept(error);
        };
  }

  /** Exit of {@code start()}: restores the context; a synchronous throw ends the invocation. */
  public static void streamStarted(Object token, Throwable thrown) {
    if (!(token instanceof StreamStart)) {
      return;
    }
    StreamStart start = (StreamStart) token;
    try {
      start.scope.close();
      if (thrown != null) {
        start.invocation.end(thrown);
      }
    } catch (Throwable t) {
      AgentLog.failure("token stream started", t);
    }
  }

  private static final class Invocation {
    final Span span;
    final Context context;
    final Scope scope;
    final boolean step;
    private boolean ended;

    Invocation(Span span, Context context, Scope scope, boolean step) {
      this.span = span;
      this.context = context;
      this.scope = scope;
      this.step = step;
    }

    synchronized void end(Throwable error) {
      if (ended) {
        return;
      }
      ended = true;
      InvocationCalls calls = InvocationCalls.in(context);
      if (calls != null) {
        calls.close(step && error != null ? InvocationCalls.FAILED_STEP : null);
      }
      if (error != null) {
        AgentContext.recordError(span, error);
      }
      span.end();
    }
  }

  private static final class StreamStart {
    final Invocation invocation;
    final Scope scope;

    StreamStart(Invocation invocation, Scope scope) {
      this.invocation = invocation;
      this.scope = scope;
    }
  }
}
