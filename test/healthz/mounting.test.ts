import type { IncomingMessage, ServerResponse } from 'node:http';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealthzServer, createSidecarHealthz } from '../../src/healthz/index.js';
import { mount } from './support/raw-http.js';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * The Connect/Express calling convention, in the fewest lines: each middleware either answers
 * or calls next(); the end of the chain answers 404 "app". (Express itself is not a
 * dependency; it calls middleware exactly like this.)
 */
function chain(...stack: Middleware[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let index = 0;
    const next = (error?: unknown) => {
      const layer = stack[index++];
      if (error !== undefined || !layer) {
        res.statusCode = error === undefined ? 404 : 500;
        res.end(error === undefined ? 'app 404' : 'app error');
        return;
      }
      layer(req, res, next);
    };
    next();
  };
}

let server: Awaited<ReturnType<typeof mount>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('mounting the handler in an existing node:http server', () => {
  it('serves /healthz next to the application own routes', async () => {
    const healthz = createHealthzServer();
    server = await mount((req, res) => {
      if (req.url === '/api/orders') {
        res.end('orders');
        return;
      }
      healthz.handler(req, res);
    });
    healthz.ready();
    expect((await request(server.url).get('/healthz')).status).toBe(200);
    expect((await request(server.url).get('/api/orders')).text).toBe('orders');
    expect((await request(server.url).get('/missing')).text).toBe('404 page not found\n');
  });
});

describe('using the handler as Connect/Express middleware', () => {
  it('answers its own path and passes every other request to next()', async () => {
    const healthz = createHealthzServer();
    const seen: string[] = [];
    server = await mount(
      chain(
        (req, _res, next) => {
          seen.push(req.url ?? '');
          next();
        },
        healthz.handler as Middleware,
        (req, res, next) => (req.url === '/hello' ? res.end('hello') : next()),
      ),
    );
    expect((await request(server.url).get('/healthz')).status).toBe(503);
    healthz.ready();
    expect((await request(server.url).post('/healthz')).status).toBe(200);
    expect((await request(server.url).get('/hello')).text).toBe('hello');
    const passed = await request(server.url).get('//healthz');
    expect(passed.status).toBe(404);
    expect(passed.text).toBe('app 404');
    expect(seen).toEqual(['/healthz', '/healthz', '/hello', '//healthz']);
  });

  it('the sidecar handler answers /v1.0/healthz and passes the rest on', async () => {
    const sidecar = createSidecarHealthz();
    server = await mount(chain(sidecar.handler as Middleware));
    sidecar.ready();
    expect((await request(server.url).get('/v1.0/healthz')).status).toBe(204);
    expect((await request(server.url).post('/v1.0/healthz')).status).toBe(405);
    expect((await request(server.url).get('/other')).text).toBe('app 404');
  });

  it('keeps headers the application set before it', async () => {
    const healthz = createHealthzServer();
    server = await mount(
      chain((_req, res, next) => {
        res.setHeader('X-Powered-By', 'probekit-test');
        next();
      }, healthz.handler as Middleware),
    );
    const response = await request(server.url).get('/healthz');
    expect(response.status).toBe(503);
    expect(response.headers['x-powered-by']).toBe('probekit-test');
    expect(response.headers['content-length']).toBe('0');
  });
});
