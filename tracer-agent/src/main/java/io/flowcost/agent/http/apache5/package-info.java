/**
 * Apache HttpClient 5 (classic): advice on {@code doExecute(HttpHost, ClassicHttpRequest,
 * HttpContext)} of its {@code CloseableHttpClient} implementations, through which every {@code
 * execute} overload passes. Headers are set on the request; the response entity is replaced by a
 * {@link java.lang.reflect.Proxy} of {@code HttpEntity} whose content stream is teed.
 */
package io.flowcost.agent.http.apache5;
