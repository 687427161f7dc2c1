/** Bridge to {@code io.flowcost.outcome.spi.AgentBridge}: workflows opened through {@code outcome-api}. */
package io.flowcost.agent.outcomeapi;
