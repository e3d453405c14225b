package io.tunetrace.core;

import io.tunetrace.core.index.Track;

/**
 * What {@link TuneTrace#add} did with a file.
 *
 * @param track the stored track (for a duplicate, the track already indexed with the same bytes)
 * @param duplicate true when the content hash was already indexed and nothing was added
 * @param audioMillis duration of the audio that was read
 */
public record AddResult(Track track, boolean duplicate, long audioMillis) {}
