/**
 * Parquet encoding of lake rows on parquet-java, with no Hadoop classes needed at run time: a plain
 * configuration, a row write support and a zstd-jni codec factory replace every Hadoop default.
 */
package io.flowcost.lake.parquet;
