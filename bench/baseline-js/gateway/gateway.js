// A pass-through entry Worker in JavaScript for bench/latency.mjs (BASELINE_GATEWAY=1): what the
// portal's entry Worker does (hand the request to a capability over a service binding), so the
// baseline can be measured behind the same kind of hop.
export default { fetch: (req, env) => env.BASELINE.fetch(req) };
