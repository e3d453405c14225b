// Title, artist and album from an audio file's own tags, read in the browser: ID3v2 (MP3, and
// AIFF/WAV files carrying an ID3 chunk are not read), RIFF LIST/INFO (WAV) and Vorbis comments
// (FLAC). Missing fields are left empty; the caller falls back to the file name.

async function bytes(file, start, length) {
  return new Uint8Array(await file.slice(start, start + length).arrayBuffer());
}

function ascii(b, start, length) {
  let s = '';
  for (let i = start; i < start + length && i < b.length; i++) {
    s += String.fromCharCode(b[i]);
  }
  return s;
}

function clean(s) {
  return (s || '').replace(/\0+$/g, '').replace(/\0/g, ' ').trim();
}

function decodeId3Text(b) {
  if (b.length === 0) {
    return '';
  }
  const enc = b[0];
  const body = b.subarray(1);
  try {
    if (enc === 0) {
      return clean(new TextDecoder('latin1').decode(body));
    }
    if (enc === 1) {
      return clean(new TextDecoder('utf-16').decode(body)); // BOM decides the byte order
    }
    if (enc === 2) {
      return clean(new TextDecoder('utf-16be').decode(body));
    }
    return clean(new TextDecoder('utf-8').decode(body));
  } catch (e) {
    return '';
  }
}

function syncsafe(b, at) {
  return ((b[at] & 0x7f) << 21) | ((b[at + 1] & 0x7f) << 14) | ((b[at + 2] & 0x7f) << 7) | (b[at + 3] & 0x7f);
}

async function id3v2(file) {
  const head = await bytes(file, 0, 10);
  if (ascii(head, 0, 3) !== 'ID3') {
    return null;
  }
  const version = head[3];
  const size = syncsafe(head, 6);
  const tag = await bytes(file, 10, Math.min(size, 1 << 20));
  const names = version === 2
    ? { TT2: 'title', TP1: 'artist', TAL: 'album' }
    : { TIT2: 'title', TPE1: 'artist', TALB: 'album' };
  const out = {};
  let at = 0;
  if (version >= 3 && (head[5] & 0x40)) { // extended header
    at += version === 4 ? syncsafe(tag, 0) : ((tag[0] << 24) | (tag[1] << 16) | (tag[2] << 8) | tag[3]) + 4;
  }
  const idLength = version === 2 ? 3 : 4;
  const headerLength = version === 2 ? 6 : 10;
  while (at + headerLength <= tag.length) {
    const id = ascii(tag, at, idLength);
    if (!/^[A-Z0-9]+$/.test(id)) {
      break;
    }
    let length;
    if (version === 2) {
      length = (tag[at + 3] << 16) | (tag[at + 4] << 8) | tag[at + 5];
    } else if (version === 4) {
      length = syncsafe(tag, at + 4);
    } else {
      length = ((tag[at + 4] << 24) | (tag[at + 5] << 16) | (tag[at + 6] << 8) | tag[at + 7]) >>> 0;
    }
    const start = at + headerLength;
    if (length <= 0 || start + length > tag.length) {
      break;
    }
    if (names[id]) {
      out[names[id]] = decodeId3Text(tag.subarray(start, start + length));
    }
    at = start + length;
  }
  return out;
}

async function riffInfo(file) {
  const head = await bytes(file, 0, 12);
  if (ascii(head, 0, 4) !== 'RIFF' || ascii(head, 8, 4) !== 'WAVE') {
    return null;
  }
  const out = {};
  let at = 12;
  for (let chunks = 0; chunks < 64 && at + 8 <= file.size; chunks++) {
    const h = await bytes(file, at, 8);
    const id = ascii(h, 0, 4);
    const size = (h[4] | (h[5] << 8) | (h[6] << 16) | (h[7] << 24)) >>> 0;
    if (id === 'LIST') {
      const list = await bytes(file, at + 8, Math.min(size, 1 << 16));
      if (ascii(list, 0, 4) === 'INFO') {
        let p = 4;
        while (p + 8 <= list.length) {
          const sub = ascii(list, p, 4);
          const len = (list[p + 4] | (list[p + 5] << 8) | (list[p + 6] << 16) | (list[p + 7] << 24)) >>> 0;
          const text = clean(new TextDecoder('utf-8').decode(list.subarray(p + 8, p + 8 + len)));
          if (sub === 'INAM') out.title = text;
          if (sub === 'IART') out.artist = text;
          if (sub === 'IPRD') out.album = text;
          p += 8 + len + (len & 1);
        }
      }
    }
    at += 8 + size + (size & 1);
  }
  return out;
}

async function flacComments(file) {
  const head = await bytes(file, 0, 4);
  if (ascii(head, 0, 4) !== 'fLaC') {
    return null;
  }
  const out = {};
  let at = 4;
  for (let blocks = 0; blocks < 32; blocks++) {
    const h = await bytes(file, at, 4);
    if (h.length < 4) {
      break;
    }
    const last = (h[0] & 0x80) !== 0;
    const type = h[0] & 0x7f;
    const length = (h[1] << 16) | (h[2] << 8) | h[3];
    if (type === 4) {
      const b = await bytes(file, at + 4, length);
      const le = (p) => (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
      let p = 4 + le(0);
      const count = le(p);
      p += 4;
      for (let i = 0; i < count && p + 4 <= b.length; i++) {
        const len = le(p);
        const entry = new TextDecoder('utf-8').decode(b.subarray(p + 4, p + 4 + len));
        const eq = entry.indexOf('=');
        const key = entry.slice(0, eq).toUpperCase();
        const value = clean(entry.slice(eq + 1));
        if (key === 'TITLE') out.title = value;
        if (key === 'ARTIST') out.artist = value;
        if (key === 'ALBUM') out.album = value;
        p += 4 + len;
      }
    }
    if (last) {
      break;
    }
    at += 4 + length;
  }
  return out;
}

/** {title, artist, album} from the file's tags; fields it has none for are empty strings. */
export async function readTags(file) {
  let found = null;
  try {
    found = (await id3v2(file)) || (await riffInfo(file)) || (await flacComments(file));
  } catch (e) {
    found = null; // unreadable tags: the file name stands in
  }
  return { title: found?.title || '', artist: found?.artist || '', album: found?.album || '' };
}

/** The file name without its extension, as a title of last resort. */
export function titleFromName(name) {
  const base = name.replace(/\.[A-Za-z0-9]{1,5}$/, '').replace(/[_]+/g, ' ').trim();
  return base || name;
}
