// Every shared transport test again, on `httpTransport({ engine: 'raw' })`: the raw probe client
// must keep every semantic the undici engine has (docs/decisions/0017-raw-probe-client.md).
// The first import switches the engine before the shared files register their tests.
import './support/use-raw-engine.js';
import './http-abort.test.js';
import './http-body.test.js';
import './http-connections.test.js';
import './http-failures.test.js';
import './http-idle-pools.test.js';
import './http-outcome-labels.test.js';
import './http-responses.test.js';
import './client-rules.test.js';
import './tls.test.js';

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { get, useHarness } from './support/harness.js';

const harness = useHarness();

describe('the shared transport tests in this file run on the raw engine', () => {
  it('connects through the raw client, not undici, for a harness transport', async () => {
    const seen = { raw: 0, undici: 0 };
    const onRaw = () => seen.raw++;
    const onUndici = () => seen.undici++;
    subscribe('probekit:raw:connect', onRaw);
    subscribe('undici:client:beforeConnect', onUndici);
    try {
      const server = await harness.server();
      const transport = harness.transport();
      await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
      await expect(get(transport, server.url())).resolves.toEqual({ status: 200 });
    } finally {
      unsubscribe('probekit:raw:connect', onRaw);
      unsubscribe('undici:client:beforeConnect', onUndici);
    }
    expect(seen).toEqual({ raw: 1, undici: 0 });
  });
});
