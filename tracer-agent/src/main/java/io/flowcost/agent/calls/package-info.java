/** Logical calls and their attempts (transport exchanges), shared by model and embedding calls. */
package io.flowcost.agent.calls;
