/** The workflow carried in the agent's own OpenTelemetry context, and the span contract's attribute keys. */
package io.flowcost.agent.context;
