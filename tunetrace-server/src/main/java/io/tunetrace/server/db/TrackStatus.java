package io.tunetrace.server.db;

/** A track's life: {@code QUEUED → FINGERPRINTING → READY | FAILED}. */
public enum TrackStatus {
  QUEUED,
  FINGERPRINTING,
  READY,
  FAILED
}
