/**
 * {@code flowcost.workflow.methods}: application methods (batch jobs, message listeners) that are
 * workflow boundaries without code.
 */
package io.flowcost.agent.methods;
