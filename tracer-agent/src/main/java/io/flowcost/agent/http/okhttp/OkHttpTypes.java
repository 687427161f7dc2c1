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
    chainRequest = chain.getMethod("request");
    chainProceed = chain.getMethod("proceed", request);
    requestUrl = request.getMethod("url");
    requestMethod = request.getMethod("method");
    requestHeader = request.getMethod("header", String.class);
    requestNewBuilder = request.getMethod("newBuilder");
    requestBuilderHeader = requestBuilder.getMethod("header", String.class, String.class);
    requestBuilderBuild = requestBuilder.getMethod("build");
    urlScheme = url.getMethod("scheme");
    urlHost = url.getMethod("host");
    urlPort = url.getMethod("port");
    urlEncodedPath = url.getMethod("encodedPath");
    responseCode = response.getMethod("code");
    responseHeader = response.getMethod("header", String.class);
    responseBody = response.getMethod("body");
    responseNewBuilder = response.getMethod("newBuilder");
    responseBuilderBody = responseBuilder.getMethod("body", body);
    responseBuilderBuild = responseBuilder.getMethod("build");
    bodyContentType = body.getMethod("contentType");
    bodyContentLength = body.getMethod("contentLength");
    bodyByteStream = body.getMethod("byteStream");
    bodyCreate = body.getMethod("create", mediaType, long.class, bufferedSource);
    okioSource = okio.getMethod("source", InputStream.class);
    okioBuffer = okio.getMethod("buffer", source);
    Class<?> reqBody = Class.forName("okhttp3.RequestBody", false, loader);
    Class<?> bufferedSink = Class.forName("okio.BufferedSink", false, loader);
    Class<?> buffer = Class.forName("okio.Buffer", false, loader);
    requestBody = request.getMethod("body");
    requestBodyContentType = reqBody.getMethod("contentType");
    requestBodyContentLength = reqBody.getMethod("contentLength");
    requestBodyWriteTo = reqBody.getMethod("writeTo", bufferedSink);
    requestBodyIsOneShot = optional(reqBody, "isOneShot");
    okioBufferNew = buffer.getConstructor();
    okioBufferReadByteArray = buffer.getMethod("readByteArray");
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
