/** Reads token usage from provider response bodies and streams, normalised to the GenAI conventions. */
package io.flowcost.agent.usage;
