/** What a running collector tells the commands that read its lake (status file, WAL backlog). */
package io.flowcost.collector.status;
