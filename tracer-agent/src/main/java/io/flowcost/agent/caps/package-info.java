/**
 * Per-workflow caps (issue 12): limits on a workflow's cost, tokens, model calls, tool calls and
 * wall time, read from {@code flowcost.caps*} settings and {@code outcome-api}, checked where a
 * model or tool call is about to start. See {@link io.flowcost.agent.caps.CapGuard}.
 */
package io.flowcost.agent.caps;
