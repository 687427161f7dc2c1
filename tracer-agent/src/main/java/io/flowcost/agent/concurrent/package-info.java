/** Carries the open workflow into tasks handed to JDK executors. */
package io.flowcost.agent.concurrent;
