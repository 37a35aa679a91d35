import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSidecarHealthz,
  type SidecarHealthz,
  type SidecarHealthzOptions,
} from '../../src/healthz/index.js';
import { closingGet, exchange, mount } from './support/raw-http.js';

const NOT_READY = '{"errorCode":"ERR_HEALTH_NOT_READY","message":"dapr is not ready"}';

let server: Awaited<ReturnType<typeof mount>> | undefined;

async function start(
  options: SidecarHealthzOptions = {},
): Promise<{ sidecar: SidecarHealthz; url: string; port: number }> {
  const sidecar = createSidecarHealthz({ httpDate: () => 'Tue, 09 Feb 2021 18:43:42 GMT', ...options });
  server = await mount(sidecar.handler);
  return { sidecar, url: server.url, port: server.port };
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('GET /v1.0/healthz', () => {
  it('starts not ready: 500 with Dapr JSON error, exactly', async () => {
    const { url } = await start();
    const response = await request(url).get('/v1.0/healthz');
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.text).toBe(NOT_READY);
  });

  it('answers 204 with no body once ready, and 500 again after notReady()', async () => {
    const { sidecar, port } = await start();
    sidecar.ready();
    expect(await exchange(port, closingGet('/v1.0/healthz'))).toBe(
      'HTTP/1.1 204 No Content\r\nDate: Tue, 09 Feb 2021 18:43:42 GMT\r\nConnection: close\r\n\r\n',
    );
    sidecar.notReady();
    expect(await exchange(port, closingGet('/v1.0/healthz'))).toBe(
      'HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nDate: Tue, 09 Feb 2021 18:43:42 GMT\r\n' +
        `Content-Length: ${NOT_READY.length}\r\nConnection: close\r\n\r\n${NOT_READY}`,
    );
    expect(sidecar.isReady).toBe(false);
  });

  it('a normalised path (//v1.0/healthz) is served directly, as fasthttp normalises without redirecting', async () => {
    const { sidecar, url } = await start();
    sidecar.ready();
    expect((await request(url).get('//v1.0/./healthz')).status).toBe(204);
  });
});

describe('only GET is routed', () => {
  it.each(['head', 'post', 'put', 'delete', 'patch'] as const)(
    '%s → 405 with Allow: GET, OPTIONS',
    async (method) => {
      const { sidecar, url } = await start();
      sidecar.ready();
      const response = await request(url)[method]('/v1.0/healthz');
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET, OPTIONS');
    },
  );

  it('OPTIONS → 200 with the same Allow header', async () => {
    const { url } = await start();
    const response = await request(url).options('/v1.0/healthz');
    expect(response.status).toBe(200);
    expect(response.headers.allow).toBe('GET, OPTIONS');
  });
});

describe('paths next to /v1.0/healthz', () => {
  it('/v1.0/healthz/ redirects 301 to /v1.0/healthz, keeping the query', async () => {
    const { url } = await start();
    const response = await request(url).get('/v1.0/healthz/?appid=a').redirects(0);
    expect(response.status).toBe(301);
    expect(response.headers.location).toBe('/v1.0/healthz?appid=a');
  });

  it.each(['/healthz', '/v1.0/healthz/outbound', '/v1.0/healthzz', '/'])(
    '%s → 404 (outbound off)',
    async (path) => {
      const { sidecar, url } = await start();
      sidecar.ready();
      expect((await request(url).get(path)).status).toBe(404);
    },
  );
});

describe('the outbound option: /v1.0/healthz/outbound with its own readiness', () => {
  it('starts not ready with ERR_OUTBOUND_HEALTH_NOT_READY, independent of the main readiness', async () => {
    const { sidecar, url } = await start({ outbound: true });
    sidecar.ready();
    const response = await request(url).get('/v1.0/healthz/outbound');
    expect(response.status).toBe(500);
    expect(response.text).toBe(
      '{"errorCode":"ERR_OUTBOUND_HEALTH_NOT_READY","message":"dapr outbound is not ready"}',
    );
    expect(sidecar.isOutboundReady).toBe(false);
  });

  it('answers 204 after outboundReady() while /v1.0/healthz stays not ready', async () => {
    const { sidecar, url } = await start({ outbound: true });
    sidecar.outboundReady();
    expect((await request(url).get('/v1.0/healthz/outbound')).status).toBe(204);
    expect((await request(url).get('/v1.0/healthz')).status).toBe(500);
    sidecar.outboundNotReady();
    expect((await request(url).get('/v1.0/healthz/outbound')).status).toBe(500);
  });

  it('routes only GET on the outbound path too', async () => {
    const { url } = await start({ outbound: true });
    const response = await request(url).post('/v1.0/healthz/outbound');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, OPTIONS');
  });
});

describe('the appId option: the ?appid= check', () => {
  it('a different appid is a 500 ERR_HEALTH_APPID_NOT_MATCH', async () => {
    const { sidecar, url } = await start({ appId: 'orders' });
    sidecar.ready();
    const response = await request(url).get('/v1.0/healthz?appid=billing');
    expect(response.status).toBe(500);
    expect(response.text).toBe(
      '{"errorCode":"ERR_HEALTH_APPID_NOT_MATCH","message":"dapr app-id does not match"}',
    );
  });

  it('the same appid, an empty one or none at all is a 204', async () => {
    const { sidecar, url } = await start({ appId: 'orders' });
    sidecar.ready();
    for (const path of ['/v1.0/healthz?appid=orders', '/v1.0/healthz?appid=', '/v1.0/healthz']) {
      expect((await request(url).get(path)).status).toBe(204);
    }
  });

  it('not ready wins over an appid mismatch', async () => {
    const { url } = await start({ appId: 'orders' });
    const response = await request(url).get('/v1.0/healthz?appid=billing');
    expect(response.text).toBe(NOT_READY);
  });

  it('without the option any appid is accepted', async () => {
    const { sidecar, url } = await start();
    sidecar.ready();
    expect((await request(url).get('/v1.0/healthz?appid=anything')).status).toBe(204);
  });
});

describe('with the default Date header (Node own cached date on the hot path)', () => {
  it('a kept-alive 204 has the same layout as the explicit path: Date and nothing else', async () => {
    const plain = createSidecarHealthz();
    plain.ready();
    server = await mount(plain.handler);
    const raw = await exchange(
      server.port,
      'GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /v1.0/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(raw.replace(/\r\nDate: [^\r]+\r\n/g, '\r\nDate: <date>\r\n')).toBe(
      'HTTP/1.1 204 No Content\r\nDate: <date>\r\n\r\nHTTP/1.1 204 No Content\r\nDate: <date>\r\nConnection: close\r\n\r\n',
    );
  });
});
