package io.tunetrace.server.jobs;

import java.util.UUID;

/**
 * A claimed fingerprint job: {@code {trackId, s3Key}} plus the lease that a worker holds on it.
 *
 * @param attempt this run's attempt number, 1-based (a run whose lease was lost does not count)
 * @param lostLeases how many earlier runs lost their lease (their worker died) before finishing
 */
public record Job(long id, UUID trackId, String s3Key, int attempt, int maxAttempts, String lockedBy,
    int lostLeases) {}
