// Sign-in shared by the pages: the token (a JWT or an API key) is asked for once and kept in
// sessionStorage for the browser session. `?token=T` in the address signs in with T (and is then
// removed from the address bar). In embedded mode the server may put its development token in
// <meta name="tunetrace-dev-token"> for pages opened on the same machine.
const KEY = 'tunetrace.token';
const FROM_OFFER = 'tunetrace.token.offered'; // set while the token in use is the server's offer

export function currentToken() {
  return sessionStorage.getItem(KEY);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(FROM_OFFER);
}

function keep(token, offered) {
  sessionStorage.setItem(KEY, token);
  if (offered) {
    sessionStorage.setItem(FROM_OFFER, '1');
  } else {
    sessionStorage.removeItem(FROM_OFFER);
  }
}

/** Reads ?token= and the server's offer; returns the token in force (or null). */
export function initToken() {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    keep(fromUrl.trim(), false);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
  } else if (!currentToken() || sessionStorage.getItem(FROM_OFFER)) {
    // A fresh offer replaces an older one (offers expire), never a token the user gave.
    const offered = document.querySelector('meta[name="tunetrace-dev-token"]')?.content;
    if (offered) {
      keep(offered, true);
    }
  }
  return currentToken();
}

/** Thrown by api() with the server's error shape. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** fetch() with the token; parses the JSON answer; throws ApiError on the error shape. */
export async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  const token = currentToken();
  if (token) {
    headers.set('Authorization', 'Bearer ' + token);
  }
  let response;
  try {
    response = await fetch(path, { ...options, headers });
  } catch (e) {
    throw new ApiError(0, 'network', 'The server cannot be reached: ' + e.message);
  }
  const type = response.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await response.json() : null;
  if (!response.ok) {
    const err = body && body.error ? body.error : { code: 'http_' + response.status, message: response.statusText };
    if (response.status === 401) {
      document.dispatchEvent(new CustomEvent('tunetrace:unauthorized', { detail: err.message }));
    }
    throw new ApiError(response.status, err.code, err.message);
  }
  return body;
}

/** ws:// or wss:// address of a path on this server, with the token as a query parameter. */
export function socketUrl(path) {
  const url = new URL(path, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = currentToken();
  if (token) {
    url.searchParams.set('token', token);
  }
  return url.href;
}

/**
 * Wires the sign-in form in the page header: shows it when there is no token (or the server
 * refused the one in use), and "Signed in" with a sign-out button otherwise.
 */
export function setUpSignIn(onChange) {
  const form = document.getElementById('signin');
  const input = document.getElementById('token-input');
  const state = document.getElementById('signin-state');
  const out = document.getElementById('signout');
  const problem = document.getElementById('signin-problem');
  function render(message) {
    const signedIn = Boolean(currentToken());
    form.hidden = signedIn;
    state.hidden = !signedIn;
    problem.hidden = !message;
    problem.textContent = message || '';
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = input.value.trim();
    if (!value) {
      render('Paste a token or an API key (`tunetrace token` prints one).');
      input.focus();
      return;
    }
    keep(value, false);
    input.value = '';
    render();
    onChange?.();
  });
  out.addEventListener('click', () => {
    signOut();
    render();
    input.focus();
    onChange?.();
  });
  document.addEventListener('tunetrace:unauthorized', (e) => {
    signOut();
    render('The server refused the token (' + e.detail + '). Sign in again.');
  });
  initToken();
  render();
}
