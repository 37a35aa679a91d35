// The server side of a comparison, run as its own process (pinned to CPU 0 by the parent):
//
//   node bench/lib/server-child.js '<ServerSpec as JSON>'
//
// It imports spec.module, calls its export (default name `start`) with spec.options, and
// expects `{ url, close? }` back. Then it speaks a line protocol on stdio:
//   stdout  `ready <url>` once serving
//   stdin   `cpu`   → stdout `cpu <user µs> <system µs>` (this process's process.cpuUsage())
//           `close` → calls close(), then exits 0 (end of stdin does the same)

import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const spec = JSON.parse(process.argv[2] ?? '{}');
const target = spec.module.startsWith('file:') ? spec.module : pathToFileURL(spec.module).href;
const loaded = await import(target);
const start = loaded[spec.export ?? 'start'];
if (typeof start !== 'function') {
  console.error(`server-child: ${spec.module} has no exported function ${spec.export ?? 'start'}`);
  process.exit(2);
}
const server = await start(spec.options);
process.stdout.write(`ready ${server.url}\n`);

let closing = false;
async function close() {
  if (closing) return;
  closing = true;
  await server.close?.();
  process.exit(0);
}

const lines = createInterface({ input: process.stdin, terminal: false });
lines.on('line', (line) => {
  const command = line.trim();
  if (command === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`cpu ${user} ${system}\n`);
  } else if (command === 'close') {
    close();
  }
});
lines.on('close', close);
