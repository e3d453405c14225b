// Library page: the tracks with their status (refreshed while any is being fingerprinted),
// uploads of several files at once with progress, deletes with confirmation, search.
import { api, currentToken, setUpSignIn } from './auth.js';
import { readTags, titleFromName } from './tags.js';

const BUSY_REFRESH_MS = 1500;
const IDLE_REFRESH_MS = 10000;

const $ = (id) => document.getElementById(id);
const rows = $('track-rows');
const caption = $('tracks-caption');
const search = $('search');
const listError = $('list-error');
const uploads = $('uploads');
const dialog = $('confirm-delete');

let tracks = [];
let pendingUploads = 0;
let timer = null;
let toDelete = null;
const uploadStates = new Map(); // track id -> the status line of its upload, kept current
let rendered = ''; // what the table shows now, to leave it (and the keyboard focus) alone when nothing changed

function clock(ms) {
  if (ms == null) {
    return '—';
  }
  const s = Math.round(ms / 1000);
  return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
}

function cell(row, text, label, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (label) {
    td.dataset.label = label; // the column name, shown on phones where rows become cards
  }
  if (className) {
    td.className = className;
  }
  row.append(td);
  return td;
}

function render() {
  const q = search.value.trim().toLowerCase();
  const shown = tracks.filter((t) => !q
    || (t.title || '').toLowerCase().includes(q) || (t.artist || '').toLowerCase().includes(q));
  const signature = JSON.stringify([q, shown]);
  if (signature === rendered) {
    return;
  }
  rendered = signature;
  rows.textContent = '';
  for (const t of shown) {
    const tr = document.createElement('tr');
    tr.dataset.trackId = t.id;
    cell(tr, t.title, 'Title', 'title');
    cell(tr, t.artist, 'Artist', 'artist');
    const status = document.createElement('span');
    status.className = 'status status-' + t.status;
    status.textContent = t.status;
    cell(tr, '', 'Status', 'status-cell').append(status);
    cell(tr, clock(t.duration_ms), 'Duration', 'num');
    cell(tr, t.posting_count == null ? '—' : Number(t.posting_count).toLocaleString('en'), 'Postings', 'num');
    cell(tr, t.last_error || '', 'Error', 'error-text');
    const actions = cell(tr, '', null, 'actions');
    const del = document.createElement('button');
    del.type = 'button';
    del.className = 'danger delete';
    del.textContent = 'Delete';
    del.setAttribute('aria-label', 'Delete ' + t.title + ' by ' + t.artist);
    del.addEventListener('click', () => askDelete(t));
    actions.append(del);
    rows.append(tr);
  }
  caption.textContent = tracks.length === 0
    ? 'No tracks yet: add some above.'
    : shown.length + ' of ' + tracks.length + ' tracks' + (q ? ' matching “' + search.value.trim() + '”' : '');
}

async function refresh() {
  clearTimeout(timer);
  if (!currentToken()) {
    caption.textContent = 'Sign in to see the library.';
    return;
  }
  try {
    const all = [];
    for (let offset = 0; ; offset += 500) {
      const page = await api('/tracks?limit=500&offset=' + offset);
      all.push(...page.tracks);
      if (all.length >= page.total || page.tracks.length === 0) {
        break;
      }
    }
    tracks = all;
    for (const t of tracks) {
      const line = uploadStates.get(t.id);
      if (line) {
        line.textContent = 'uploaded — ' + t.status + (t.last_error ? ': ' + t.last_error : '');
      }
    }
    listError.hidden = true;
    render();
  } catch (e) {
    listError.textContent = 'The library cannot be loaded: ' + e.message;
    listError.hidden = false;
  }
  const busy = pendingUploads > 0
    || tracks.some((t) => t.status === 'QUEUED' || t.status === 'FINGERPRINTING');
  timer = setTimeout(refresh, busy ? BUSY_REFRESH_MS : IDLE_REFRESH_MS);
}

function askDelete(track) {
  toDelete = track;
  $('confirm-delete-text').textContent = 'Delete “' + track.title + '” by ' + track.artist
    + '? Its audio and fingerprints are removed; this cannot be undone.';
  dialog.showModal();
  $('confirm-delete-no').focus();
}

