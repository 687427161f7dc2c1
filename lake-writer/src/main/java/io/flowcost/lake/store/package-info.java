/**
 * Storage for published lake files: the {@link io.flowcost.lake.store.LakeStore} contract (atomic
 * publish, prefix listing, reads, deletes for compaction), its local-directory and S3
 * implementations, and {@link io.flowcost.lake.store.LakeMirror}, a local copy for readers that
 * cannot read object storage.
 */
package io.flowcost.lake.store;
