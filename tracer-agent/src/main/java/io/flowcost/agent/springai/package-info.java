/**
 * Spring AI (1.1.x): {@code ChatClient} invocations as workflows or steps, the model calls of a
 * Spring AI {@code ChatModel} as logical calls whose attempts are the HTTP exchanges inside
 * Spring's retry loop, tool executions ({@code ToolCallback.call}) as {@code tool} calls, and the
 * chat-memory conversation id. Helpers never link against Spring: they read its objects
 * reflectively and wrap Reactor fluxes through {@code java.lang.reflect.Proxy} instances defined
 * in the application's class loader.
 */
package io.flowcost.agent.springai;
