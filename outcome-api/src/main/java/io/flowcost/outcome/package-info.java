/**
 * The Flowcost outcome API: open named, tagged workflows and report whether they succeeded.
 * Start at {@link io.flowcost.outcome.Flowcost}. No runtime dependencies beyond the JDK.
 */
package io.flowcost.outcome;
