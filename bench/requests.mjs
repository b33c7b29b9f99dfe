// The floor of a step that makes requests: a bare Node start plus BENCH_REQUESTS
// sequential GETs over node:http to BENCH_URL, and nothing else.
// process.getBuiltinModule, as the action does: an ES import of node:http loads undici (about 20 ms).
const { request } = process.getBuiltinModule('node:http');

function get(left) {
  if (left > 0) request(process.env.BENCH_URL, (response) => response.resume().on('end', () => get(left - 1))).end();
}
get(Number(process.env.BENCH_REQUESTS ?? 1));
