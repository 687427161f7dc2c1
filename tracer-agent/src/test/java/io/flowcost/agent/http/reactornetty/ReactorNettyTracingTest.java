package io.flowcost.agent.http.reactornetty;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.context.AgentContext;
import io.flowcost.agent.context.Workflow;
import io.flowcost.agent.testing.AgentTelemetryExtension;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The context of a Reactor Netty request is its subscriber's, also when it waited for a pooled
 * connection and is bound to it on the I/O thread of another request ({@code bind} inside that
 * request's {@code onInboundNext}, whose caller context is current). The advice's static entry
 * points driven directly; end to end under the real agent: {@code QueuedRequestsEndToEndTest}.
 */
class ReactorNettyTracingTest {

  @RegisterExtension final AgentTelemetryExtension telemetry = new AgentTelemetryExtension();

  @Test
  void aRequestSubscribedOutsideAnyWorkflowStaysOutsideWhoeverHandsItItsConnection() {
    Object handler = new Object();
    Object operations = new Object();
    ReactorNettyTracing.handlerCreated(handler); // subscribed in the root context
    Workflow other = AgentContext.startWorkflow("other", "api", null, null);
    try (Scope ignored = other.attach(Context.current()).makeCurrent()) {
      ReactorNettyTracing.bind(handler, operations); // the connection, from another request
      Object scope = ReactorNettyTracing.inboundEnter(operations, new Object());
      try {
        assertThat(Context.current()).as("the subscriber's context: none")
            .isSameAs(Context.root());
      } finally {
        ReactorNettyTracing.inboundExit(scope);
      }
      assertThat(AgentContext.startedWorkflow()).isSameAs(other);
    }
    other.rootSpan().end();
  }

  @Test
  void aRequestSubscribedInAWorkflowKeepsItWhoeverHandsItItsConnection() {
    Object handler = new Object();
    Object operations = new Object();
    Workflow own = AgentContext.startWorkflow("own", "api", null, null);
    Workflow other = AgentContext.startWorkflow("other", "api", null, null);
    try (Scope ignored = own.attach(Context.current()).makeCurrent()) {
      ReactorNettyTracing.handlerCreated(handler);
    }
    try (Scope ignored = other.attach(Context.current()).makeCurrent()) {
      ReactorNettyTracing.bind(handler, operations);
      Object scope = ReactorNettyTracing.inboundEnter(operations, new Object());
      try {
        assertThat(AgentContext.startedWorkflow()).isSameAs(own);
      } finally {
        ReactorNettyTracing.inboundExit(scope);
      }
    }
    own.rootSpan().end();
    other.rootSpan().end();
  }
}
