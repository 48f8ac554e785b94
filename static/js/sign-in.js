import { api } from './api.js';
import { setupPage, showError } from './forms.js';

setupPage();
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
    const next = new URLSearchParams(location.search).get('next');
    // Only a path on this site: never an open redirect.
    location.assign(next && next.startsWith('/') && !next.startsWith('//') ? next : '/');
  } catch (e) {
    showError(error, e.problem);
  } finally {
    button.disabled = false;
  }
});
