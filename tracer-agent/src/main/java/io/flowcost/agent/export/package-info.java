/** The agent's tracing set-up and OTLP/HTTP export to the Flowcost collector. */
package io.flowcost.agent.export;
