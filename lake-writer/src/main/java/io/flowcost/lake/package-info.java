/**
 * The Flowcost lake: immutable, ZSTD-compressed Parquet files laid out as {@code
 * <table>/date=YYYY-MM-DD/<epochMillis>-<instanceId>-<seq>.parquet}.
 *
 * <p>{@link io.flowcost.lake.LakeWriter} is the entry point: it turns a batch of {@link
 * io.flowcost.lake.schema.Row}s into one file and publishes it atomically to a {@link
 * io.flowcost.lake.store.LakeStore}.
 */
package io.flowcost.lake;
