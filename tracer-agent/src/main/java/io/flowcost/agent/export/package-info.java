/** The agent's own OpenTelemetry SDK and OTLP/HTTP export to the Flowcost collector. */
package io.flowcost.agent.export;
