/**
 * Apache HttpClient 4.x classic ({@code org.apache.httpcomponents:httpclient}, still under many SDKs,
 * the AWS SDK's sync client among them): advice on {@code InternalHttpClient} / {@code
 * MinimalHttpClient.doExecute(HttpHost, HttpRequest, HttpContext)}, behind every {@code execute}
 * overload. The request's model comes from a repeatable JSON entity; {@code traceparent} is set on
 * the request; the response entity is replaced by a proxy whose content is teed ({@link
 * io.flowcost.agent.http.HttpEntityProxy}), as for HttpClient 5.
 */
package io.flowcost.agent.http.apache4;
