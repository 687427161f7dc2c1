package io.flowcost.agent.springai;

import static io.flowcost.agent.instrumentation.TypeMatchers.hasSuperTypeNamed;
import static io.flowcost.agent.instrumentation.TypeMatchers.notInterface;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Spring AI ({@code spring-ai}): {@code ChatClient} invocations, {@code ChatModel} calls and
 * streams, Spring's retry loops when Spring AI runs them, tool callbacks ({@link SpringAiTracing}).
 */
public final class SpringAiInstrumentation extends InstrumentationModule {

  private static final String CLIENT = "org.springframework.ai.chat.client.DefaultChatClient$";
  private static final String CHAT_MODEL = "org.springframework.ai.chat.model.ChatModel";

  /** The unit. */
  public SpringAiInstrumentation() {
    super("spring-ai", CHAT_MODEL);
    // 1.x: every call() result method goes through the one-argument form; 2.x added a form taking
    // the advisor chain, which entity()/responseEntity() call directly and the one-argument form
    // delegates to: both are hooked, the nested one is a no-op (SpringAiTracing.clientCallEnter)
    transform(
        named(CLIENT + "DefaultCallResponseSpec"),
        named("doGetObservableChatClientResponse")
            .and(takesArgument(0, named("org.springframework.ai.chat.client.ChatClientRequest")))
            .and(takesArguments(1).or(takesArguments(2))),
        advice("ClientCallAdvice"));
    transform(
        named(CLIENT + "DefaultStreamResponseSpec"),
        named("doGetObservableFluxChatResponse").and(takesArguments(1)),
        advice("ClientStreamAdvice"));
    ElementMatcher.Junction<MethodDescription> promptOnly =
        takesArguments(1).and(takesArgument(0, named("org.springframework.ai.chat.prompt.Prompt")));
    transform(implementors(CHAT_MODEL), named("call").and(promptOnly), advice("ModelCallAdvice"));
    transform(implementors(CHAT_MODEL), named("stream").and(promptOnly), advice("ModelStreamAdvice"));
    // spring-retry (Spring AI 1.x) and Spring Framework 7's own (2.x); only Spring AI's loops count
    transform(
        named("org.springframework.retry.support.RetryTemplate"),
        named("doExecute").and(takesArguments(3)),
        advice("RetryAdvice"));
    transform(
        named("org.springframework.core.retry.RetryTemplate"),
        named("execute").and(takesArguments(1)),
        advice("RetryAdvice"));
    transform(
        implementors("org.springframework.ai.tool.ToolCallback"),
        named("call").and(takesArgument(0, String.class)).and(takesArguments(1).or(takesArguments(2))),
        advice("ToolCallAdvice"));
  }

  /** Concrete Spring AI classes implementing an interface. */
  private static ElementMatcher.Junction<TypeDescription> implementors(String interfaceName) {
    return nameStartsWith("org.springframework.ai.")
        .and(notInterface())
        .and(hasSuperTypeNamed(interfaceName));
  }
}
