// Follows the e-mail change link: the code is in the fragment, never sent in a URL.
import { api } from './api.js';
import { setupPage, showError, showText } from './forms.js';

setupPage();
const error = document.getElementById('form-error');
const token = new URLSearchParams(location.hash.slice(1)).get('token');
document.getElementById('form-working').hidden = true;
if (!token) {
  showText(error, 'setpw.notoken');
} else {
  try {
    await api('POST', '/api/auth/email-changes/confirmations', { token }, { retry: false });
    document.getElementById('form-done').hidden = false;
  } catch (e) {
    showError(error, e.problem);
  }
}
