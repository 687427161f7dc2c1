package io.flowcost.test.core.http;

import java.io.IOException;
import java.io.OutputStream;

/** Shaped like the SDKs' {@code <sdk>.core.http.HttpRequestBody} (found by that name suffix). */
public interface HttpRequestBody {
  void writeTo(OutputStream out) throws IOException;

  String contentType();

  long contentLength();

  boolean repeatable();
}
