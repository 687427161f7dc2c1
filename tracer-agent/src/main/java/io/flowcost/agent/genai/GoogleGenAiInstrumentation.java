package io.flowcost.agent.genai;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.flowcost.agent.instrumentation.InstrumentationModule;

/**
 * The Google Gen AI Java SDK ({@code com.google.genai:google-genai}): its requests go through
 * OkHttp, where the {@code okhttp} unit records them as bare Gemini requests (model from the URL
 * path, usage from {@code usageMetadata}); this unit hooks the SDK's {@code RetryInterceptor} so
 * that the SDK's retries of one request are the attempts of one logical call, and its {@code
 * Models.privateGenerateContent}/{@code privateGenerateContentStream} and its stream iterator's
 * {@code readCurrent} to infer the tool runs of a function-calling loop, whole and streamed.
 */
public final class GoogleGenAiInstrumentation extends InstrumentationModule {

  private static final String RETRY_INTERCEPTOR = "com.google.genai.RetryInterceptor";

  /** Creates the unit. */
  public GoogleGenAiInstrumentation() {
    super("google-genai", RETRY_INTERCEPTOR);
    transform(
        named(RETRY_INTERCEPTOR),
        named("intercept").and(takesArguments(1)),
        advice("RetryInterceptorAdvice"));
    // a function-calling loop's tool runs (GoogleGenAiTracing#toolLoopEnter): the request's
    // function responses, whole and streamed (the exit's answer is read for a whole response only)
    transform(
        named("com.google.genai.Models").or(named("com.google.genai.AsyncModels")),
        named("privateGenerateContent").or(named("privateGenerateContentStream"))
            .and(takesArguments(3)),
        advice("GenerateContentAdvice"));
    // a stream's function calls, chunk by chunk as the application reads them
    transform(
        named("com.google.genai.ResponseStream$ResponseStreamIterator"),
        named("readCurrent").and(takesArguments(0)),
        advice("StreamChunkAdvice"));
  }
}
