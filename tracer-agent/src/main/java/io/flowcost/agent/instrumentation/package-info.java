/**
 * The agent's instrumentations as units, as the OpenTelemetry Java agent has them: each instrumented
 * library is one {@link io.flowcost.agent.instrumentation.InstrumentationModule} — its name, the
 * classes that tell its library is present, and its type instrumentations (matchers beside the
 * advice they apply) — listed once in {@link io.flowcost.agent.instrumentation.Instrumentations} and
 * switched off with {@code flowcost.instrumentation.<name>.enabled=false}.
 */
package io.flowcost.agent.instrumentation;
