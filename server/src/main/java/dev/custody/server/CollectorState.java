package dev.custody.server;

/**
 * How a runtime inventory collector running inside {@code custody serve} stands, for /readyz and /metrics. A collector
 * that cannot reach its API server is reported, never made a reason to refuse admissions.
 *
 * @param state       starting, watching, or unreachable
 * @param lastWriteAt epoch milliseconds of its last write to the store, 0 before the first
 */
public record CollectorState(String cluster, String state, String message, long lastWriteAt) {}
