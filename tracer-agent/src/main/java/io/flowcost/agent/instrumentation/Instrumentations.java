package io.flowcost.agent.instrumentation;

import io.flowcost.agent.aws.BedrockRuntimeInstrumentation;
import io.flowcost.agent.concurrent.ExecutorsInstrumentation;
import io.flowcost.agent.genai.GoogleGenAiInstrumentation;
import io.flowcost.agent.http.apache4.Apache4Instrumentation;
import io.flowcost.agent.http.apache5.Apache5Instrumentation;
import io.flowcost.agent.http.jetty.JettyInstrumentation;
import io.flowcost.agent.http.jdk.JdkHttpClientInstrumentation;
import io.flowcost.agent.http.okhttp.OkHttpInstrumentation;
import io.flowcost.agent.http.reactornetty.ReactorNettyInstrumentation;
import io.flowcost.agent.http.urlconnection.UrlConnectionInstrumentation;
import io.flowcost.agent.http.vertx.VertxWebClientInstrumentation;
import io.flowcost.agent.langchain4j.LangChain4jInstrumentation;
import io.flowcost.agent.methods.WorkflowMethodsInstrumentation;
import io.flowcost.agent.openai.StainlessSdkInstrumentation;
import io.flowcost.agent.outcomeapi.OutcomeApiInstrumentation;
import io.flowcost.agent.propagation.jdkserver.JdkHttpServerInstrumentation;
import io.flowcost.agent.propagation.servlet.ServletInstrumentation;
import io.flowcost.agent.propagation.vertxserver.VertxHttpServerInstrumentation;
import io.flowcost.agent.propagation.vertxweb.VertxWebInstrumentation;
import io.flowcost.agent.propagation.webflux.WebFluxInstrumentation;
import io.flowcost.agent.springai.SpringAiInstrumentation;
import io.flowcost.agent.toolrunner.AnthropicToolRunnerInstrumentation;
import java.util.List;

/** The one list of the agent's instrumentations, in the order their advice is registered. */
public final class Instrumentations {

  private Instrumentations() {}

  /**
   * Every unit, freshly built. Order matters only where two units' advice lands in one class; none
   * does today.
   */
  public static List<InstrumentationModule> all() {
    return List.of(
        new LangChain4jInstrumentation(),
        new SpringAiInstrumentation(),
        new ExecutorsInstrumentation(),
        new OutcomeApiInstrumentation(),
        new JdkHttpClientInstrumentation(),
        new OkHttpInstrumentation(),
        StainlessSdkInstrumentation.openAi(),
        StainlessSdkInstrumentation.anthropic(),
        new AnthropicToolRunnerInstrumentation(),
        new GoogleGenAiInstrumentation(),
        new Apache5Instrumentation(),
        new VertxWebClientInstrumentation(),
        new ReactorNettyInstrumentation(),
        new UrlConnectionInstrumentation(),
        new Apache4Instrumentation(),
        new JettyInstrumentation(),
        new BedrockRuntimeInstrumentation(),
        new JdkHttpServerInstrumentation(),
        new VertxHttpServerInstrumentation(),
        new ServletInstrumentation(),
        new WebFluxInstrumentation(),
        new VertxWebInstrumentation(),
        new WorkflowMethodsInstrumentation());
  }
}
