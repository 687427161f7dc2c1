/**
 * Compaction of the lake's fact tables: a closed day's small files merged into one, published
 * before the files it replaces are deleted.
 */
package io.flowcost.collector.compact;
