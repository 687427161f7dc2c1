/**
 * The agent's spans, recorded behind its shaded OpenTelemetry API as flat records that are at once
 * the span, the span processor's {@code ReadableSpan} and the {@code SpanData} the agent's own OTLP
 * encoder ({@link io.flowcost.agent.trace.OtlpTraceEncoder}) writes from.
 */
package io.flowcost.agent.trace;
