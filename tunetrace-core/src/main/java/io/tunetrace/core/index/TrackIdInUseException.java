package io.tunetrace.core.index;

/**
 * {@link FingerprintIndex#addAs} was given an id the index already holds: a stored track, or one
 * being added or removed. The caller takes another id.
 */
public class TrackIdInUseException extends IndexException {
  public TrackIdInUseException(String message) {
    super(message);
  }
}
