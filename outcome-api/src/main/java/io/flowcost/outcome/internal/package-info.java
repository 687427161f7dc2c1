/** Implementation details of the outcome API; not an API, may change without notice. */
package io.flowcost.outcome.internal;
