import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHealthzServer, type HealthzServer } from '../../src/healthz/index.js';
import { closingGet, exchange, mount } from './support/raw-http.js';

let healthz: HealthzServer;
let server: Awaited<ReturnType<typeof mount>>;

beforeEach(async () => {
  healthz = createHealthzServer({ httpDate: () => 'Tue, 09 Feb 2021 18:43:42 GMT' });
  server = await mount(healthz.handler);
});
afterEach(async () => {
  await server.close();
});

describe('readiness of /healthz', () => {
  it('starts not ready: 503 with an empty body', async () => {
    const response = await request(server.url).get('/healthz');
    expect(response.status).toBe(503);
    expect(response.text).toBe('');
    expect(healthz.isReady).toBe(false);
  });

  it('answers 200 after ready() and 503 again after notReady()', async () => {
    healthz.ready();
    expect((await request(server.url).get('/healthz')).status).toBe(200);
    expect(healthz.isReady).toBe(true);
    healthz.notReady();
    expect((await request(server.url).get('/healthz')).status).toBe(503);
  });

  it('only the current value matters: ready() twice then notReady() once is not ready', async () => {
    healthz.ready();
    healthz.ready();
    healthz.notReady();
    expect((await request(server.url).get('/healthz')).status).toBe(503);
  });
});

describe('/healthz answers every method and query the same way', () => {
  it.each(['get', 'post', 'put', 'delete', 'patch', 'options'] as const)(
    '%s /healthz → 200 when ready',
    async (method) => {
      healthz.ready();
      const response = await request(server.url)[method]('/healthz?verbose=1&x');
      expect(response.status).toBe(200);
      expect(response.headers['content-length']).toBe('0');
      expect(response.headers['content-type']).toBeUndefined();
    },
  );

  it('HEAD gets the same status and no Content-Length, like Go', async () => {
    const raw = await exchange(server.port, 'HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(raw).toBe(
      'HTTP/1.1 503 Service Unavailable\r\nDate: Tue, 09 Feb 2021 18:43:42 GMT\r\nConnection: close\r\n\r\n',
    );
  });

  it('a percent-encoded /healthz is the same path once decoded (Go routes the decoded path)', async () => {
    healthz.ready();
    expect((await request(server.url).get('/heal%74hz')).status).toBe(200);
  });
});

describe('other paths get Go ServeMux answers', () => {
  it.each(['/healthz/', '/HEALTHZ', '/', '/v1.0/healthz', '/healthz%3F', '/healthzz'])(
    '%s → 404 page not found',
    async (path) => {
      healthz.ready();
      const response = await request(server.url).get(path);
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.text).toBe('404 page not found\n');
    },
  );

  it.each([
    ['//healthz', '/healthz'],
    ['/a/../healthz', '/healthz'],
    ['/./healthz?x=1', '/healthz?x=1'],
    ['//other//', '/other/'],
    ['/%2Fhealthz', '/healthz'],
    ['//a%20b%3F', '/a%20b%3F'],
  ])('the unclean path %s redirects 301 to %s', async (path, location) => {
    const raw = await exchange(server.port, closingGet(path));
    expect(raw).toMatch(/^HTTP\/1\.1 301 Moved Permanently\r\n/);
    expect(raw).toContain(`\r\nLocation: ${location}\r\n`);
    expect(raw.endsWith(`<a href="${location.replaceAll('&', '&amp;')}">Moved Permanently</a>.\n\n`)).toBe(
      true,
    );
  });

  it('a redirect for POST has no body and no Content-Type, as http.Redirect does', async () => {
    const raw = await exchange(
      server.port,
      'POST //healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expect(raw).toBe(
      'HTTP/1.1 301 Moved Permanently\r\nLocation: /healthz\r\nDate: Tue, 09 Feb 2021 18:43:42 GMT\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
  });

  it('a malformed escape is a 400, as Go rejects it before routing', async () => {
    const raw = await exchange(server.port, closingGet('/%zz'));
    expect(raw).toBe(
      'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request',
    );
  });

  it('OPTIONS * is answered 200 and any other method with * is a 400 that closes', async () => {
    expect(await exchange(server.port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 200 OK\r\n/,
    );
    expect(await exchange(server.port, 'GET * HTTP/1.1\r\nHost: x\r\n\r\n')).toBe(
      'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nDate: Tue, 09 Feb 2021 18:43:42 GMT\r\nContent-Length: 0\r\n\r\n',
    );
  });
});

describe('keep-alive responses carry the headers Go sends', () => {
  it('a kept-alive HTTP/1.1 response has no Connection header, and the next one on the socket closes', async () => {
    healthz.ready();
    const raw = await exchange(
      server.port,
      'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(raw).toBe(
      'HTTP/1.1 200 OK\r\nDate: Tue, 09 Feb 2021 18:43:42 GMT\r\nContent-Length: 0\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nDate: Tue, 09 Feb 2021 18:43:42 GMT\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
  });

  it('an HTTP/1.0 keep-alive request gets Connection: keep-alive and no Keep-Alive header', async () => {
    const raw = await exchange(
      server.port,
      'GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /healthz HTTP/1.0\r\n\r\n',
    );
    expect(raw).toBe(
      'HTTP/1.1 503 Service Unavailable\r\nDate: Tue, 09 Feb 2021 18:43:42 GMT\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n' +
        'HTTP/1.1 503 Service Unavailable\r\nDate: Tue, 09 Feb 2021 18:43:42 GMT\r\nContent-Length: 0\r\n\r\n',
    );
  });
});

describe('with the default Date header (Node own cached date on the hot path)', () => {
  const mask = (raw: string) => raw.replace(/\r\nDate: [^\r]+\r\n/g, '\r\nDate: <date>\r\n');

  it('is the current time in Go http.TimeFormat', async () => {
    const plain = createHealthzServer();
    const other = await mount(plain.handler);
    try {
      const response = await request(other.url).get('/healthz');
      expect(response.headers.date).toMatch(
        /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
      );
    } finally {
      await other.close();
    }
  });

  it('keeps exactly the layout of the explicit path, kept alive or closing, GET or HEAD', async () => {
    const plain = createHealthzServer();
    const other = await mount(plain.handler);
    try {
      for (const method of ['GET', 'HEAD', 'POST']) {
        for (const ready of [true, false]) {
          if (ready) {
            plain.ready();
            healthz.ready();
          } else {
            plain.notReady();
            healthz.notReady();
          }
          const requests = `${method} /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n${method} /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`;
          const fast = mask(await exchange(other.port, requests));
          const explicit = mask(await exchange(server.port, requests));
          expect(fast).toBe(explicit);
          expect(
            fast.startsWith(`HTTP/1.1 ${ready ? '200 OK' : '503 Service Unavailable'}\r\nDate: <date>\r\n`),
          ).toBe(true);
        }
      }
    } finally {
      await other.close();
    }
  });
});
