package io.flowcost.agent.aws;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/**
 * AWS SDK v2 Bedrock Runtime: the interceptor list every Bedrock Runtime client builder reads
 * ({@code ClasspathInterceptorChainFactory.getInterceptors}) gets the agent's interceptor, and the
 * SDK's client handlers ({@code AwsSyncClientHandler} / {@code AwsAsyncClientHandler.execute})
 * open the logical call around each operation.
 */
public final class BedrockRuntimeInstrumentation extends InstrumentationModule {

  static final String PARAMS = "software.amazon.awssdk.core.client.handler.ClientExecutionParams";

  /** Creates the unit. */
  public BedrockRuntimeInstrumentation() {
    super("aws-bedrock-runtime", "software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient");
    transform(
        named("software.amazon.awssdk.core.interceptor.ClasspathInterceptorChainFactory"),
        named("getInterceptors").and(takesArguments(1)),
        advice("InterceptorsAdvice"));
    transform(
        named("software.amazon.awssdk.awscore.client.handler.AwsSyncClientHandler"),
        named("execute").and(takesArgument(0, named(PARAMS))),
        advice("SyncExecuteAdvice"));
    transform(
        named("software.amazon.awssdk.awscore.client.handler.AwsAsyncClientHandler"),
        named("execute").and(takesArgument(0, named(PARAMS))),
        advice("AsyncExecuteAdvice"));
  }
}
