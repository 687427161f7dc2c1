package io.flowcost.examples.httpclients;

import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

/** Apache HttpClient 4.5 classic, the body read with {@code EntityUtils.toString}. */
final class Apache4Transport implements Transport {

  private final CloseableHttpClient client = HttpClients.createDefault();

  @Override
  public Reply post(String url, String json) throws Exception {
    HttpPost post = new HttpPost(url);
    post.setEntity(new StringEntity(json, ContentType.APPLICATION_JSON));
    try (CloseableHttpResponse response = client.execute(post)) {
      String body = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity());
      return new Reply(response.getStatusLine().getStatusCode(), body);
    }
  }

  @Override
  public void close() throws Exception {
    client.close();
  }
}
