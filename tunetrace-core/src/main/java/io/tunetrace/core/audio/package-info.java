/**
 * Decoding and resampling: every input becomes a mono {@link io.tunetrace.core.audio.PcmSource}
 * of floats in [-1, 1], read in bounded memory.
 *
 * <ul>
 *   <li>{@link io.tunetrace.core.audio.AudioDecoders} sniffs the container from its leading bytes
 *       and picks a decoder: WAV and MPEG-2/2.5 layer III MP3 (8–24 kHz) in pure Java; other
 *       MP3 through ffmpeg, or the optional pure-Java {@code fr.delthas:javamp3} when ffmpeg is
 *       missing; everything else through ffmpeg.
 *   <li>{@link io.tunetrace.core.audio.Resampler} converts to the analysis rate with a polyphase
 *       Kaiser-windowed sinc filter (flat to 0.8 of the lower Nyquist frequency, at least 70 dB
 *       down from it).
 *   <li>{@link io.tunetrace.core.audio.AudioTags} reads title, artist and album.
 * </ul>
 *
 * <p>Failures are {@link io.tunetrace.core.audio.UnsupportedAudioFormatException} (not audio, or
 * a tool is missing: the message says what to install) and {@link
 * io.tunetrace.core.audio.CorruptAudioException} (recognized but undecodable); I/O failures stay
 * {@link java.io.IOException}.
 */
package io.tunetrace.core.audio;
