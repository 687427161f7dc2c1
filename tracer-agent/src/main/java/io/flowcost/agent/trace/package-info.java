/**
 * The agent's spans, recorded behind its shaded OpenTelemetry API as flat records that are at once
 * the span, the span processor's {@code ReadableSpan} and the OTLP encoder's {@code SpanData}.
 */
package io.flowcost.agent.trace;
