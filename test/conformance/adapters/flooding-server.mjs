#!/usr/bin/env node
// A healthz server (server process protocol 1) that floods stdout, for the output-cap tests.
//   chatter    listens, then answers each command with 20,000 `#` comment lines before `ok`
//   long-line  prints 5,000 bytes without a newline, and never listens
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';

const mode = process.argv[2];
if (mode === 'long-line') {
  process.stdout.write('x'.repeat(5000));
  setInterval(() => {}, 60_000);
} else {
  serve();
}

function serve() {
  let ready = false;
  const server = createServer((request, response) => {
    response.statusCode = request.url === '/healthz' ? (ready ? 200 : 503) : 404;
    response.end();
  });
  server.listen(Number(process.env.PROBEKIT_PORT), '127.0.0.1');
  createInterface({ input: process.stdin }).on('line', (command) => {
    ready = command === 'ready';
    // Synchronous writes to a pipe: all of it is on its way before `ok`.
    for (let i = 0; i < 20_000; i++) process.stdout.write(`# chatter ${i}\n`);
    process.stdout.write('ok\n');
  });
}
