package io.tunetrace.server.db;

/**
 * A track's life: {@code QUEUED → FINGERPRINTING → READY | FAILED}; {@code DELETING} while a
 * delete has removed the row's job but not yet all of its postings and its object (the row goes
 * last, so a failed delete can be finished).
 */
public enum TrackStatus {
  QUEUED,
  FINGERPRINTING,
  READY,
  FAILED,
  DELETING
}
