/**
 * The rules of docs/semantics.md §2 (control-plane) and §3 (sidecar), each with a stable id.
 * Healthz cases name the rules they pin down; a failed case names the rules it breaks.
 *
 * @example
 * SERVER_RULES['control-plane.not-found']; // 'Any other path … 404 …'
 */
export const SERVER_RULES = Object.freeze({
  'control-plane.starts-not-ready':
    'The server starts not ready: /healthz answers 503 until Ready() is called (§2).',
  'control-plane.readiness':
    'Ready()/NotReady() flip one flag and only its current value matters: /healthz is 200 when ready, 503 when not (§2).',
  'control-plane.any-method':
    '/healthz answers with any method and any query string; HEAD gets the same status without a body (§2).',
  'control-plane.empty-body':
    '/healthz answers with an empty body: Content-Length: 0 and no Content-Type (§2).',
  'control-plane.not-found':
    'Any other path (/healthz/, /HEALTHZ, /, /v1.0/healthz) is 404, text/plain; charset=utf-8, "404 page not found\\n" (§2).',
  'control-plane.go-serve-mux':
    "Go's net/http ServeMux details: the exact header set and order, and 301 from an unclean path (//healthz) to the clean one (§2, recorded).",
  'sidecar.starts-not-ready':
    'The sidecar starts not ready: GET /v1.0/healthz answers 500 until it is ready (§3).',
  'sidecar.readiness': 'GET /v1.0/healthz is 204 with no body when ready, 500 when not (§3).',
  'sidecar.error-body':
    'Not ready is 500 with Content-Type: application/json and exactly {"errorCode":"ERR_HEALTH_NOT_READY","message":"dapr is not ready"} (§3).',
  'sidecar.get-only':
    'Only GET is routed: HEAD/POST/… get 405 with Allow: GET, OPTIONS; OPTIONS gets 200 with the same Allow (§3).',
  'sidecar.trailing-slash':
    'GET /v1.0/healthz/ (a trailing slash) redirects 301 to the absolute http://<Host>/v1.0/healthz (§3).',
  'sidecar.fixed-path':
    'A GET whose path differs from /v1.0/healthz only by letter case (/v1.0/HEALTHZ) redirects 301 to http://<Host>/v1.0/healthz (§3).',
  'sidecar.api-token':
    'With an API token configured, a URI containing /healthz skips the dapr-api-token check; any other URI without the right token is 401 "invalid api token" (§3).',
  'sidecar.not-found': 'Other paths, /healthz among them, are 404 (§3).',
  'sidecar.fasthttp':
    "fasthttp and its router's details: text/plain 404 and 405 bodies, no Content-Length on 204, the query kept by the redirect, paths normalised without a redirect (§3).",
} as const);

/**
 * A rule id from {@link SERVER_RULES}.
 *
 * @example
 * const rule: ServerRuleId = 'sidecar.get-only';
 */
export type ServerRuleId = keyof typeof SERVER_RULES;

/**
 * Whether `id` names a rule in the server catalogue.
 *
 * @example
 * isServerRuleId('sidecar.get-only'); // true
 */
export function isServerRuleId(id: string): id is ServerRuleId {
  return Object.hasOwn(SERVER_RULES, id);
}
