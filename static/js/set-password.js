import { api } from './api.js';
import { setupPage, showError, showText } from './forms.js';

setupPage();
const form = document.getElementById('set-password-form');
const error = document.getElementById('form-error');
const done = document.getElementById('form-done');
// The code travels in the fragment: never sent to a server in a URL or a Referer.
const token = new URLSearchParams(location.hash.slice(1)).get('token');
if (!token) showText(error, 'setpw.notoken');

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  error.hidden = true;
  const data = new FormData(form);
  if (data.get('password') !== data.get('repeat')) return showText(error, 'setpw.mismatch');
  try {
    await api('POST', '/api/auth/password-resets', { token, password: data.get('password') }, { retry: false });
    form.querySelectorAll('label, button[type=submit]').forEach((el) => { el.hidden = true; });
    done.hidden = false;
  } catch (e) {
    showError(error, e.problem);
  }
});
