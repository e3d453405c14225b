// Listen page: microphone (getUserMedia + AudioWorklet) or an audio file (decodeAudioData),
// streamed as 16-bit PCM over /ws/stream with the start / binary / stop protocol; the answers are
// shown as they arrive. See docs/HTTP-API.md.
import { api, currentToken, setUpSignIn, socketUrl } from './auth.js';

/** With nothing named for this much audio, the microphone stops: "not in the library". */
const GIVE_UP_MS = 15000;
/** "no match yet" once this much audio went by without an answer. */
const NO_MATCH_YET_MS = 3000;
/** The longest stretch of a file that is streamed. */
const FILE_MAX_SECONDS = 60;
/** Audio kept for "Why this answer?": the server's recognition window. */
const KEEP_SECONDS = 10;
/**
 * How long the browser's audio may take to start. Firefox never starts an AudioContext on a
 * machine without an audio output device: its resume() would be waited for forever.
 */
const AUDIO_START_MS = 10000;

const $ = (id) => document.getElementById(id);
const button = $('listen');
const result = $('result');
const state = $('state');
const level = $('level');
const details = $('details');
const errorBox = $('error');
const explainButton = $('explain');
const fileInput = $('clip-file');

let run = null; // the stream in progress, if any
// The answer "Why?" explains: {id} (its recognition_id) and, once a run ended, {samples,
// sampleRate} of its last seconds (sent to POST /explain when there is no id).
let lastAnswer = null;
const durations = new Map(); // song_id -> duration_ms

function setState(text) {
  state.textContent = text;
}

function setResult(text, kind) {
  result.textContent = text;
  result.className = kind || '';
}

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = !message;
}

function clock(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
}

/** Last `seconds` of audio, kept in a ring buffer. */
class Keeper {
  constructor(sampleRate, seconds) {
    this.sampleRate = sampleRate;
    this.buffer = new Float32Array(Math.round(sampleRate * seconds));
    this.filled = 0;
    this.at = 0;
  }

  push(samples) {
    for (let i = 0; i < samples.length; i++) {
      this.buffer[this.at] = samples[i];
      this.at = (this.at + 1) % this.buffer.length;
    }
    this.filled = Math.min(this.buffer.length, this.filled + samples.length);
  }

  samples() {
    const out = new Float32Array(this.filled);
    const start = (this.at - this.filled + this.buffer.length) % this.buffer.length;
    for (let i = 0; i < this.filled; i++) {
      out[i] = this.buffer[(start + i) % this.buffer.length];
    }
    return out;
  }
}

function toPcm16(samples) {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]));
    out[i] = v < 0 ? v * 32768 : v * 32767;
  }
  return out.buffer;
}

/** One stream over /ws/stream: start, binary PCM chunks, stop. */
class Run {
  constructor(kind, sampleRate) {
    this.kind = kind;
    this.sampleRate = sampleRate;
    this.sentFrames = 0;
    this.matched = false;
    this.current = null;
    this.unnamedSinceMillis = 0;
    this.stopping = false;
    this.ended = false;
    this.answerId = null; // recognition_id of the answer shown
    this.keeper = new Keeper(sampleRate, KEEP_SECONDS);
    this.cleanups = [];
  }

  sentMillis() {
    return (this.sentFrames * 1000) / this.sampleRate;
  }

