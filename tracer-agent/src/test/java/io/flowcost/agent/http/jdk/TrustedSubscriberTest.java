package io.flowcost.agent.http.jdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The body subscriber the agent wraps around the application's is trusted by the JDK exactly when
 * the wrapped one is, and says it needs an executor exactly when the wrapped one does: the JDK
 * then calls {@code getBody} where it would without the agent (no extra hand-off between threads
 * per response). It takes {@code java.net.http}'s export of {@code jdk.internal.net.http} to the
 * agent; without it the wrapper stays a plain {@code BodySubscriber}, as before.
 */
class TrustedSubscriberTest {

  @TempDir Path dir;

  @Test
  void withoutTheJdksExportTheWrapperIsAPlainSubscriber() {
    // this test JVM: java.net.http exports nothing internal to the class path
    assertThat(JdkTypes.TRUSTED_SUBSCRIBER).as("in Java 17 and 25").isNotNull();
    assertThat(JdkTypes.trustedAccess()).isFalse();
    HttpResponse.BodySubscriber<String> ofString =
        HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
    assertThat(JdkTypes.TRUSTED_SUBSCRIBER.isInstance(ofString)).isTrue();
    Object wrapped =
        JdkTypes.proxyBodySubscriber(new BodySubscriberProxy(null, ofString), ofString);
    assertThat(wrapped).isInstanceOf(HttpResponse.BodySubscriber.class);
    assertThat(JdkTypes.TRUSTED_SUBSCRIBER.isInstance(wrapped)).isFalse();
  }

  @Test
  void aJdkThatRefusesTheExportLeavesTheUnitOnWithThePlainWrapper() {
    AtomicBoolean asked = new AtomicBoolean();
    Instrumentation refusing = (Instrumentation) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {Instrumentation.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "isModifiableModule" -> true;
          case "redefineModule" -> {
            asked.set(true);
            throw new UnsupportedOperationException("not here");
          }
          default -> throw new AssertionError(method.getName());
        });
    new JdkHttpClientInstrumentation().prepare(refusing); // does not throw: the unit stays on
    assertThat(asked).isTrue();
    assertThat(JdkTypes.trustedAccess()).isFalse();
  }

  @Test
  void withTheJdksExportTheWrapperIsTrustedAsTheWrappedSubscriberIs() throws Exception {
    Path out = dir.resolve("child.txt");
    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-exports", "java.net.http/jdk.internal.net.http=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), TrustedSubscriberMain.class.getName())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String lines = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(child.exitValue()).as(lines).isZero();
    assertThat(lines.lines())
        .contains(
            "access=true",
            "ofString.trusted=true",
            "ofString.needsExecutor=false/false",
            "mapping.trusted=true",
            "mapping.needsExecutor=true/true",
            "own.trusted=false",
            "body=hello");
  }
}
