package io.tunetrace.core.index;

/** Receives the postings a {@link FingerprintIndex#lookup} finds. */
@FunctionalInterface
public interface PostingVisitor {
  /**
   * @param queryIndex index into the looked-up hash array of the hash that matched
   * @param trackId the track holding the posting
   * @param frame the STFT frame of the posting within that track
   */
  void visit(int queryIndex, int trackId, int frame);
}