async function confirmDelete() {
  const track = toDelete;
  dialog.close();
  toDelete = null;
  if (!track) {
    return;
  }
  try {
    await api('/tracks/' + encodeURIComponent(track.id), { method: 'DELETE' });
    tracks = tracks.filter((t) => t.id !== track.id);
    render();
  } catch (e) {
    listError.textContent = 'Could not delete “' + track.title + '”: ' + e.message;
    listError.hidden = false;
  }
  refresh();
}

/** Uploads one file with XMLHttpRequest (fetch has no upload progress). */
function send(form, item, bar) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/tracks');
    xhr.setRequestHeader('Authorization', 'Bearer ' + currentToken());
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) {
        bar.max = e.total;
        bar.value = e.loaded;
      }
    };
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (e) {
        body = null;
      }
      if (xhr.status === 201) {
        bar.value = bar.max;
        item.status.textContent = 'uploaded — ' + body.status;
        uploadStates.set(body.id, item.status);
      } else {
        item.status.textContent = 'failed: ' + (body && body.error ? body.error.message : xhr.statusText);
        item.status.className = 'error-text';
        if (xhr.status === 401) {
          document.dispatchEvent(new CustomEvent('tunetrace:unauthorized', { detail: body?.error?.message || 'unauthorized' }));
        }
      }
      resolve();
    };
    xhr.onerror = () => {
      item.status.textContent = 'failed: the server cannot be reached';
      item.status.className = 'error-text';
      resolve();
    };
    xhr.send(form);
  });
}

async function upload(files) {
  if (!currentToken()) {
    listError.textContent = 'Sign in first: uploads need a token.';
    listError.hidden = false;
    return;
  }
  const typedTitle = $('upload-title').value.trim();
  const typedArtist = $('upload-artist').value.trim();
  const typedAlbum = $('upload-album').value.trim();
  const jobs = [];
  for (const file of files) {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.textContent = file.name;
    const bar = document.createElement('progress');
    bar.max = file.size || 1;
    bar.value = 0;
    bar.setAttribute('aria-label', 'Upload of ' + file.name);
    const status = document.createElement('span');
    status.className = 'hint';
    status.textContent = 'reading tags…';
    li.append(name, bar, status);
    uploads.append(li);
    pendingUploads++;
    jobs.push((async () => {
      const tags = await readTags(file);
      // One title typed for several files would name them all alike: tags win then.
      const title = (files.length === 1 && typedTitle) || tags.title || typedTitle || titleFromName(file.name);
      const artist = typedArtist || tags.artist || 'Unknown artist';
      const album = typedAlbum || tags.album || '';
      name.textContent = file.name + ' → ' + title + ' — ' + artist;
      status.textContent = 'uploading…';
      const form = new FormData();
      form.append('title', title.slice(0, 200));
      form.append('artist', artist.slice(0, 200));
      if (album) {
        form.append('album', album.slice(0, 200));
      }
      form.append('file', file, file.name);
      await send(form, { status }, bar);
      pendingUploads--;
      refresh();
    })());
  }
  await Promise.all(jobs);
}

const dropZone = $('uploader');
dropZone.addEventListener('dragover', (e) => {
  e.preventDefault();
  dropZone.classList.add('dragging');
});
dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
dropZone.addEventListener('drop', (e) => {
  e.preventDefault();
  dropZone.classList.remove('dragging');
  const files = [...(e.dataTransfer?.files || [])];
  if (files.length > 0) {
    upload(files);
  }
});
$('upload-files').addEventListener('change', (e) => {
  const files = [...e.target.files];
  e.target.value = '';
  if (files.length > 0) {
    upload(files);
  }
});
search.addEventListener('input', render);
$('refresh').addEventListener('click', refresh);
$('confirm-delete-yes').addEventListener('click', confirmDelete);
$('confirm-delete-no').addEventListener('click', () => {
  toDelete = null;
  dialog.close();
});

setUpSignIn(refresh);
refresh();
