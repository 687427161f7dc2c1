package io.flowcost.agent.http.jdk;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.Optional;

/**
 * The public {@code java.net.http} types and methods, looked up once through the platform class
 * loader. Methods are taken from the public interfaces and abstract classes, never from the
 * implementation classes in {@code jdk.internal.net.http} (not open to reflection). The reads made
 * for every request sent ({@code uri}, {@code method}, {@code headers}, {@code map}) go through
 * constant method handles, the rest through {@link Method#invoke}.
 */
final class JdkTypes {

  static final Class<?> REQUEST = type("java.net.http.HttpRequest");
  static final Class<?> BODY_HANDLER = type("java.net.http.HttpResponse$BodyHandler");
  static final Class<?> BODY_SUBSCRIBER = type("java.net.http.HttpResponse$BodySubscriber");
  static final Class<?> RESPONSE_INFO = type("java.net.http.HttpResponse$ResponseInfo");
  static final Class<?> HEADERS = type("java.net.http.HttpHeaders");
  static final Class<?> BODY_PUBLISHER = type("java.net.http.HttpRequest$BodyPublisher");
  static final Class<?> REQUEST_BUILDER = type("java.net.http.HttpRequest$Builder");

  /*
   * The per-request reads as method handles typed (Object)Object in static finals: the JIT
   * compiles invokeExact on a constant handle to the interface call itself. Method.invoke, on
   * Java 17, goes through an accessor object per method behind a call site shared by all of the
   * JVM's reflection (megamorphic: left a virtual call inside the instrumented sendAsync,
   * docs/benchmarks.md, "Eighth round … the JIT's decisions"), with the access check and the
   * argument array's checks each time.
   */
  private static final MethodHandle URI_OF = handle(REQUEST, "uri");
  private static final MethodHandle METHOD_OF = handle(REQUEST, "method");
  private static final MethodHandle HEADERS_OF = handle(REQUEST, "headers");
  private static final MethodHandle MAP_OF = handle(HEADERS, "map");
  private static final Method INFO_STATUS = method(RESPONSE_INFO, "statusCode");
  private static final Method INFO_HEADERS = method(RESPONSE_INFO, "headers");
  private static final Method REQUEST_PUBLISHER = method(REQUEST, "bodyPublisher");
  private static final Method PUBLISHER_LENGTH = method(BODY_PUBLISHER, "contentLength");
  private static final Method COPY_REQUEST =
      method(REQUEST, "newBuilder", REQUEST, java.util.function.BiPredicate.class);
  private static final Method BUILDER_HEADER =
      method(REQUEST_BUILDER, "header", String.class, String.class);
  private static final Method BUILDER_BUILD = method(REQUEST_BUILDER, "build");
  private static final Method BUILDER_METHOD =
      method(REQUEST_BUILDER, "method", String.class, BODY_PUBLISHER);
  /** The class of every request {@code HttpRequest.Builder} builds ({@link JdkHeadersAdvice}). */
  static final Class<?> IMMUTABLE_REQUEST = type("jdk.internal.net.http.ImmutableHttpRequest");
  /**
   * The JDK's mark of a body subscriber whose {@code getBody} may be called on any thread ({@code
   * ResponseSubscribers.TrustedSubscriber}: {@code BodySubscribers.ofString}, {@code ofByteArray},
   * …), or {@code null} in a JDK without it. The JDK calls an unmarked subscriber's {@code
   * getBody} through its executor: one more hand-off between threads per response.
   */
  static final Class<?> TRUSTED_SUBSCRIBER = optionalType(
      "jdk.internal.net.http.ResponseSubscribers$TrustedSubscriber");
  /** What the agent's body subscriber implements, plain or trusted (never modified). */
  private static final Class<?>[] SUBSCRIBER_TYPES = {BODY_SUBSCRIBER};
  private static final Class<?>[] TRUSTED_TYPES = {BODY_SUBSCRIBER, TRUSTED_SUBSCRIBER};

  private JdkTypes() {}

  static URI uri(Object request) throws Throwable {
    return (URI) (Object) URI_OF.invokeExact(request);
  }

  static String method(Object request) throws Throwable {
    return (String) (Object) METHOD_OF.invokeExact(request);
  }

  static Object bodyPublisher(Object request) throws ReflectiveOperationException {
    return invoke(REQUEST_PUBLISHER, request);
  }

  static long contentLength(Object publisher) throws ReflectiveOperationException {
    return (Long) invoke(PUBLISHER_LENGTH, publisher);
  }

  /**
   * The request's {@code HttpHeaders} object ({@code request.headers()}): for the JDK's own
   * request class the same object at every call.
   */
  static Object headers(Object request) throws Throwable {
    return (Object) HEADERS_OF.invokeExact(request);
  }

  /**
   * The map of a {@code HttpHeaders} object ({@code headers.map()}: unmodifiable, its names
   * case-insensitive).
   */
  @SuppressWarnings("unchecked")
  static java.util.Map<String, java.util.List<String>> map(Object headers) throws Throwable {
    return (java.util.Map<String, java.util.List<String>>) (Object) MAP_OF.invokeExact(headers);
  }

