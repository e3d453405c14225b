package io.tunetrace.server.jobs;

import java.util.UUID;

/**
 * A claimed fingerprint job: {@code {trackId, s3Key}} plus the lease that a worker holds on it.
 *
 * @param attempt this run's attempt number, 1-based
 */
public record Job(long id, UUID trackId, String s3Key, int attempt, int maxAttempts, String lockedBy) {}
