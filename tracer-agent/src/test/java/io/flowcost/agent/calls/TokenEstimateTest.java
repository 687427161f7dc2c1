package io.flowcost.agent.calls;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.usage.Usage;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import org.junit.jupiter.api.Test;

class TokenEstimateTest {

  @Test
  void inputIsAQuarterOfTheBodyRoundedUpAndOutputTheLimit() {
    Usage u = TokenEstimate.of(401, 300L, null);
    assertThat(u.inputTokens()).isEqualTo(101L);
    assertThat(u.outputTokens()).isEqualTo(300L);
    assertThat(TokenEstimate.of(400, null, null).outputTokens()).isZero();
  }

  @Test
  void outputAlreadyStreamedWinsOverTheLimit() {
    Usage partial = Usage.builder().outputTokens(17L).build();
    assertThat(TokenEstimate.of(8, 300L, partial).outputTokens()).isEqualTo(17L);
  }

  @Test
  void readsTheTopLevelOutputLimitOnly() {
    assertThat(TokenEstimate.maxOutputTokens(
        "{\"messages\":[{\"max_tokens\":5}],\"max_completion_tokens\":64}")).isEqualTo(64L);
    assertThat(TokenEstimate.maxOutputTokens("{\"max_tokens\":1024}")).isEqualTo(1024L);
    assertThat(TokenEstimate.maxOutputTokens("{\"model\":\"x\"}")).isNull();
    assertThat(TokenEstimate.maxOutputTokens("not json")).isNull();
  }

  @Test
  void onlyReadTimeoutsCount() {
    assertThat(TokenEstimate.isReadTimeout(
        new RuntimeException(new HttpTimeoutException("request timed out")))).isTrue();
    assertThat(TokenEstimate.isReadTimeout(new SocketTimeoutException())).isTrue();
    assertThat(TokenEstimate.isReadTimeout(
        new RuntimeException(new HttpConnectTimeoutException("connect")))).isFalse();
    assertThat(TokenEstimate.isReadTimeout(new IOException("reset"))).isFalse();
  }
}
