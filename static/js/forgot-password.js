import { api } from './api.js';
import { setupPage, showError } from './forms.js';

setupPage();
const form = document.getElementById('forgot-form');
const error = document.getElementById('form-error');
const done = document.getElementById('form-done');

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  error.hidden = true;
  try {
    await api('POST', '/api/auth/password-reset-requests', { email: new FormData(form).get('email') }, { retry: false });
    done.hidden = false;
  } catch (e) {
    showError(error, e.problem);
  }
});
