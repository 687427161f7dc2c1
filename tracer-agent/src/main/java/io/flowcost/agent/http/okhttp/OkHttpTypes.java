package io.flowcost.agent.http.okhttp;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OkHttp and Okio methods the interceptor uses, looked up once per class loader by name and
 * signature (the same in OkHttp 3.x, 4.x and 5.x).
 */
final class OkHttpTypes {

  private static final Map<ClassLoader, OkHttpTypes> BY_LOADER = new ConcurrentHashMap<>();

  final Method chainRequest;
  final Method chainProceed;
  final Method requestUrl;
  final Method requestMethod;
  final Method requestHeader;
  final Method requestNewBuilder;
  final Method requestBuilderHeader;
  final Method requestBuilderBuild;
  final Method urlScheme;
  final Method urlHost;
  final Method urlPort;
  final Method urlEncodedPath;
  final Method responseCode;
  final Method responseHeader;
  final Method responseBody;
  final Method responseNewBuilder;
  final Method responseBuilderBody;
  final Method responseBuilderBuild;
  final Method bodyContentType;
  final Method bodyContentLength;
  final Method bodyByteStream;
  final Method bodyCreate;
  final Method okioSource;
  final Method okioBuffer;
  final Method requestBody;
  final Method requestBodyContentType;
  final Method requestBodyContentLength;
  final Method requestBodyWriteTo;
  final Method requestBodyIsOneShot; // OkHttp 3.14+; null before
  final java.lang.reflect.Constructor<?> okioBufferNew;
  final Method okioBufferReadByteArray;

  private OkHttpTypes(ClassLoader loader) throws ReflectiveOperationException {
    Class<?> chain = Class.forName("okhttp3.Interceptor$Chain", false, loader);
    Class<?> request = Class.forName("okhttp3.Request", false, loader);
    Class<?> requestBuilder = Class.forName("okhttp3.Request$Builder", false, loader);
    Class<?> url = Class.forName("okhttp3.HttpUrl", false, loader);
    Class<?> response = Class.forName("okhttp3.Response", false, loader);
    Class<?> responseBuilder = Class.forName("okhttp3.Response$Builder", false, loader);
    Class<?> body = Class.forName("okhttp3.ResponseBody", false, loader);
    Class<?> mediaType = Class.forName("okhttp3.MediaType", false, loader);
    Class<?> okio = Class.forName("okio.Okio", false, loader);
    Class<?> source = Class.forName("okio.Source", false, loader);
    Class<?> bufferedSource = Class.forName("okio.BufferedSource", false, loader);
    chainRequest = accessible(chain.getMethod("request"));
    chainProceed = accessible(chain.getMethod("proceed", request));
    requestUrl = accessible(request.getMethod("url"));
    requestMethod = accessible(request.getMethod("method"));
    requestHeader = accessible(request.getMethod("header", String.class));
    requestNewBuilder = accessible(request.getMethod("newBuilder"));
    requestBuilderHeader =
        accessible(requestBuilder.getMethod("header", String.class, String.class));
    requestBuilderBuild = accessible(requestBuilder.getMethod("build"));
    urlScheme = accessible(url.getMethod("scheme"));
    urlHost = accessible(url.getMethod("host"));
    urlPort = accessible(url.getMethod("port"));
    urlEncodedPath = accessible(url.getMethod("encodedPath"));
    responseCode = accessible(response.getMethod("code"));
    responseHeader = accessible(response.getMethod("header", String.class));
    responseBody = accessible(response.getMethod("body"));
    responseNewBuilder = accessible(response.getMethod("newBuilder"));
    responseBuilderBody = accessible(responseBuilder.getMethod("body", body));
    responseBuilderBuild = accessible(responseBuilder.getMethod("build"));
    bodyContentType = accessible(body.getMethod("contentType"));
    bodyContentLength = accessible(body.getMethod("contentLength"));
    bodyByteStream = accessible(body.getMethod("byteStream"));
    bodyCreate = accessible(body.getMethod("create", mediaType, long.class, bufferedSource));
    okioSource = accessible(okio.getMethod("source", InputStream.class));
    okioBuffer = accessible(okio.getMethod("buffer", source));
    Class<?> reqBody = Class.forName("okhttp3.RequestBody", false, loader);
    Class<?> bufferedSink = Class.forName("okio.BufferedSink", false, loader);
    Class<?> buffer = Class.forName("okio.Buffer", false, loader);
    requestBody = accessible(request.getMethod("body"));
    requestBodyContentType = accessible(reqBody.getMethod("contentType"));
    requestBodyContentLength = accessible(reqBody.getMethod("contentLength"));
    requestBodyWriteTo = accessible(reqBody.getMethod("writeTo", bufferedSink));
    requestBodyIsOneShot = accessible(optional(reqBody, "isOneShot"));
    okioBufferNew = accessible(buffer.getConstructor());
    okioBufferReadByteArray = accessible(buffer.getMethod("readByteArray"));
  }

  /**
   * {@code member} with the language's access checks off ({@code setAccessible}): every one is a
   * public member of a public type, so the check always passes, yet {@code Method.invoke} runs it
   * on every call and profiles showed its slow path ({@code AccessibleObject.slowVerifyAccess},
   * 5 % of the hooks' samples on the application's thread). Left as it is where the module
   * system refuses (the check then stays).
   */
  private static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
    if (member != null) {
      try {
        member.setAccessible(true);
      } catch (RuntimeException e) {
        // InaccessibleObjectException (Java 9+) or a SecurityException: keep the checks
      }
    }
    return member;
  }

  private static Method optional(Class<?> type, String name) {
    try {
      return type.getMethod(name);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  static OkHttpTypes of(ClassLoader loader) throws ReflectiveOperationException {
    ClassLoader key = loader == null ? ClassLoader.getSystemClassLoader() : loader;
    OkHttpTypes types = BY_LOADER.get(key);
    if (types == null) {
      types = new OkHttpTypes(loader);
      BY_LOADER.putIfAbsent(key, types);
    }
    return types;
  }
}
