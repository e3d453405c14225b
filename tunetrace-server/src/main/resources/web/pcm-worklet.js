// AudioWorklet processor: collects the microphone's first channel in blocks of `blockFrames`
// frames (about 85 ms at 48 kHz) and posts each block, with its RMS level, to the page.
class PcmCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.blockFrames = options?.processorOptions?.blockFrames || 4096;
    this.block = new Float32Array(this.blockFrames);
    this.filled = 0;
  }

  process(inputs) {
    const input = inputs[0];
    if (input && input.length > 0) {
      const channels = input.length;
      const frames = input[0].length;
      for (let i = 0; i < frames; i++) {
        let v = 0;
        for (let c = 0; c < channels; c++) {
          v += input[c][i];
        }
        this.block[this.filled++] = v / channels;
        if (this.filled === this.blockFrames) {
          let sum = 0;
          for (let k = 0; k < this.blockFrames; k++) {
            sum += this.block[k] * this.block[k];
          }
          const rms = Math.sqrt(sum / this.blockFrames);
          this.port.postMessage({ samples: this.block, rms }, [this.block.buffer]);
          this.block = new Float32Array(this.blockFrames);
          this.filled = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor('pcm-capture', PcmCapture);
