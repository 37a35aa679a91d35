// A control-plane healthz server for the server process protocol that misbehaves on purpose,
// one way per mode (argv[2]). Used by test/conformance/server-process.test.ts.
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';

const mode = process.argv[2] ?? 'good';
const port = Number(process.env.PROBEKIT_PORT);

if (mode === 'exit') {
  process.stderr.write('cannot bind: pretend the port is taken\n');
  process.exit(3);
}

let ready = false;
const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  res.statusCode = path === '/healthz' ? (ready ? 200 : 503) : 404;
  res.end();
});
if (mode !== 'no-listen') server.listen(port, '127.0.0.1');
else setInterval(() => {}, 1000);

const answers = {
  good: () => 'ok',
  // Answers, but readiness never changes.
  'ok-without-flip': () => 'ok',
  mute: () => undefined,
  chatty: () => 'hello from the server',
  error: () => 'error this server refuses',
};
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  if (mode === 'dies') process.exit(0);
  if (mode !== 'ok-without-flip') {
    if (command === 'ready') ready = true;
    if (command === 'not-ready') ready = false;
  }
  const answer = (answers[mode] ?? answers.good)();
  if (answer !== undefined) process.stdout.write(`${answer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
