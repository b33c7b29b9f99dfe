// The floor of a step that makes requests: a bare Node start plus the requests of
// BENCH_PLAN, and nothing else. The plan is a JSON list of stages, each a list of
// requests ({ method, url, headers, body }): a stage's requests go out together, the
// stages one after another, as the protocol orders them (the next needs the answer
// to the last). Node's default agent, as the action uses: keep-alive per host.
// An answer that is not 2xx fails the process, so a floor never does less work than
// the step it stands for.
const plan = JSON.parse(process.env.BENCH_PLAN ?? '[]');
// Loaded only for a request, so that an empty plan is a bare Node start. process.getBuiltinModule,
// as the action does: an ES import of node:http loads undici (about 20 ms).
const { request } = plan.length > 0 ? process.getBuiltinModule('node:http') : {};

function send({ method, url, headers, body }) {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers }, (response) => {
      response.resume().on('end', () => {
        if (response.statusCode >= 200 && response.statusCode < 300) resolve();
        else reject(new Error(`${method} ${url.replace(/\?.*$/, '')}: HTTP ${response.statusCode}`));
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

for (const stage of plan) {
  await Promise.all(stage.map(send)).catch((error) => {
    process.stderr.write(`floor: ${error.message}\n`);
    process.exit(1);
  });
}
