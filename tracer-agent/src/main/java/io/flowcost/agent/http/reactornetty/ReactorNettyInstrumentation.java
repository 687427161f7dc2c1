package io.flowcost.agent.http.reactornetty;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/** Reactor Netty's HTTP client, 1.2.x and 1.3.x ({@code reactor-netty}). */
public final class ReactorNettyInstrumentation extends InstrumentationModule {

  private static final String OPERATIONS = "reactor.netty.http.client.HttpClientOperations";
  private static final String HANDLER = "reactor.netty.http.client.HttpClientConnect$HttpClientHandler";

  /** Creates the unit. */
  public ReactorNettyInstrumentation() {
    super("reactor-netty", OPERATIONS);
    // the caller's context, on the subscribing thread
    transform(named(HANDLER), isConstructor(), advice("HandlerConstructorAdvice"));
    transform(
        named(HANDLER),
        named("requestWithBody").and(takesArguments(1)).and(takesArgument(0, named(OPERATIONS))),
        advice("RequestWithBodyAdvice"));
    // the request's head is about to be written (with its whole body when sent as one Mono):
    // the exchange starts, and a refused request fails in beforeMarkSentHeaders, before any byte
    transform(
        named("reactor.netty.http.HttpOperations"),
        named("markSentHeaders").or(named("markSentHeaderAndBody"))
            .and(takesArguments(1)).and(takesArgument(0, Object[].class)),
        advice("MarkSentAdvice"));
    transform(named(OPERATIONS), named("beforeMarkSentHeaders").and(takesArguments(0)),
        advice("BeforeHeadersAdvice"));
    transform(named(OPERATIONS), named("onOutboundComplete").and(takesArguments(0)),
        advice("OutboundCompleteAdvice"));
    transform(named(OPERATIONS), named("onOutboundError").and(takesArguments(1)),
        advice("FailureAdvice"));
    transform(
        named(OPERATIONS),
        named("onInboundNext").and(takesArguments(2)),
        advice("InboundNextAdvice"));
    transform(named(OPERATIONS), named("onInboundCancel").and(takesArguments(0)),
        advice("InboundCancelAdvice"));
    transform(named(OPERATIONS), named("onInboundClose").and(takesArguments(0)),
        advice("InboundCloseAdvice"));
    // declared once for all operations; the helper ignores those it does not know
    transform(named("reactor.netty.channel.ChannelOperations"),
        named("onInboundError").and(takesArguments(1)), advice("FailureAdvice"));
  }
}
