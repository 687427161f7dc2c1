/**
 * Table schemas ({@link io.flowcost.lake.schema.LakeTables}) and the validated row representation
 * ({@link io.flowcost.lake.schema.Row}) that producers fill.
 */
package io.flowcost.lake.schema;