  /**
   * The first value of header {@code name} in a {@code HttpHeaders} map, or {@code null}: what
   * {@code HttpHeaders.firstValue} answers, without the stream and {@code Optional} it builds.
   */
  static String first(java.util.Map<String, java.util.List<String>> headers, String name) {
    java.util.List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /**
   * A copy of the request with {@code traceparent} and/or {@code baggage} set (either may be
   * {@code null}: left as it is); {@code HttpRequest.newBuilder(request, filter)}, Java 16+.
   */
  static Object withHeaders(Object request, String traceparent, String baggage)
      throws ReflectiveOperationException {
    java.util.function.BiPredicate<String, String> keep =
        (name, value) ->
            !(baggage != null && name.equalsIgnoreCase("baggage"))
                && !(traceparent != null && name.equalsIgnoreCase("traceparent"));
    Object builder = invoke(COPY_REQUEST, null, request, keep);
    if (traceparent != null) {
      invoke(BUILDER_HEADER, builder, "traceparent", traceparent);
    }
    if (baggage != null) {
      invoke(BUILDER_HEADER, builder, "baggage", baggage);
    }
    return invoke(BUILDER_BUILD, builder);
  }

  /**
   * A {@code HttpHeaders} map with {@code traceparent} and/or {@code baggage} set, replacing any
   * of the same name (either may be {@code null}: left as it is); the other headers and their
   * values as they are, in the same (case-insensitive) order. A view, not a copy: it is read once,
   * by the JDK's own copy of the request's headers ({@code HttpHeaders.of}), which validates it.
   */
  static java.util.Map<String, java.util.List<String>> headersWith(
      java.util.Map<String, java.util.List<String>> headers, String traceparent, String baggage) {
    return new HeadersWith(headers, traceparent, baggage);
  }

  /**
   * Whether the JDK accepts {@code value} as a header value ({@code Utils.isValidValue}: tab and
   * the characters from space to 255 but DEL). The request builder checks this; the JDK's copy of a
   * request's headers throws on a bad one, so it is checked before anything reaches it.
   */
  static boolean validHeaderValue(String value) {
    if (value == null) {
      return true;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c > 255 || (c < ' ' && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  /**
   * A request's header map with {@code traceparent} and {@code baggage} set: a view read once by
   * {@code HttpHeaders.of}, which copies it. Its {@code forEach} walks the request's map with
   * {@code Map.forEach} (no iterator or entry objects), passing itself as the consumer.
   */
  private static final class HeadersWith
      extends java.util.AbstractMap<String, java.util.List<String>>
      implements java.util.function.BiConsumer<String, java.util.List<String>> {
    private final java.util.Map<String, java.util.List<String>> headers;
    private final String traceparent;
    private final String baggage;
    /** The consumer of the {@link #forEach} running now. */
    private java.util.function.BiConsumer<? super String, ? super java.util.List<String>> action;

    HeadersWith(java.util.Map<String, java.util.List<String>> headers, String traceparent,
        String baggage) {
      this.headers = headers;
      this.traceparent = traceparent;
      this.baggage = baggage;
    }

    private boolean replaced(String name) {
      return (traceparent != null && name.equalsIgnoreCase("traceparent"))
          || (baggage != null && name.equalsIgnoreCase("baggage"));
    }

    @Override
    public void forEach(
        java.util.function.BiConsumer<? super String, ? super java.util.List<String>> action) {
      java.util.function.BiConsumer<? super String, ? super java.util.List<String>> outer =
          this.action;
      this.action = action;
      try {
        headers.forEach(this);
      } finally {
        this.action = outer;
      }
      if (traceparent != null) {
        action.accept("traceparent", java.util.List.of(traceparent));
      }
      if (baggage != null) {
        action.accept("baggage", java.util.List.of(baggage));
      }
    }

    /** Case-insensitive, as the request's map ({@code HttpHeaders.allValues} reads this). */
    @Override
    public java.util.List<String> get(Object name) {
      if (!(name instanceof String)) {
        return null;
      }
      String n = (String) name;
      if (traceparent != null && n.equalsIgnoreCase("traceparent")) {
        return java.util.List.of(traceparent);
      }
      if (baggage != null && n.equalsIgnoreCase("baggage")) {
        return java.util.List.of(baggage);
      }
      return headers.get(n);
    }

    @Override
    public boolean containsKey(Object name) {
      return get(name) != null;
    }

    /** One header of the request's map, during {@link #forEach}: passed on unless replaced. */
    @Override
    public void accept(String name, java.util.List<String> values) {
      if (!replaced(name)) {
        action.accept(name, values);
      }
    }

    @Override
    public java.util.Set<Entry<String, java.util.List<String>>> entrySet() {
      java.util.Map<String, java.util.List<String>> all =
          new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      forEach(all::put);
      return all.entrySet();
    }
  }

  /**
   * A copy of the request whose body is a {@link BodyPublisherTee} of its own (same method,
   * headers, time-out, version), or the request itself when it has no body to copy.
   */
  static Object withBodyTee(Object request, BodyPublisherTee[] tee) throws Throwable {
    Object publisher = ((Optional<?>) bodyPublisher(request)).orElse(null);
    if (publisher == null || contentLength(publisher) == 0) {
      return request;
    }
    BodyPublisherTee handler = new BodyPublisherTee(publisher);
    Object proxy = Proxy.newProxyInstance(
        BODY_PUBLISHER.getClassLoader(), new Class<?>[] {BODY_PUBLISHER}, handler);
    java.util.function.BiPredicate<String, String> all = (name, value) -> true;
    Object builder = invoke(COPY_REQUEST, null, request, all);
    invoke(BUILDER_METHOD, builder, method(request), proxy);
    tee[0] = handler;
    return invoke(BUILDER_BUILD, builder);
  }

  static int statusCode(Object responseInfo) throws ReflectiveOperationException {
    return (Integer) invoke(INFO_STATUS, responseInfo);
  }

  static String header(Object responseInfo, String name) throws Throwable {
    return first(map(invoke(INFO_HEADERS, responseInfo)), name);
  }

  static Object proxyBodyHandler(InvocationHandler handler) {
    return Proxy.newProxyInstance(
        BODY_HANDLER.getClassLoader(), new Class<?>[] {BODY_HANDLER}, handler);
  }

  /**
   * A proxy of {@code BodySubscriber} calling {@code handler}; when the subscriber it wraps is one
   * the JDK trusts ({@link #TRUSTED_SUBSCRIBER}) and the JDK lets the agent ask that subscriber
   * whether it needs an executor ({@link #trustedAccess}), the proxy is marked trusted too, and its
   * {@code needsExecutor} answers what the wrapped subscriber's does ({@link BodySubscriberProxy}):
   * the JDK then treats the response exactly as without the agent, instead of handing {@code
   * getBody} to its executor.
   */
  static Object proxyBodySubscriber(InvocationHandler handler, Object delegate) {
    Class<?>[] types = TRUSTED_SUBSCRIBER != null && TRUSTED_SUBSCRIBER.isInstance(delegate)
            && TrustedAccess.GRANTED
        ? TRUSTED_TYPES
        : SUBSCRIBER_TYPES;
    return Proxy.newProxyInstance(BODY_SUBSCRIBER.getClassLoader(), types, handler);
  }

  /**
   * Whether {@code java.net.http} exports {@link #TRUSTED_SUBSCRIBER}'s package to the agent (done
   * by {@link JdkHttpClientInstrumentation#prepare}): what forwarding {@code needsExecutor} to the
   * wrapped subscriber needs.
   */
  static boolean trustedAccess() {
    return TRUSTED_SUBSCRIBER != null
        && TRUSTED_SUBSCRIBER.getModule().isExported(
            TRUSTED_SUBSCRIBER.getPackageName(), JdkTypes.class.getModule());
  }

  /**
   * {@link #trustedAccess()} asked once, when the first response is wrapped, not per response: the
   * unit's {@code prepare} (the export) runs before any of its advice is installed, and nothing
   * takes an export back.
   */
  private static final class TrustedAccess {
    static final boolean GRANTED = trustedAccess();
  }

  /** Whether {@code method} is {@code TrustedSubscriber.needsExecutor}. */
  static boolean isNeedsExecutor(Method method) {
    return method.getDeclaringClass() == TRUSTED_SUBSCRIBER;
  }

  /** Calls a method, rethrowing what it threw unchanged. */
  static Object forward(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static final Object[] NO_ARGUMENTS = new Object[0];

  /** A call without arguments: one shared empty array, not a new one per call. */
  private static Object invoke(Method method, Object target) throws ReflectiveOperationException {
    return method.invoke(target, NO_ARGUMENTS);
  }

  private static Object invoke(Method method, Object target, Object... args)
      throws ReflectiveOperationException {
    return method.invoke(target, args);
  }

  private static Class<?> type(String name) {
    try {
      return Class.forName(name, false, ClassLoader.getPlatformClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("java.net.http is not in this JVM", e);
    }
  }

  private static Class<?> optionalType(String name) {
    try {
      return Class.forName(name, false, ClassLoader.getPlatformClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  /** A public method without parameters as a handle typed {@code (Object)Object}. */
  private static MethodHandle handle(Class<?> type, String name) {
    try {
      return MethodHandles.publicLookup().unreflect(method(type, name))
          .asType(MethodType.methodType(Object.class, Object.class));
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("java.net.http changed shape", e);
    }
  }

  private static Method method(Class<?> type, String name, Class<?>... parameters) {
    try {
      return type.getMethod(name, parameters);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("java.net.http changed shape", e);
    }
  }
}
