import type { IncomingMessage } from 'node:http';

/**
 * The request header daprd reads the API token from (`auth.APITokenHeader`).
 *
 * @example
 * fetch(url, { headers: { [API_TOKEN_HEADER]: 'secret' } });
 */
export const API_TOKEN_HEADER = 'dapr-api-token';

/**
 * The substring that exempts a request from the token check: daprd's
 * `auth.ExcludedRoute` looks for it, case-sensitively, anywhere in the request's full URI.
 */
const EXCLUDED = '/healthz';

/**
 * Whether daprd's `useAPIAuthentication` middleware lets a request through: the full URI
 * (`http://<host><path>?<query>`, host lowercased and path normalised as fasthttp does)
 * contains `/healthz`, or the first `dapr-api-token` header equals the token. It runs before
 * the router, so a refused request never sees a 301 or a 404.
 *
 * @example
 * passesApiToken(req, '/v1.0/HEALTHZ', undefined, 'secret'); // true only with the header
 */
export function passesApiToken(
  req: IncomingMessage,
  path: string,
  rawQuery: string | undefined,
  token: string,
): boolean {
  // Built like fasthttp's FullURI, so a Host starting with "healthz" exempts it, as in daprd.
  const query = rawQuery ? `?${rawQuery}` : '';
  const uri = `http://${req.headers.host?.toLowerCase() ?? ''}${path}${query}`;
  if (uri.includes(EXCLUDED)) return true;
  // fasthttp's Peek returns the first of repeated headers; Node would join them with ", ".
  return req.headersDistinct[API_TOKEN_HEADER]?.[0] === token;
}
