package io.tunetrace.core.index;

/**
 * An index built with one set of {@link io.tunetrace.core.FingerprintParams} was used with
 * another. Rebuild the index, or query it with the parameters it was built with.
 */
public class IncompatibleParamsException extends IndexException {
  public IncompatibleParamsException(String message) {
    super(message);
  }
}
