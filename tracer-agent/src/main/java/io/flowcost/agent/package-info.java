/** Flowcost's {@code -javaagent}: entry point, settings and installer. */
package io.flowcost.agent;
