/**
 * Storage for published lake files: the {@link io.flowcost.lake.store.LakeStore} contract (atomic
 * publish, prefix listing, reads) and its local-directory implementation.
 */
package io.flowcost.lake.store;
