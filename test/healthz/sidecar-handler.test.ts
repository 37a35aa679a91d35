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
  it('/v1.0/healthz/ redirects 301 to an absolute http://<Host>/v1.0/healthz, keeping the query', async () => {
    const { port } = await start();
    const raw = await exchange(
      port,
      'GET /v1.0/healthz/?appid=a HTTP/1.1\r\nHost: Sidecar.Test:3500\r\nConnection: close\r\n\r\n',
    );
    expect(raw).toBe(
      'HTTP/1.1 301 Moved Permanently\r\nLocation: http://sidecar.test:3500/v1.0/healthz?appid=a\r\n' +
        'Date: Tue, 09 Feb 2021 18:43:42 GMT\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
  });

  it.each(['/v1.0/HEALTHZ', '/V1.0/Healthz', '/v1.0/HEALTHZ/', '//V1.0/./healthz/'])(
    'regression: %s (differs only by letter case) was 404, now 301 like daprd RedirectFixedPath',
    async (path) => {
      const { url } = await start();
      const response = await request(url).get(path).set('Host', 'sidecar.test').redirects(0);
      expect(response.status).toBe(301);
      expect(response.headers.location).toBe('http://sidecar.test/v1.0/healthz');
    },
  );

  it('repairs only GET: a POST to /v1.0/healthz/ or /v1.0/HEALTHZ is 404, as no POST route exists', async () => {
    const { url } = await start();
    expect((await request(url).post('/v1.0/healthz/')).status).toBe(404);
    expect((await request(url).post('/v1.0/HEALTHZ')).status).toBe(404);
  });

  it('repairs /v1.0/healthz/OUTBOUND/ to the outbound route only when outbound is on', async () => {
    const on = await start({ outbound: true });
    const response = await request(on.url).get('/v1.0/healthz/OUTBOUND/').set('Host', 'h').redirects(0);
    expect(response.headers.location).toBe('http://h/v1.0/healthz/outbound');
    await server?.close();
    const off = await start();
    expect((await request(off.url).get('/v1.0/healthz/OUTBOUND/')).status).toBe(404);
  });

  it.each(['/healthz', '/v1.0/healthz/outbound', '/v1.0/healthzz', '/', '/v1.0/healthz/extra'])(
    '%s → 404 (outbound off)',
    async (path) => {
      const { sidecar, url } = await start();
      sidecar.ready();
      expect((await request(url).get(path)).status).toBe(404);
    },
  );
});

describe('the apiToken option: daprd DAPR_API_TOKEN', () => {
  const TOKEN = 's3cret';

  it('lets every URI containing /healthz through without a token', async () => {
    const { sidecar, url } = await start({ apiToken: TOKEN, outbound: true });
    sidecar.ready();
    expect((await request(url).get('/v1.0/healthz')).status).toBe(204);
    expect((await request(url).get('/v1.0/healthz?appid=x')).status).toBe(204);
    expect((await request(url).get('/v1.0/healthz/outbound')).status).toBe(500);
    expect((await request(url).get('/healthz')).status).toBe(404);
    expect((await request(url).get('/v1.0/healthz/').redirects(0)).status).toBe(301);
    expect((await request(url).post('/v1.0/healthz')).status).toBe(405);
    // The substring may sit anywhere in the URI, the query included.
    expect((await request(url).get('/v1.0/state?next=/healthz')).status).toBe(404);
  });

  it('answers 401 "invalid api token" to any other URI without the right token, before routing', async () => {
    const { port, url } = await start({ apiToken: TOKEN });
    expect(await exchange(port, closingGet('/v1.0/HEALTHZ'))).toBe(
      'HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        'Date: Tue, 09 Feb 2021 18:43:42 GMT\r\nContent-Length: 17\r\nConnection: close\r\n\r\ninvalid api token',
    );
    for (const path of ['/', '/v1.0/metadata', '/v1.0/Healthz']) {
      expect((await request(url).get(path)).status).toBe(401);
    }
    expect((await request(url).get('/').set('dapr-api-token', 'wrong')).status).toBe(401);
  });

  it('with the right token routes as usual: 404 for unknown paths, 301 for a case-only difference', async () => {
    const { url } = await start({ apiToken: TOKEN });
    expect((await request(url).get('/').set('dapr-api-token', TOKEN)).status).toBe(404);
    const repaired = await request(url)
      .get('/v1.0/HEALTHZ')
      .set('dapr-api-token', TOKEN)
      .set('Host', 'h')
      .redirects(0);
    expect(repaired.status).toBe(301);
    expect(repaired.headers.location).toBe('http://h/v1.0/healthz');
  });

  it('reads the first dapr-api-token header only, as fasthttp Peek does', async () => {
    const { port } = await start({ apiToken: TOKEN });
    const twice = (first: string, second: string) =>
      `GET / HTTP/1.1\r\nHost: x\r\ndapr-api-token: ${first}\r\ndapr-api-token: ${second}\r\nConnection: close\r\n\r\n`;
    expect(await exchange(port, twice(TOKEN, 'other'))).toMatch(/^HTTP\/1\.1 404 /);
    expect(await exchange(port, twice('other', TOKEN))).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('a Host starting with "healthz" exempts the request, since daprd checks the full URI', async () => {
    const { url } = await start({ apiToken: TOKEN });
    expect((await request(url).get('/').set('Host', 'healthz.local')).status).toBe(404);
  });

  it('an empty token turns the check off, as an empty DAPR_API_TOKEN does', async () => {
    const { url } = await start({ apiToken: '' });
    expect((await request(url).get('/')).status).toBe(404);
  });

  it('mounted as middleware, passes paths it does not serve to next() unchecked', async () => {
    const sidecar = createSidecarHealthz({ apiToken: TOKEN });
    let passed = 0;
    server = await mount((req, res) =>
      sidecar.handler(req, res, () => {
        passed += 1;
        res.end('app');
      }),
    );
    expect((await request(server.url).get('/orders')).text).toBe('app');
    expect((await request(server.url).get('/v1.0/HEALTHZ')).status).toBe(401);
    expect(passed).toBe(1);
  });
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
