// bench/ratio.mjs with JS_ENTRY=1: the portal's entry Worker written in JavaScript (the same
// routing table as functions/gateway: path prefix -> service binding), run with the portal's own
// entry config (assets, run_worker_first, the capability Workers' bindings). The portal through
// this entry against the portal through its Rust entry measures what the Rust entry Worker
// itself costs per request; it is a measuring instrument, not a part of the portal.
const ROUTES = [['/api/auth/', 'AUTH'], ['/api/company/', 'COMPANY'], ['/api/finance/', 'FINANCE'], ['/api/orders/', 'ORDERS'],
  ['/api/documents/', 'DOCUMENTS'], ['/api/returns/', 'RETURNS'], ['/exchange/', 'EXCHANGE']];

export default {
  fetch(req, env) {
    const url = req.url;
    const at = url.indexOf('/', url.indexOf('://') + 3);
    const path = at < 0 ? '/' : url.slice(at);
    const hit = ROUTES.find(([prefix]) => path.startsWith(prefix));
    return hit ? env[hit[1]].fetch(req) : new Response('{"code":"not-found"}', { status: 404 });
  },
};
