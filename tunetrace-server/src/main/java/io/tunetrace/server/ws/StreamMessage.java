package io.tunetrace.server.ws;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * A text message on {@code /ws/stream}: {@code {"type": "start", "sample_rate": 44100, "encoding":
 * "pcm_s16le", "channels": 1}} or {@code {"type": "stop"}}.
 */
public record StreamMessage(
    @NotNull @Pattern(regexp = "start|stop", message = "must be start or stop") String type,
    @JsonProperty("sample_rate") @Min(4000) @Max(192000) Integer sampleRate,
    @Pattern(regexp = "pcm_s16le|f32le", message = "must be pcm_s16le or f32le") String encoding,
    @Min(1) @Max(8) Integer channels) {}
