/**
 * The JDK {@code java.net.http.HttpClient} ({@code send} and {@code sendAsync}): advice on {@code
 * jdk.internal.net.http.HttpClientImpl}'s private {@code sendAsync}, through which both pass. The
 * helpers cannot link against {@code java.net.http} (a platform-loader module, invisible from the
 * bootstrap class path): they use its public API reflectively and wrap the body handler in {@link
 * java.lang.reflect.Proxy} instances defined in the platform loader.
 */
package io.flowcost.agent.http.jdk;
