package io.flowcost.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpSettingsTest {

  @Test
  void defaultsRecordModelCallsOnlyAndSendBaggageNowhere() {
    HttpSettings s = HttpSettings.from(n -> null, n -> null, "http://127.0.0.1:4318");
    assertThat(s.captureAll()).isFalse();
    assertThat(s.mayReceiveBaggage("tools.internal")).isFalse();
    assertThat(s.isCollector("http", "127.0.0.1", 4318)).isTrue();
    assertThat(s.isCollector("http", "127.0.0.1", 4319)).isFalse();
  }

  @Test
  void propertiesWinOverTheEnvironment() {
    HttpSettings s =
        HttpSettings.from(
            Map.of("flowcost.http.capture", "all")::get,
            Map.of(
                    "FLOWCOST_HTTP_CAPTURE", "llm-only",
                    "FLOWCOST_PROPAGATION_HOSTS", "tools.internal, *.svc.cluster.local")
                ::get,
            "https://collector.corp");
    assertThat(s.captureAll()).isTrue();
    assertThat(s.mayReceiveBaggage("TOOLS.internal")).isTrue();
    assertThat(s.mayReceiveBaggage("a.svc.cluster.local")).isTrue();
    assertThat(s.mayReceiveBaggage("svc.cluster.local.evil.com")).isFalse();
    assertThat(s.mayReceiveBaggage("api.openai.com")).isFalse();
    assertThat(s.isCollector("https", "collector.corp", -1)).isTrue();
    assertThat(s.isCollector("https", "collector.corp", 443)).isTrue();
  }
}
