// An idle second Worker, only so that `wrangler dev` runs the Worker under test in the same
// multi-config dev server the portal stack runs in (several `-c`); see bench/baseline-js/idle/wrangler.toml.
export default { fetch: () => new Response('idle') };
