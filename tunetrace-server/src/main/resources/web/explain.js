// "Why?": shows the SVG the server draws for an answer — the clip's spectrogram with its peaks, the
// track's over the aligned stretch, the hashes that voted, the votes per Δt and the numbers. For an
// answer with a recognition_id the server explains the recognition it kept
// (GET /recognitions/{id}/explain); otherwise the audio the Listen page last streamed (its last
// seconds, as a WAV) is sent to POST /explain.
import { currentToken } from './auth.js';

/** A 16-bit mono WAV file of the samples. */
export function wav(samples, sampleRate) {
  const rate = Math.round(sampleRate);
  const buffer = new ArrayBuffer(44 + samples.length * 2);
  const v = new DataView(buffer);
  const text = (at, s) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  text(0, 'RIFF');
  v.setUint32(4, 36 + samples.length * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  text(36, 'data');
  v.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    v.setInt16(44 + i * 2, s < 0 ? s * 32768 : s * 32767, true);
  }
  return new Blob([buffer], { type: 'audio/wav' });
}

/** Explains the audio itself: POST /explain. */
export function showExplanation(container, samples, sampleRate) {
  delete container.dataset.recognitionId;
  return show(container, () => fetch('/explain', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + currentToken(), 'Content-Type': 'audio/wav' },
    body: wav(samples, sampleRate),
  }));
}

/** Explains a recognition the server kept: GET /recognitions/{id}/explain. */
export function showRecognitionExplanation(container, recognitionId) {
  container.dataset.recognitionId = recognitionId;
  return show(container, () => fetch('/recognitions/' + encodeURIComponent(recognitionId)
    + '/explain?format=svg', { headers: { Authorization: 'Bearer ' + currentToken() } }));
}

async function show(container, request) {
  container.hidden = false;
  container.textContent = '';
  const heading = document.createElement('h2');
  heading.textContent = 'Why this answer?';
  const status = document.createElement('p');
  status.className = 'state';
  status.textContent = 'Drawing the match…';
  container.append(heading, status);
  let response;
  try {
    response = await request();
  } catch (e) {
    status.textContent = 'The server cannot be reached: ' + e.message;
    status.className = 'message error';
    return;
  }
  if (!response.ok) {
    let message = response.statusText;
    try {
      message = (await response.json()).error.message;
    } catch (e) {
      // not the error shape: keep the status text
    }
    status.textContent = 'No picture: ' + message;
    status.className = 'message error';
    return;
  }
  const text = await response.text();
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const svg = doc.documentElement;
  if (svg.nodeName !== 'svg') {
    status.textContent = 'No picture: the server sent something that is not SVG.';
    status.className = 'message error';
    return;
  }
  svg.id = 'explanation-picture';
  status.textContent = response.headers.get('X-TuneTrace-Accepted') === 'true'
    ? 'The clip matched. Orange: the hashes that voted for the alignment, in the clip (left) and the track (right).'
    : 'The clip did not match. The picture shows the best candidate and why it was refused.';
  container.append(document.importNode(svg, true));
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  link.download = 'tunetrace-explanation.svg';
  link.textContent = 'Download the picture (SVG)';
  const p = document.createElement('p');
  p.append(link);
  container.append(p);
  container.scrollIntoView({ behavior: 'smooth', block: 'start' });
}
