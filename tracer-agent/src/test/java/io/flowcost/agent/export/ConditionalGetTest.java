package io.flowcost.agent.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.export.HttpTransportTest.RawCollector;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link ConditionalGet} over its kept HTTP/1.1 connection ({@link HttpTransport#get}): the same
 * request bytes as {@link java.net.HttpURLConnection}'s for the same fetch, the same results (a
 * body and its ETag, 304, a failure status, a body over the bound, chunks), one connection for
 * consecutive fetches, a kept connection the collector closed replaced, and a redirect followed.
 */
class ConditionalGetTest {

  private static final String OK_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";

  @Test
  void writesTheBytesHttpUrlConnectionWrites() throws Exception {
    try (RawCollector collector = new RawCollector()) {
      for (int i = 0; i < 4; i++) {
        collector.answer("HTTP/1.1 304 Not Modified\r\nETag: \"e1\"\r\nContent-Length: 0\r\n\r\n",
            false);
      }
      ConditionalGet get = new ConditionalGet(collector.endpoint("/v1/budgets?x=1"), "key-1",
          5_000, 1024);
      assertThat(get.fetchWithUrlConnection(null)).isInstanceOf(ConditionalGet.Unchanged.class);
      assertThat(get.fetchWithUrlConnection("\"e1\""))
          .isInstanceOf(ConditionalGet.Unchanged.class);
      assertThat(get.fetch(null)).isInstanceOf(ConditionalGet.Unchanged.class);
      assertThat(get.fetch("\"e1\"")).isInstanceOf(ConditionalGet.Unchanged.class);
      assertThat(collector.heads).hasSize(4);
      assertThat(collector.heads.get(2)).isEqualTo(collector.heads.get(0))
          .startsWith("GET /v1/budgets?x=1 HTTP/1.1\r\n").contains("X-Flowcost-Api-Key: key-1\r\n")
          .doesNotContain("If-None-Match");
      assertThat(collector.heads.get(3)).isEqualTo(collector.heads.get(1))
          .contains("If-None-Match: \"e1\"\r\n");
      assertThat(new String(get.request(null), StandardCharsets.ISO_8859_1))
          .isEqualTo(collector.heads.get(0));
      assertThat(get.connections()).isEqualTo(1);
      get.close();
    }
  }

  @Test
  void readsWhatHttpUrlConnectionReadOverOneConnection() throws Exception {
    try (RawCollector collector = new RawCollector()) {
      collector.answer(OK_HEAD + "ETag: \"a\"\r\nETag: \"b\"\r\nContent-Length: 7\r\n\r\n{\"x\":1}",
          false);
      collector.answer("HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\n\r\n", false);
      collector.answer(OK_HEAD + "Transfer-Encoding: chunked\r\n\r\n3\r\n{\"y\r\n4\r\n\":2}\r\n0\r\n\r\n",
          false);
      collector.answer("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy", false);
      collector.answer(OK_HEAD + "Content-Length: 7\r\n\r\n{\"z\":3}", false);
      ConditionalGet get = new ConditionalGet(collector.endpoint("/v1/budgets"), null, 5_000, 64);
      assertThat(get.fetch(null)).isInstanceOfSatisfying(ConditionalGet.Changed.class, c -> {
        assertThat(new String(c.body(), StandardCharsets.UTF_8)).isEqualTo("{\"x\":1}");
        assertThat(c.etag()).isEqualTo("\"b\""); // the last, as getHeaderField gives it
      });
      assertThat(get.fetch("\"b\"")).isInstanceOf(ConditionalGet.Unchanged.class);
      assertThat(get.fetch(null)).isInstanceOfSatisfying(ConditionalGet.Changed.class, c -> {
        assertThat(new String(c.body(), StandardCharsets.UTF_8)).isEqualTo("{\"y\":2}");
        assertThat(c.etag()).isNull();
      });
      assertThat(get.fetch(null)).isEqualTo(new ConditionalGet.Failed(503, "HTTP 503"));
      assertThat(get.fetch(null)).isInstanceOf(ConditionalGet.Changed.class);
      assertThat(get.connections()).isEqualTo(1);
      get.close();
    }
  }

  @Test
  void aBodyOverTheBoundFailsAndTheNextFetchGetsANewConnection() throws Exception {
    try (RawCollector collector = new RawCollector()) {
      collector.answer(OK_HEAD + "Content-Length: 20\r\n\r\n01234567890123456789", false);
      collector.answer(OK_HEAD + "Content-Length: 10\r\n\r\n0123456789", false);
      ConditionalGet get = new ConditionalGet(collector.endpoint("/v1/prices"), null, 5_000, 10);
      assertThat(get.fetch(null))
          .isEqualTo(new ConditionalGet.Failed(200, "the answer is larger than 10 bytes"));
      assertThat(get.fetch(null)).isInstanceOfSatisfying(ConditionalGet.Changed.class,
          c -> assertThat(c.body()).hasSize(10));
      assertThat(get.connections()).isEqualTo(2);
      get.close();
    }
  }

  @Test
  void aKeptConnectionTheCollectorClosedIsReplaced() throws Exception {
    try (RawCollector collector = new RawCollector()) {
      collector.answer("HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\n\r\n", true);
      collector.answer("HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\n\r\n", false);
      ConditionalGet get = new ConditionalGet(collector.endpoint("/v1/budgets"), null, 5_000, 64);
      assertThat(get.fetch("\"e\"")).isInstanceOf(ConditionalGet.Unchanged.class);
      collector.awaitClosed(1);
      assertThat(get.fetch("\"e\"")).isInstanceOf(ConditionalGet.Unchanged.class);
      assertThat(get.connections()).isEqualTo(2);
      assertThat(collector.heads).hasSize(2); // asked once each
      get.close();
    }
  }

  @Test
  void aRedirectIsFollowedAsHttpUrlConnectionFollowsIt() throws Exception {
    try (RawCollector collector = new RawCollector()) {
      collector.answer("HTTP/1.1 302 Found\r\nLocation: " + collector.endpoint("/moved")
          + "\r\nContent-Length: 0\r\n\r\n", false);
      // HttpURLConnection asks again, then follows
      collector.answer("HTTP/1.1 302 Found\r\nLocation: " + collector.endpoint("/moved")
          + "\r\nContent-Length: 0\r\n\r\n", false);
      collector.answer(OK_HEAD + "Content-Length: 2\r\n\r\n{}", false);
      ConditionalGet get = new ConditionalGet(collector.endpoint("/v1/budgets"), null, 5_000, 64);
      assertThat(get.fetch(null)).isInstanceOfSatisfying(ConditionalGet.Changed.class,
          c -> assertThat(new String(c.body(), StandardCharsets.UTF_8)).isEqualTo("{}"));
      assertThat(collector.heads).hasSize(3);
      assertThat(collector.heads.get(2)).startsWith("GET /moved HTTP/1.1\r\n");
      get.close();
    }
  }
}