  /** Opens the socket and sends `start`; resolves once the server answered `started`. */
  open() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(socketUrl('/ws/stream'));
      ws.binaryType = 'arraybuffer';
      this.ws = ws;
      let started = false;
      ws.onopen = () => ws.send(JSON.stringify({
        type: 'start', sample_rate: Math.round(this.sampleRate), encoding: 'pcm_s16le', channels: 1,
      }));
      ws.onmessage = (event) => {
        const msg = JSON.parse(event.data);
        if (!started) {
          if (msg.ok && msg.type === 'started') {
            started = true;
            resolve();
          } else {
            reject(new Error(msg.error ? msg.error.message : 'the server refused the stream'));
          }
          return;
        }
        this.onMessage(msg);
      };
      ws.onclose = (event) => {
        if (!started) {
          reject(new Error(currentToken()
            ? 'The server refused the connection (is the token still valid?).'
            : 'Sign in first: the server needs a token.'));
        } else if (!this.ended) {
          this.finish(event.reason ? 'Connection closed: ' + event.reason : 'Connection closed.');
        }
      };
    });
  }

  send(samples) {
    if (this.stopping || !this.ws || this.ws.readyState !== WebSocket.OPEN) {
      return;
    }
    this.ws.send(toPcm16(samples));
    this.keeper.push(samples);
    this.sentFrames += samples.length;
    const ms = this.sentMillis();
    if (!this.current && ms >= NO_MATCH_YET_MS) {
      setResult('no match yet', 'pending');
    }
    if (this.current && this.kind === 'mic') {
      showPosition(this.current, ms);
    }
    if (this.kind === 'mic' && !this.current && ms - this.unnamedSinceMillis >= GIVE_UP_MS) {
      this.stop();
    }
  }

  onMessage(msg) {
    if (!msg.ok) {
      showError(msg.error.message);
      if (msg.error.code === 'stream_too_long') {
        this.finish();
      }
      return;
    }
    if (msg.type === 'match' || msg.type === 'update') {
      if (msg.match) {
        this.matched = true;
        this.current = { ...msg.match, stream_ms: msg.stream_ms };
        showMatch(this.current, this.kind, this.sentMillis());
        this.answered(msg.recognition_id);
        if (this.kind === 'file') {
          this.stop();
        }
      } else {
        this.current = null;
        this.answerId = msg.recognition_id || null;
        lastAnswer = null;
        explainButton.hidden = true;
        this.unnamedSinceMillis = this.sentMillis();
        setResult('no match yet', 'pending');
        details.hidden = true;
      }
    } else if (msg.type === 'final') {
      if (msg.match) {
        this.matched = true;
        this.current = { ...msg.match, stream_ms: msg.stream_ms };
        showMatch(this.current, this.kind, this.sentMillis());
        this.answered(msg.recognition_id);
      } else if (!this.current) {
        setResult('not in the library', 'unknown');
        details.hidden = true;
        this.answerId = msg.recognition_id || this.answerId;
      }
      this.finish();
    }
  }

  /** A match is shown: "Why?" explains its recognition from now on. */
  answered(recognitionId) {
    if (recognitionId) {
      this.answerId = recognitionId;
      lastAnswer = { id: recognitionId };
      explainButton.hidden = false;
    }
  }

  /** Stops sending and asks for the final answer. */
  stop() {
    if (this.stopping) {
      return;
    }
    this.stopping = true;
    this.cleanups.forEach((f) => f());
    this.cleanups = [];
    level.value = 0;
    setState('Finishing…');
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ type: 'stop' }));
    } else {
      this.finish();
    }
  }

  finish(problem) {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.stopping = true;
    this.cleanups.forEach((f) => f());
    this.cleanups = [];
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(1000, 'done');
    }
    if (problem) {
      showError(problem);
    }
    level.value = 0;
    lastAnswer = { id: this.answerId, samples: this.keeper.samples(), sampleRate: this.sampleRate };
    explainButton.hidden = !lastAnswer.id && lastAnswer.samples.length < this.sampleRate;
    setState(this.matched ? 'Done.' : 'Not listening.');
    button.textContent = 'Listen';
    button.setAttribute('aria-pressed', 'false');
    fileInput.disabled = false;
    if (run === this) {
      run = null;
    }
  }
}

async function trackDuration(songId) {
  if (!durations.has(songId)) {
    try {
      const track = await api('/tracks/' + encodeURIComponent(songId));
      durations.set(songId, track.duration_ms || 0);
    } catch (e) {
      durations.set(songId, 0);
    }
  }
  return durations.get(songId);
}

function showMatch(match, kind, nowMillis) {
  result.textContent = '';
  const title = document.createElement('span');
  title.className = 'title';
  title.textContent = match.title;
  result.append(title);
  result.className = 'named';
  $('artist').textContent = match.artist || '—';
  $('album').textContent = match.album || '—';
  $('score').textContent = Number(match.score).toFixed(2)
    + (match.score >= 0.8 ? ' (sure)' : match.score >= 0.6 ? ' (likely)' : ' (probable)');
  $('confidence').textContent = match.confidence + ' agreeing hashes';
  details.hidden = false;
  setState(kind === 'mic' ? 'Listening… (press again to stop)' : 'Found.');
  trackDuration(match.song_id).then(() => showPosition(match, nowMillis, kind));
  showPosition(match, nowMillis, kind);
}

/** Where in the track the music is now (microphone) or where the clip starts (file). */
function showPosition(match, nowMillis, kind = 'mic') {
  const at = kind === 'mic' ? match.delta_ms + nowMillis : match.delta_ms;
  const duration = durations.get(match.song_id) || 0;
  const text = (kind === 'mic' ? '' : 'clip starts at ') + clock(at)
    + (duration > 0 ? ' / ' + clock(duration) : '');
  $('position').textContent = text;
  const bar = $('position-bar');
  bar.hidden = duration <= 0;
  if (duration > 0) {
    bar.max = duration;
    bar.value = Math.max(0, Math.min(duration, at));
  }
}

