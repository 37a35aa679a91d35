import { formatDuration } from '../../../time/duration.js';
import { assertNever } from '../../engine/kinds.js';
import {
  ANY_PATH,
  type EndpointDefinition,
  type Item,
  type Latency,
  type Route,
  type SlowStep,
  type StatusStep,
  type Step,
} from '../model.js';

function duration(ms: number): string {
  return formatDuration(ms);
}

function latency(value: Latency): string {
  if (typeof value === 'number') return duration(value);
  if (value.dist === 'uniform') return `${duration(value.min)}..${duration(value.max)}`;
  if (value.dist === 'normal') return `normal(${duration(value.mean)}, ${duration(value.sd)})`;
  return `exp(${duration(value.mean)})`;
}

function extras(step: StatusStep | SlowStep): string {
  let text = '';
  if (step.headers && Object.keys(step.headers).length > 0) {
    const pairs = Object.entries(step.headers).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
    text += ` [${pairs.join(', ')}]`;
  }
  if (step.body !== undefined) text += ` ${JSON.stringify(step.body)}`;
  return text;
}

/**
 * Prints one step in the DSL.
 *
 * @example
 * printStep({ kind: 'status', status: 503, delay: 120 }); // "delay 120ms then 503"
 */
export function printStep(step: Step): string {
  let text: string;
  switch (step.kind) {
    case 'status':
      text = `${step.status}${extras(step)}`;
      break;
    case 'slow-headers':
    case 'slow-body':
      text = `${step.kind} ${step.status}${extras(step)} over ${duration(step.over)}`;
      break;
    case 'refuse':
      return step.for === undefined ? 'refuse' : `refuse ${duration(step.for)}`;
    case 'hang':
      return 'hang';
    case 'pass':
      text = step.status === undefined ? 'pass' : `pass [status=${step.status}]`;
      if (step.over !== undefined) text = `slow-body ${text} over ${duration(step.over)}`;
      break;
    case 'reset':
    case 'close':
    case 'malformed':
      text = step.kind;
      break;
    default:
      return assertNever(step, 'step');
  }
  return step.delay === undefined ? text : `delay ${latency(step.delay)} then ${text}`;
}

/**
 * Prints any script item in the DSL.
 *
 * @example
 * printItem({ kind: 'repeat', times: 3, item: { kind: 'status', status: 503 } }); // "503*3"
 */
export function printItem(item: Item): string {
  switch (item.kind) {
    case 'repeat':
      return `${printItem(item.item)}*${item.times}`;
    case 'forever':
      return `${printItem(item.item)}...`;
    case 'group':
      return `(${item.items.map(printItem).join(', ')})`;
    case 'choice':
      return `(${item.options
        .map((o) => (o.weight === undefined ? printStep(o.step) : `${printStep(o.step)}@${o.weight}`))
        .join(' | ')})`;
    default:
      return printStep(item);
  }
}

function printBody(route: Route): string {
  const parts = route.script.map(printItem);
  if (route.end !== undefined && route.end !== 'last') parts.push(route.end);
  for (const window of route.windows ?? []) {
    let text = `down from ${duration(window.from)}`;
    if (window.until !== undefined) text += ` until ${duration(window.until)}`;
    if (window.step !== undefined) text += ` as ${printStep(window.step)}`;
    parts.push(text);
  }
  if (route.flap) {
    let text = `up ${duration(route.flap.up)}, down ${duration(route.flap.down)}`;
    if (route.flap.step !== undefined) text += ` as ${printStep(route.flap.step)}`;
    parts.push(text);
  }
  return parts.join(', ');
}

/** A route's head: its path, after its method when it names one (`POST /healthz`, `GET *`). */
function printHead(route: Route): string {
  return route.method === undefined ? route.path : `${route.method} ${route.path}`;
}

/**
 * Prints a definition in the DSL, in canonical form: `parseScript(printScript(d))` equals a
 * canonical `d` (see `normalizeDefinition`). A lone route for every path and every method is
 * printed without its `*:` prefix; a route for any method without a method.
 *
 * @example
 * printScript({ routes: [{ path: '*', script: [{ kind: 'forever', item: { kind: 'status', status: 200 } }] }] });
 * // "200..."
 * printScript({ routes: [{ method: 'POST', path: '/healthz', script: [{ kind: 'status', status: 405 }] }] });
 * // "POST /healthz: 405"
 */
export function printScript(definition: EndpointDefinition): string {
  const routes = definition.routes;
  const only = routes.length === 1 ? (routes[0] as Route) : undefined;
  if (only && only.path === ANY_PATH && only.method === undefined) return printBody(only);
  return routes.map((route) => `${printHead(route)}: ${printBody(route)}`).join('; ');
}
