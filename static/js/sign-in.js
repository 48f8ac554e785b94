import { api } from './api.js';
import { setupPage, showError } from './forms.js';

setupPage();

// Only a page of this site: `next` is read by the same URL parser the browser navigates with, so
// `/\host`, `/<tab>/host` and `//host` (other hosts to the browser) fall back to the start page.
// The absolute address is followed, not its path: a path such as `//host` (from `/.//host`)
// would be read as another host once more.
function safeNext(next) {
  if (!next) return '/';
  let url;
  try {
    url = new URL(next, location.origin);
  } catch {
    return '/';
  }
  return url.origin === location.origin ? url.href : '/';
}

const form = document.getElementById('sign-in-form');
const error = document.getElementById('form-error');

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  error.hidden = true;
  const data = new FormData(form);
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await api('POST', '/api/auth/sign-in', { email: data.get('email'), password: data.get('password') }, { retry: false });
    location.assign(safeNext(new URLSearchParams(location.search).get('next')));
  } catch (e) {
    showError(error, e.problem);
  } finally {
    button.disabled = false;
  }
});