function beginRun() {
  showError('');
  details.hidden = true;
  explainButton.hidden = true;
  lastAnswer = null;
  $('explanation').hidden = true;
  setResult('', '');
}

async function listen() {
  if (run) {
    run.stop();
    return;
  }
  if (!currentToken()) {
    showError('Sign in first: paste a token or an API key above.');
    $('token-input').focus();
    return;
  }
  if (!navigator.mediaDevices?.getUserMedia || !window.AudioWorkletNode) {
    showError('This browser cannot capture audio here (the page needs HTTPS or localhost, and a current browser).');
    return;
  }
  beginRun();
  button.textContent = 'Stop';
  button.setAttribute('aria-pressed', 'true');
  fileInput.disabled = true;
  setState('Asking for the microphone…');
  let media;
  let ctx;
  try {
    media = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    ctx = new AudioContext();
    await ctx.audioWorklet.addModule('/web/pcm-worklet.js');
    const current = new Run('mic', ctx.sampleRate);
    run = current;
    current.cleanups.push(() => {
      media.getTracks().forEach((t) => t.stop());
      ctx.close();
    });
    await current.open();
    const source = ctx.createMediaStreamSource(media);
    const node = new AudioWorkletNode(ctx, 'pcm-capture', { processorOptions: { blockFrames: 4096 } });
    const mute = ctx.createGain();
    mute.gain.value = 0;
    source.connect(node);
    node.connect(mute);
    mute.connect(ctx.destination);
    node.port.onmessage = ({ data }) => {
      level.value = Math.min(1, data.rms * 4);
      level.textContent = level.value.toFixed(2);
      current.send(data.samples);
    };
    if (ctx.state !== 'running') {
      await Promise.race([ctx.resume().catch(() => {}), new Promise((r) => setTimeout(r, AUDIO_START_MS))]);
    }
    if (current.stopping) {
      return; // stopped meanwhile (its clean-up closed the context)
    }
    if (ctx.state !== 'running') {
      throw new Error('The browser\'s audio did not start (is there an audio output device?). '
        + 'Check the sound settings, then press Listen again.');
    }
    setState('Listening…');
    setResult('listening…', 'pending');
  } catch (e) {
    media?.getTracks().forEach((t) => t.stop());
    if (run) {
      run.finish();
    } else {
      ctx?.close();
      button.textContent = 'Listen';
      button.setAttribute('aria-pressed', 'false');
      fileInput.disabled = false;
    }
    setState('Not listening.');
    showError(e.name === 'NotAllowedError'
      ? 'The microphone was not allowed. Allow it in the browser and press Listen again.'
      : e.message);
  }
}

async function recognizeFile() {
  const file = fileInput.files[0];
  if (!file || run) {
    return;
  }
  if (!currentToken()) {
    showError('Sign in first: paste a token or an API key above.');
    return;
  }
  beginRun();
  fileInput.disabled = true;
  setState('Decoding ' + file.name + '…');
  let audio;
  try {
    const ctx = new AudioContext();
    try {
      audio = await ctx.decodeAudioData(await file.arrayBuffer());
    } finally {
      ctx.close();
    }
  } catch (e) {
    fileInput.disabled = false;
    setState('Not listening.');
    showError('This file cannot be decoded by the browser: ' + (e.message || e.name));
    return;
  }
  const rate = audio.sampleRate;
  const frames = Math.min(audio.length, FILE_MAX_SECONDS * rate);
  const mono = new Float32Array(frames);
  for (let c = 0; c < audio.numberOfChannels; c++) {
    const data = audio.getChannelData(c);
    for (let i = 0; i < frames; i++) {
      mono[i] += data[i] / audio.numberOfChannels;
    }
  }
  const current = new Run('file', rate);
  run = current;
  try {
    await current.open();
  } catch (e) {
    current.finish(e.message);
    return;
  }
  setState('Sending ' + file.name + '…');
  setResult('listening…', 'pending');
  for (let at = 0; at < frames && !current.stopping; at += rate) {
    current.send(mono.subarray(at, Math.min(frames, at + rate)));
    await new Promise((r) => setTimeout(r, 0));
  }
  current.stop();
}

async function explainLast() {
  const answer = lastAnswer;
  if (!answer) {
    return;
  }
  const { showExplanation, showRecognitionExplanation } = await import('./explain.js');
  if (answer.id) {
    await showRecognitionExplanation($('explanation'), answer.id);
  } else if (answer.samples) {
    await showExplanation($('explanation'), answer.samples, answer.sampleRate);
  }
}

setUpSignIn(() => setResult('', ''));
button.addEventListener('click', listen);
fileInput.addEventListener('change', recognizeFile);
explainButton.addEventListener('click', explainLast);
