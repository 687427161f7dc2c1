package io.flowcost.agent.http.apache5;

import static io.flowcost.agent.http.apache5.ApacheTracing.call;

import io.flowcost.agent.calls.CallDepth;
import io.flowcost.agent.langchain4j.Reflect;
import java.net.URI;

/**
 * What differs between Apache HttpClient 4.5 and 5 classic clients where {@link ApacheTracing}
 * records an exchange: how a request's method, URI and entity, a response's status and an entity's
 * content type are read, and how a header is set. Everything else — the exchange, caps,
 * propagation, the teed response entity — is one skeleton ({@link ApacheTracing#enter(ApacheClassic,
 * Object, Object)}, {@link ApacheTracing#exit(ApacheClassic, Object, Object, Throwable)}). Both
 * clients' objects are read reflectively by their public API (the agent links against neither).
 */
public enum ApacheClassic {

  /** HttpClient 4.5 ({@code org.apache.http}): the request line holds method and URI. */
  HTTP_CLIENT_4("apache http 4", "org.apache.http.HttpEntity") {
    @Override
    String method(Object request) throws ReflectiveOperationException {
      return (String) call(call(request, "getRequestLine"), "getMethod");
    }

    @Override
    URI uri(Object request) throws ReflectiveOperationException {
      return URI.create((String) call(call(request, "getRequestLine"), "getUri"));
    }

    @Override
    String path(Object request) throws ReflectiveOperationException {
      String raw = uri(request).getRawPath();
      return raw == null || raw.isEmpty() ? "/" : raw;
    }

    @Override
    void setHeader(Object request, String name, String value)
        throws ReflectiveOperationException {
      call(request, "setHeader", name, value);
    }

    @Override
    int status(Object response) throws ReflectiveOperationException {
      return (Integer) call(call(response, "getStatusLine"), "getStatusCode");
    }

    @Override
    Object requestEntity(Object request) throws ReflectiveOperationException {
      // only an entity-enclosing request (POST, PUT) has one
      return Reflect.isInstance(request, "org.apache.http.HttpEntityEnclosingRequest")
          ? call(request, "getEntity") : null;
    }

    @Override
    String contentType(Object entity) throws ReflectiveOperationException {
      Object header = call(entity, "getContentType");
      return header == null ? null : (String) call(header, "getValue");
    }
  },

  /** HttpClient 5 classic ({@code org.apache.hc.client5}): the request has method and path. */
  HTTP_CLIENT_5("apache http", "org.apache.hc.core5.http.HttpEntity") {
    @Override
    String method(Object request) throws ReflectiveOperationException {
      return (String) call(request, "getMethod");
    }

    @Override
    URI uri(Object request) throws ReflectiveOperationException {
      return (URI) call(request, "getUri");
    }

    @Override
    String path(Object request) throws ReflectiveOperationException {
      String path = (String) call(request, "getPath");
      int query = path == null ? -1 : path.indexOf('?');
      return query < 0 ? path : path.substring(0, query);
    }

    @Override
    void setHeader(Object request, String name, String value)
        throws ReflectiveOperationException {
      request.getClass().getMethod("setHeader", String.class, Object.class)
          .invoke(request, name, value);
    }

    @Override
    int status(Object response) throws ReflectiveOperationException {
      return (Integer) call(response, "getCode");
    }

    @Override
    Object requestEntity(Object request) throws ReflectiveOperationException {
      return call(request, "getEntity");
    }

    @Override
    String contentType(Object entity) throws ReflectiveOperationException {
      return (String) call(entity, "getContentType");
    }
  };

  /** Names this client in the agent's failure log lines ({@code apache http 4 enter}). */
  final String logName;

  /** The client's {@code HttpEntity} interface, by name (loaded from the response's loader). */
  final String entityType;

  /** Nesting of {@code doExecute} on this thread: only the outermost is recorded. */
  final CallDepth depth = new CallDepth();

  ApacheClassic(String logName, String entityType) {
    this.logName = logName;
    this.entityType = entityType;
  }

  abstract String method(Object request) throws ReflectiveOperationException;

  /** The request's URI: where scheme, host and port come from when no target host is given. */
  abstract URI uri(Object request) throws ReflectiveOperationException;

  /** The request's raw path without its query. */
  abstract String path(Object request) throws ReflectiveOperationException;

  abstract void setHeader(Object request, String name, String value)
      throws ReflectiveOperationException;

  abstract int status(Object response) throws ReflectiveOperationException;

  /** The request's entity, or {@code null} when it has none. */
  abstract Object requestEntity(Object request) throws ReflectiveOperationException;

  /** An entity's {@code Content-Type}, or {@code null}. */
  abstract String contentType(Object entity) throws ReflectiveOperationException;
}
