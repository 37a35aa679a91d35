import {
  ANY_METHOD,
  ANY_PATH,
  DEFAULT_SLOW_OVER,
  type EndpointDefinition,
  type EndRule,
  type Flap,
  type Item,
  isStep,
  type Latency,
  LIMITS,
  METHOD_PATTERN,
  RESERVED_HEADERS,
  type Route,
  type Step,
  type TimeWindow,
} from '../model.js';
import { checkDefinition } from '../semantics.js';
import { describeToken, type Token, tokenize } from './lexer.js';
import { clip, ScriptSyntaxError } from './syntax-error.js';

/** Where a step is being parsed: each place allows different things (see docs/dsl.md). */
type StepContext = 'script' | 'overlay' | 'choice';

const KEYWORDS = [
  'hang',
  'pass',
  'reset',
  'close',
  'refuse',
  'malformed',
  'slow-headers',
  'slow-body',
  'delay',
  'then',
  'down',
  'up',
  'from',
  'until',
  'as',
  'cycle',
  'end',
  'over',
  'normal',
  'exp',
];

const UNIT_MS: Readonly<Record<string, number>> = { '': 1, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Where the non-step keywords belong, for "found X here" errors. */
const PLACE_HINT: ReadonlyMap<string, string> = new Map([
  ['then', 'Separate steps with "," or "then": 200 then 503'],
  ['cycle', '"cycle" goes at the end of a route, outside parentheses: 200, 503, cycle'],
  ['end', '"end" goes at the end of a route, outside parentheses: 200, 503, end'],
  ['down', 'Windows go at the route level, outside parentheses: 200..., down from 30s until 90s'],
  ['up', 'Flapping goes at the route level, outside parentheses: 200..., up 10s, down 5s'],
  ['from', 'Windows are written "down from 30s until 90s"'],
  ['until', 'Windows are written "down from 30s until 90s"'],
  ['as', 'Name a window\'s step after "as": down from 30s as refuse'],
  ['over', 'Slow steps are written "slow-body 200 over 2s"'],
  ['normal', 'A distribution goes after "delay": delay normal(100ms, 20ms) then 200'],
  ['exp', 'A distribution goes after "delay": delay exp(100ms) then 200'],
]);

const STEP_HINT =
  'A step is a status (200), hang, reset, close, malformed, refuse 2s, slow-headers, slow-body, pass (proxy only), or delay 120ms then <step>';

/** Edit distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        previous + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      previous = current;
    }
  }
  return row[b.length] as number;
}

function suggestion(word: string): string | undefined {
  // No keyword is within 2 edits of a longer word; and the distance costs length × length.
  if (word.length > 16) return undefined;
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const keyword of KEYWORDS) {
    const d = distance(lower, keyword);
    if (d < bestDistance) {
      best = keyword;
      bestDistance = d;
    }
  }
  return best;
}

interface Element {
  readonly item: Item;
  readonly weight: number | undefined;
  readonly start: Token;
}

class Parser {
  readonly #source: string;
  readonly #tokens: Token[];
  #at = 0;

  constructor(source: string) {
    this.#source = source;
    this.#tokens = tokenize(source);
  }

  parse(): EndpointDefinition {
    if (this.#peek().kind === 'eof') {
      this.#fail(this.#peek(), {
        reason: 'the script is empty',
        expected: 'a step',
        hint: 'Write at least one step, e.g. 200 or "200*2, 503*3, hang, 200..."',
      });
    }
    const routes: Route[] = [];
    // Keyed by method and path: `GET /healthz` and `/healthz` (any method) are two routes.
    const keys = new Map<string, Token>();
    for (;;) {
      const start = this.#peek();
      const route = this.#route();
      const key = `${route.method ?? ANY_METHOD} ${route.path}`;
      const previous = keys.get(key);
      if (previous) {
        const what = route.method === undefined ? `the path ${route.path}` : `${route.method} ${route.path}`;
        this.#fail(start, {
          reason: `${clip(what, 60)} already has a route (at column ${previous.start + 1})`,
          hint:
            route.method === undefined
              ? 'Give each path one route, and put all its steps there'
              : 'Give each method and path one route, and put all its steps there',
        });
      }
      if (routes.length >= LIMITS.maxRoutes) {
        this.#fail(start, { reason: `more than ${LIMITS.maxRoutes} routes`, hint: 'Use fewer paths' });
      }
      keys.set(key, start);
      routes.push(route);
      if (!this.#punct(';')) break;
      this.#next();
    }
    return { routes };
  }

  // ---- routes and their parts ----

  #route(): Route {
    const method = this.#method();
    let path = ANY_PATH;
    const first = this.#peek();
    if ((first.kind === 'path' || this.#punct('*')) && this.#punct(':', 1)) {
      path = first.text;
      this.#next();
      this.#next();
    } else if (first.kind === 'path' || (method !== undefined && this.#punct('*'))) {
      this.#fail(this.#peek(1), {
        reason: `expected ":" after the path ${first.text}`,
        expected: '":"',
        hint: `Write the path, a colon, then its steps: ${first.text}: 200...`,
      });
    } else if (first.kind === 'word' && this.#punct(':', 1)) {
      if (METHOD_PATTERN.test(first.text)) {
        this.#fail(this.#peek(1), {
          reason: `expected a path after the method ${clip(first.text, 40)}`,
          expected: 'a path or "*"',
          found: '":"',
          hint: `Write the method, a path (or * for every path), then a colon: ${clip(first.text, 40)} /healthz: 200...`,
        });
      }
      this.#fail(first, {
        reason: `the path ${JSON.stringify(clip(first.text, 40))} does not start with /`,
        hint: `Write it as /${clip(first.text, 40)}: ...`,
      });
    }
    const script: Item[] = [];
    const windows: TimeWindow[] = [];
    let flap: Flap | undefined;
    let end: EndRule | undefined;
    let closedBy: string | undefined;
    for (;;) {
      const token = this.#peek();
      if (this.#word('down') && this.#word('from', 1)) {
        if (windows.length >= LIMITS.maxWindows) {
          this.#fail(token, { reason: `more than ${LIMITS.maxWindows} windows`, hint: 'Merge some windows' });
        }
        windows.push(this.#window());
      } else if (this.#word('up')) {
        if (flap) {
          this.#fail(token, {
            reason: 'this route already flaps',
            hint: 'A route has at most one "up <d>, down <d>"; use windows for other outages',
          });
        }
        flap = this.#flap();
      } else if (this.#word('down')) {
        this.#fail(token, {
          reason: '"down" must be followed by "from"',
          expected: '"from"',
          hint: 'A window is written "down from 30s until 90s"; flapping is "up 10s, down 5s"',
        });
      } else if (this.#word('cycle') || this.#word('end')) {
        if (closedBy !== undefined) this.#unreachable(token, closedBy);
        if (script.length === 0) {
          this.#fail(token, {
            reason: `"${token.text}" needs steps before it`,
            hint: `Write the steps first, e.g. "200, 503, ${token.text}"`,
          });
        }
        end = token.text as EndRule;
        closedBy = `"${token.text}"`;
        this.#next();
      } else {
        if (closedBy !== undefined) this.#unreachable(token, closedBy);
        if (script.length >= LIMITS.maxItems) {
          this.#fail(token, {
            reason: `more than ${LIMITS.maxItems} items in a route`,
            hint: 'Use *n to repeat',
          });
        }
        const item = this.#item(0, true);
        if (item.kind === 'forever') closedBy = 'a step that repeats forever ("...")';
        script.push(item);
      }
      if (this.#punct(',') || this.#word('then')) {
        const separator = this.#next();
        const next = this.#peek();
        if (next.kind === 'eof' || this.#punct(';') || this.#punct(')')) {
          this.#fail(next, {
            reason: `expected a step after ${JSON.stringify(separator.text)}, found ${describeToken(next)}`,
            expected: 'a step',
            found: describeToken(next),
            hint: `Remove the trailing ${JSON.stringify(separator.text)} or add a step after it`,
          });
        }
        continue;
      }
      break;
    }
    this.#endOfRoute();
    const route: { -readonly [K in keyof Route]: Route[K] } =
      method === undefined ? { path, script } : { method, path, script };
    if (end !== undefined) route.end = end;
    if (windows.length > 0) route.windows = windows;
    if (flap) route.flap = flap;
    return route;
  }

  /**
   * A route's method, if it starts with one: a word followed by a path or `*` (`POST /healthz`,
   * `GET *`), or `*` followed by a path or `*` (any method, the same as none). `undefined` for
   * any method. Methods are case-sensitive (RFC 9110, section 9.1) and every registered one is
   * upper case, so a lower-case one is an error rather than folded: `get` would never match
   * what a client sends.
   */
  #method(): string | undefined {
    const token = this.#peek();
    const next = this.#peek(1);
    // `*` is a path only before ":" (`GET *: 405`); elsewhere it repeats (`hang*2`).
    const beforePath = next.kind === 'path' || (this.#punct('*', 1) && this.#punct(':', 2));
    if (token.kind === 'punct' && token.text === '*') {
      if (!beforePath) return undefined;
      this.#next();
      return undefined;
    }
    if (token.kind !== 'word') return undefined;
    const upper = METHOD_PATTERN.test(token.text);
    if (!beforePath) {
      // An upper-case word is never a step: say what a method needs after it.
      if (upper && !KEYWORDS.includes(token.text.toLowerCase()) && !this.#punct(':', 1)) {
        if (this.#punct('*', 1)) {
          const after = describeToken(this.#peek(2));
          this.#fail(this.#peek(2), {
            reason: `expected ":" after ${clip(token.text, 40)} *, found ${after}`,
            expected: '":"',
            found: after,
            hint: `Write the method, * for every path, a colon, then the steps: ${clip(token.text, 40)} *: 405...`,
          });
        }
        const found = describeToken(next);
        this.#fail(next, {
          reason: `expected a path after the method ${clip(token.text, 40)}, found ${found}`,
          expected: 'a path or "*"',
          found,
          hint: `Write the method, a path (or * for every path), then a colon: ${clip(token.text, 40)} /healthz: 200...`,
        });
      }
      return undefined;
    }
    if (KEYWORDS.includes(token.text)) {
      this.#fail(token, {
        reason: `a route starts with a method or a path, found the word "${token.text}"`,
        expected: 'a method, a path or "*"',
        found: describeToken(token),
        hint: 'Write the method in upper case before the path, then a colon: POST /healthz: 405...',
      });
    }
    if (!upper) {
      const shown = clip(token.text, 40);
      this.#fail(token, {
        reason: /[a-z]/.test(token.text)
          ? `the method "${shown}" is not upper case`
          : `"${shown}" is not a method`,
        expected: 'a method in upper case',
        found: describeToken(token),
        hint: `Methods are case-sensitive and written in upper case (letters, digits, "-", "_"): ${/^[A-Za-z][A-Za-z0-9_-]*$/.test(token.text) ? clip(token.text.toUpperCase(), 40) : 'GET'} ${next.text}: ...`,
      });
    }
    if (token.text.length > LIMITS.maxMethodChars) {
      this.#fail(token, {
        reason: `the method is longer than ${LIMITS.maxMethodChars} characters`,
        hint: 'Use a shorter method, or leave it out for any method',
      });
    }
    this.#next();
    return token.text;
  }

  /** After a route: only ";" or the end may follow; explain the usual mistakes. */
  #endOfRoute(): void {
    const token = this.#peek();
    if (token.kind === 'eof' || this.#punct(';')) return;
    const found = describeToken(token);
    const detail = (reason: string, hint: string) =>
      this.#fail(token, { reason, expected: '"," or ";"', found, hint });
    if (this.#punct(')')) detail('this ")" closes nothing', 'Remove it, or add the "(" it belongs to');
    if (this.#punct('@')) {
      detail(
        'a weight only makes sense inside a choice',
        'Write a weighted choice in parentheses: (200@9 | 503)',
      );
    }
    if (this.#punct('|')) {
      detail('a choice must be in parentheses', 'Write it like (200 | 503), or (200@9 | 503@1) with weights');
    }
    if (this.#punct('*')) {
      detail(
        '"*" repeats a step, but nothing here can be repeated',
        'Write the count right after a step: 503*3',
      );
    }
    if (this.#punct('...')) {
      detail('"..." cannot follow this', 'Put "..." right after a step, e.g. 200..., or (200, 503)...');
    }
    detail(`expected "," or ";" before ${found}`, 'Separate steps with "," (or "then") and routes with ";"');
  }

  #unreachable(token: Token, closedBy: string): never {
    return this.#fail(token, {
      reason: `nothing can follow ${closedBy}: it would never be reached`,
      found: describeToken(token),
      hint: 'Move it to the end, or repeat a step a fixed number of times with *n instead',
    });
  }

  #window(): TimeWindow {
    this.#next(); // down
    this.#next(); // from
    const from = this.#duration('the start of the window');
    const window: { -readonly [K in keyof TimeWindow]: TimeWindow[K] } = { from };
    if (this.#word('until')) {
      this.#next();
      const untilToken = this.#peek();
      const until = this.#duration('the end of the window');
      if (until <= from) {
        this.#fail(untilToken, {
          reason: `the window ends (${until}ms) before it starts (${from}ms)`,
          hint: 'Write the later time after "until", e.g. down from 30s until 90s',
        });
      }
      window.until = until;
    }
    if (this.#word('as')) {
      this.#next();
      window.step = this.#step('overlay', true);
    }
    return window;
  }

  #flap(): Flap {
    this.#next(); // up
    const upToken = this.#peek();
    const up = this.#duration('how long the route is up');
    if (up === 0) this.#zero(upToken, 'up 10s, down 5s');
    if (this.#punct(',') || this.#word('then')) this.#next();
    if (!this.#word('down')) {
      this.#fail(this.#peek(), {
        reason: `expected "down <duration>" after "up ${upToken.text}${upToken.unit}", found ${describeToken(this.#peek())}`,
        expected: '"down"',
        found: describeToken(this.#peek()),
        hint: 'Flapping is written "up 10s, down 5s"',
      });
    }
    this.#next();
    const downToken = this.#peek();
    const down = this.#duration('how long the route is down');
    if (down === 0) this.#zero(downToken, 'up 10s, down 5s');
    const flap: { -readonly [K in keyof Flap]: Flap[K] } = { up, down };
    if (this.#word('as')) {
      this.#next();
      flap.step = this.#step('overlay', true);
    }
    return flap;
  }

  #zero(token: Token, example: string): never {
    return this.#fail(token, { reason: 'the duration must be more than 0', hint: `For example: ${example}` });
  }

  // ---- items ----

  #item(depth: number, top: boolean): Item {
    let item = this.#primary(depth);
    for (;;) {
      if (this.#punct('*')) {
        this.#next();
        item = { kind: 'repeat', times: this.#count(), item };
        continue;
      }
      if (this.#punct('...')) {
        const dots = this.#next();
        if (!top) {
          this.#fail(dots, {
            reason: '"..." is only allowed on the last step of a route, not inside parentheses',
            hint: 'Put it after the closing parenthesis: (200, 503)...',
          });
        }
        item = { kind: 'forever', item };
        if (this.#punct('*') || this.#punct('...')) {
          this.#unreachable(this.#peek(), 'a step that repeats forever ("...")');
        }
      }
      return item;
    }
  }

  #primary(depth: number): Item {
    if (this.#punct('(')) return this.#parenthesised(depth + 1);
    return this.#step('script', true);
  }

  #parenthesised(depth: number): Item {
    const open = this.#next();
    if (depth > LIMITS.maxDepth) {
      this.#fail(open, {
        reason: `parentheses nest more than ${LIMITS.maxDepth} deep`,
        hint: 'Flatten the script; (a, b)*n already repeats a whole group',
      });
    }
    const elements: Element[] = [];
    let mode: 'group' | 'choice' | undefined;
    for (;;) {
      const start = this.#peek();
      if (elements.length >= LIMITS.maxItems) {
        this.#fail(start, {
          reason: `more than ${LIMITS.maxItems} items in parentheses`,
          hint: 'Use *n to repeat',
        });
      }
      const item = this.#item(depth, false);
      let weight: number | undefined;
      if (this.#punct('@')) {
        const at = this.#next();
        if (!isStep(item)) {
          this.#fail(at, {
            reason: 'a weight goes on a single step',
            hint: 'A choice picks one step per request: (200@9 | 503@1)',
          });
        }
        weight = this.#weight();
      }
      elements.push({ item, weight, start });
      if (this.#punct('|')) {
        if (mode === 'group') this.#mixed(this.#peek());
        mode = 'choice';
        this.#next();
        continue;
      }
      if (this.#punct(',') || this.#word('then')) {
        if (mode === 'choice') this.#mixed(this.#peek());
        mode = 'group';
        this.#next();
        continue;
      }
      break;
    }
    if (!this.#punct(')')) {
      const found = describeToken(this.#peek());
      this.#fail(this.#peek(), {
        reason: `expected ")" to close the "(" at column ${open.start + 1}, found ${found}`,
        expected: '")"',
        found,
        hint: 'Close every "(" with ")"; separate steps inside with "," or choices with "|"',
      });
    }
    this.#next();
    const weighted = elements.find((e) => e.weight !== undefined);
    if (mode === 'choice' || weighted) {
      if (elements.length < 2) {
        this.#fail(open, {
          reason: 'a choice needs at least two options',
          hint: 'Write it like (200@9 | 503@1), or drop the weight',
        });
      }
      if (elements.length > LIMITS.maxOptions) {
        this.#fail(open, {
          reason: `a choice has more than ${LIMITS.maxOptions} options`,
          hint: 'Use weights',
        });
      }
      return {
        kind: 'choice',
        options: elements.map((e) => {
          if (!isStep(e.item)) {
            this.#fail(e.start, {
              reason: 'a choice picks one step per request, so each option must be a single step',
              hint: 'Repeat outside the choice instead: (200 | 503)*3',
            });
          }
          if (e.item.kind === 'refuse') this.#refuseInChoice(e.start);
          return e.weight === undefined ? { step: e.item } : { step: e.item, weight: e.weight };
        }),
      };
    }
    return { kind: 'group', items: elements.map((e) => e.item) };
  }

  #mixed(token: Token): never {
    return this.#fail(token, {
      reason: 'parentheses hold either a sequence ("," or "then") or a choice ("|"), not both',
      hint: 'Nest them: ((200 | 503), hang) or ((200, 503) ...) as needed',
    });
  }

  #refuseInChoice(token: Token): never {
    return this.#fail(token, {
      reason: 'refuse cannot be a choice: a refused connection is never received, so nothing would pick it',
      hint: 'Refuse for a while in the script (refuse 2s) or in a window (down from 10s until 20s as refuse)',
    });
  }

  // ---- steps ----

  #step(context: StepContext, allowDelay: boolean): Step {
    const token = this.#peek();
    if (this.#word('delay')) {
      this.#next();
      if (!allowDelay) {
        this.#fail(token, {
          reason: 'a step can have only one delay',
          hint: 'Add the two delays up: delay 150ms then 200',
        });
      }
      const delay = this.#latency();
      if (!this.#word('then')) {
        const found = describeToken(this.#peek());
        this.#fail(this.#peek(), {
          reason: `expected "then" after the delay, found ${found}`,
          expected: '"then"',
          found,
          hint: 'Write it like "delay 120ms then 200"',
        });
      }
      this.#next();
      const stepToken = this.#peek();
      const step = this.#step(context, false);
      if (step.kind === 'hang' || step.kind === 'refuse') {
        this.#fail(stepToken, {
          reason:
            step.kind === 'hang'
              ? 'a delay before hang changes nothing: hang never answers'
              : 'a delay cannot come before refuse: a refused connection is never received',
          hint:
            step.kind === 'hang'
              ? 'Write just "hang"'
              : 'Put the delay on the step before, or use refuse <duration>',
        });
      }
      return { ...step, delay } as Step;
    }
    if (token.kind === 'number') return this.#statusStep();
    if (token.kind === 'word') {
      switch (token.text) {
        case 'hang':
        case 'reset':
        case 'close':
        case 'malformed':
          this.#next();
          return { kind: token.text };
        case 'refuse':
          return this.#refuse(context);
        case 'pass':
          return this.#pass();
        case 'slow-headers':
        case 'slow-body':
          return this.#slow(token.text);
      }
      if (KEYWORDS.includes(token.text)) {
        this.#fail(token, {
          reason: `expected a step, found the word "${token.text}", which is not a step`,
          expected: 'a step',
          found: describeToken(token),
          hint: PLACE_HINT.get(token.text) ?? STEP_HINT,
        });
      }
      const guess = suggestion(token.text);
      this.#fail(token, {
        reason: `unknown word ${JSON.stringify(token.text)}`,
        expected: 'a step',
        found: describeToken(token),
        hint: guess && guess !== token.text ? `Did you mean "${guess}"? ${STEP_HINT}` : STEP_HINT,
      });
    }
    const found = describeToken(token);
    if (token.kind === 'string') {
      this.#fail(token, {
        reason: `expected a step, found ${found}`,
        expected: 'a step',
        found,
        hint: 'A body goes right after its status: 200 "ok"',
      });
    }
    return this.#fail(token, {
      reason: `expected a step, found ${found}`,
      expected: 'a step',
      found,
      hint: STEP_HINT,
    });
  }

  #refuse(context: StepContext): Step {
    const before = this.#peek(-1);
    const token = this.#next();
    const inChoice = (t: Token) => t.kind === 'punct' && (t.text === '|' || t.text === '@');
    if (context === 'choice' || (token !== before && inChoice(before)) || inChoice(this.#peek())) {
      this.#refuseInChoice(token);
    }
    if (this.#peek().kind === 'number') {
      const durationToken = this.#peek();
      const ms = this.#duration('how long to refuse');
      if (context === 'overlay') {
        this.#fail(durationToken, {
          reason: 'a window or a flap already says how long connections are refused',
          hint: 'Write just "as refuse"',
        });
      }
      if (ms === 0) this.#zero(durationToken, 'refuse 2s');
      return { kind: 'refuse', for: ms };
    }
    if (context === 'script') {
      const found = describeToken(this.#peek());
      this.#fail(this.#peek(), {
        reason: `expected how long to refuse connections, found ${found}`,
        expected: 'a duration',
        found,
        hint: 'A refused connection is never received, so only time ends it: write "refuse 2s"',
      });
    }
    return { kind: 'refuse' };
  }

  #statusStep(): Step {
    const status = this.#status();
    const step: { kind: 'status'; status: number; headers?: Record<string, string>; body?: string } = {
      kind: 'status',
      status,
    };
    this.#extras(step);
    return step;
  }

  /** `pass`, with an optional `[status=503]` replacing the upstream's status. */
  #pass(): { kind: 'pass'; status?: number } {
    this.#next();
    const step: { kind: 'pass'; status?: number } = { kind: 'pass' };
    if (!this.#punct('[')) return step;
    this.#next();
    const name = this.#peek();
    if (name.kind !== 'word' || name.text !== 'status') {
      this.#fail(name, {
        reason: `pass takes only a status to replace the upstream's, found ${describeToken(name)}`,
        hint: 'Write it like pass [status=503]',
      });
    }
    this.#next();
    if (!this.#punct('=') || this.#peek(1).kind !== 'number') {
      this.#fail(this.#punct('=') ? this.#peek(1) : this.#peek(), {
        reason: 'expected "=" and a status after "status"',
        hint: 'Write it like pass [status=503]',
      });
    }
    this.#next();
    step.status = this.#status();
    if (!this.#punct(']')) {
      this.#fail(this.#peek(), {
        reason: `expected "]" after the status, found ${describeToken(this.#peek())}`,
        hint: 'Write it like pass [status=503]',
      });
    }
    this.#next();
    return step;
  }

  #slow(kind: 'slow-headers' | 'slow-body'): Step {
    this.#next();
    if (this.#word('pass')) {
      // `slow-body pass over 2s`: the upstream's body, dribbled.
      const passToken = this.#peek();
      if (kind === 'slow-headers') {
        this.#fail(passToken, {
          reason: "slow-headers cannot pass: the upstream's head is forwarded as it comes",
          hint: 'Use slow-body pass over 2s, or delay 2s then pass',
        });
      }
      const step: { kind: 'pass'; status?: number; over: number } = {
        ...this.#pass(),
        over: DEFAULT_SLOW_OVER,
      };
      if (this.#word('over')) {
        this.#next();
        const token = this.#peek();
        step.over = this.#duration('how long slow-body takes');
        if (step.over === 0) this.#zero(token, 'slow-body pass over 2s');
      }
      return step;
    }
    const step: {
      kind: typeof kind;
      status: number;
      headers?: Record<string, string>;
      body?: string;
      over: number;
    } = { kind, status: 200, over: DEFAULT_SLOW_OVER };
    if (this.#peek().kind === 'number') {
      if (this.#peek().unit !== '') {
        this.#fail(this.#peek(), {
          reason: `expected a status after ${kind}, found a duration`,
          hint: `Say how long with "over": ${kind} 200 over 2s`,
        });
      }
      step.status = this.#status();
    }
    this.#extras(step);
    if (this.#word('over')) {
      this.#next();
      const token = this.#peek();
      step.over = this.#duration(`how long ${kind} takes`);
      if (step.over === 0) this.#zero(token, `${kind} 200 over 2s`);
    }
    return step;
  }

  #status(): number {
    const token = this.#next();
    const text = token.text + token.unit;
    if (token.unit !== '') {
      this.#fail(token, {
        reason: `a status has no unit, found ${JSON.stringify(text)}`,
        hint: 'Write a delay as "delay 120ms then 200"',
      });
    }
    const value = Number(token.text);
    if (!Number.isInteger(value) || value < 200 || value > 599) {
      this.#fail(token, {
        reason: `the status ${text} is out of range`,
        hint:
          value >= 100 && value < 200 && Number.isInteger(value)
            ? 'Statuses are whole numbers from 200 to 599: a 1xx is informational, and a client keeps waiting for the final status'
            : 'Statuses are whole numbers from 200 to 599',
      });
    }
    return value;
  }

  /** Optional `[name="value", …]` headers and a `"body"` after a status. */
  #extras(step: { headers?: Record<string, string>; body?: string }): void {
    if (this.#punct('[')) step.headers = this.#headers();
    if (this.#peek().kind === 'string') {
      const token = this.#next();
      if (token.value.length > LIMITS.maxBodyChars) {
        this.#fail(token, {
          reason: `the body is longer than ${LIMITS.maxBodyChars} characters`,
          hint: 'Use a shorter body',
        });
      }
      step.body = token.value;
    }
  }

  #headers(): Record<string, string> {
    const open = this.#next();
    const headers: Record<string, string> = {};
    if (this.#punct(']')) {
      this.#fail(open, { reason: 'the header list is empty', hint: 'Remove the [] or write [name="value"]' });
    }
    for (;;) {
      const nameToken = this.#peek();
      if (nameToken.kind !== 'word') {
        const found = describeToken(nameToken);
        this.#fail(nameToken, {
          reason: `expected a header name, found ${found}`,
          expected: 'a header name',
          found,
          hint: 'Write headers like [retry-after="5", content-type="text/plain"]',
        });
      }
      this.#next();
      const name = nameToken.text.toLowerCase();
      if (RESERVED_HEADERS.has(name)) {
        this.#fail(nameToken, {
          reason: `the header ${name} is set by probekit`,
          hint: 'Leave it out; use "malformed" for a broken response',
        });
      }
      if (Object.hasOwn(headers, name)) {
        this.#fail(nameToken, { reason: `the header ${name} is given twice`, hint: 'Give each header once' });
      }
      if (Object.keys(headers).length >= LIMITS.maxHeaders) {
        this.#fail(nameToken, {
          reason: `more than ${LIMITS.maxHeaders} headers`,
          hint: 'Use fewer headers',
        });
      }
      if (!this.#punct('=')) {
        const found = describeToken(this.#peek());
        this.#fail(this.#peek(), {
          reason: `expected "=" after the header name ${name}, found ${found}`,
          expected: '"="',
          found,
          hint: `Write it like ${name}="value"`,
        });
      }
      this.#next();
      const valueToken = this.#peek();
      if (valueToken.kind !== 'string') {
        const found = describeToken(valueToken);
        this.#fail(valueToken, {
          reason: `expected the value of ${name} as a string in double quotes, found ${found}`,
          expected: 'a string',
          found,
          hint: `Write it like ${name}="value"`,
        });
      }
      this.#next();
      if (/[^\t\x20-\x7e\x80-\xff]/.test(valueToken.value)) {
        this.#fail(valueToken, {
          reason: `the value of ${name} has a character HTTP does not allow in a header`,
          hint: 'Header values are printable text on one line',
        });
      }
      headers[name] = valueToken.value;
      if (this.#punct(',')) {
        this.#next();
        continue;
      }
      if (this.#punct(']')) {
        this.#next();
        return headers;
      }
      const found = describeToken(this.#peek());
      this.#fail(this.#peek(), {
        reason: `expected "," or "]" in the header list, found ${found}`,
        expected: '"," or "]"',
        found,
        hint: 'Close the header list with ]',
      });
    }
  }

  // ---- numbers ----

  #latency(): Latency {
    const token = this.#peek();
    if (token.kind === 'number') {
      const min = this.#duration('the delay');
      if (!this.#punct('..')) return min;
      this.#next();
      const maxToken = this.#peek();
      const max = this.#duration('the longest delay');
      if (max < min) {
        this.#fail(maxToken, {
          reason: `the range ends (${max}ms) below where it starts (${min}ms)`,
          hint: 'Write the smaller number first: delay 50ms..150ms then 200',
        });
      }
      return { dist: 'uniform', min, max };
    }
    if (this.#word('normal') || this.#word('exp')) {
      this.#next();
      this.#expectPunct(
        '(',
        `Write it like ${token.text === 'normal' ? 'normal(100ms, 20ms)' : 'exp(100ms)'}`,
      );
      const mean = this.#duration('the mean delay');
      if (token.text === 'exp') {
        this.#expectPunct(')', 'Write it like exp(100ms)');
        return { dist: 'exponential', mean };
      }
      this.#expectPunct(',', 'Write it like normal(100ms, 20ms)');
      const sd = this.#duration('the standard deviation');
      this.#expectPunct(')', 'Write it like normal(100ms, 20ms)');
      return { dist: 'normal', mean, sd };
    }
    const found = describeToken(token);
    return this.#fail(token, {
      reason: `expected a delay, found ${found}`,
      expected: 'a delay',
      found,
      hint: 'Write a delay as 120ms, 1.5s, 50ms..150ms, normal(100ms, 20ms) or exp(100ms)',
    });
  }

  #duration(what: string): number {
    const token = this.#peek();
    if (token.kind !== 'number') {
      const found = describeToken(token);
      this.#fail(token, {
        reason: `expected ${what} as a duration, found ${found}`,
        expected: 'a duration',
        found,
        hint: 'Write a duration like 120ms, 1.5s or 2m (a bare number means milliseconds)',
      });
    }
    this.#next();
    const factor = UNIT_MS[token.unit];
    if (factor === undefined) {
      this.#fail(token, {
        reason: `unknown unit ${JSON.stringify(token.unit)} in ${JSON.stringify(token.text + token.unit)}`,
        hint: 'Use ms, s, m or h (a bare number means milliseconds)',
      });
    }
    const exact = Number(token.text) * factor;
    const ms = Math.round(exact);
    if (Math.abs(exact - ms) > 1e-6 * Math.max(1, exact)) {
      this.#fail(token, {
        reason: `${token.text}${token.unit} is not a whole number of milliseconds`,
        hint: 'Durations are whole milliseconds',
      });
    }
    if (ms > LIMITS.maxMs) {
      this.#fail(token, {
        reason: `${token.text}${token.unit} is longer than the longest timer (${LIMITS.maxMs}ms, about 24.8 days)`,
        hint: 'Use a shorter duration',
      });
    }
    return ms;
  }

  #count(): number {
    const token = this.#peek();
    const text = token.text + token.unit;
    if (token.kind !== 'number') {
      const found = describeToken(token);
      this.#fail(token, {
        reason: `expected a repeat count after "*", found ${found}`,
        expected: 'a repeat count',
        found,
        hint: 'Write the count right after the star: 503*3 (use "..." to repeat forever)',
      });
    }
    this.#next();
    const value = Number(token.text);
    if (token.unit !== '' || !Number.isInteger(value) || value < 1 || value > LIMITS.maxTimes) {
      this.#fail(token, {
        reason: `the repeat count ${JSON.stringify(text)} is not a whole number from 1 to ${LIMITS.maxTimes}`,
        hint: 'Write it like 503*3; use "..." to repeat forever',
      });
    }
    return value;
  }

  #weight(): number {
    const token = this.#peek();
    const text = token.text + token.unit;
    if (token.kind !== 'number') {
      const found = describeToken(token);
      this.#fail(token, {
        reason: `expected a weight after "@", found ${found}`,
        expected: 'a weight',
        found,
        hint: 'Weights are whole numbers: (200@9 | 503@1)',
      });
    }
    this.#next();
    const value = Number(token.text);
    if (token.unit !== '' || !Number.isInteger(value) || value < 1 || value > LIMITS.maxWeight) {
      this.#fail(token, {
        reason: `the weight ${JSON.stringify(text)} is not a whole number from 1 to ${LIMITS.maxWeight}`,
        hint: 'Weights are whole numbers: (200@9 | 503@1)',
      });
    }
    return value;
  }

  // ---- token helpers ----

  #peek(ahead = 0): Token {
    return this.#tokens[Math.max(0, Math.min(this.#at + ahead, this.#tokens.length - 1))] as Token;
  }

  #next(): Token {
    const token = this.#peek();
    if (this.#at < this.#tokens.length - 1) this.#at++;
    return token;
  }

  #punct(text: string, ahead = 0): boolean {
    const token = this.#peek(ahead);
    return token.kind === 'punct' && token.text === text;
  }

  #word(text: string, ahead = 0): boolean {
    const token = this.#peek(ahead);
    return token.kind === 'word' && token.text === text;
  }

  #expectPunct(text: string, hint: string): void {
    if (this.#punct(text)) {
      this.#next();
      return;
    }
    const found = describeToken(this.#peek());
    this.#fail(this.#peek(), {
      reason: `expected "${text}", found ${found}`,
      expected: `"${text}"`,
      found,
      hint,
    });
  }

  #fail(token: Token, detail: { reason: string; hint: string; expected?: string; found?: string }): never {
    throw new ScriptSyntaxError(this.#source, token.start, detail);
  }
}

/**
 * Parses the script DSL (docs/dsl.md) into an endpoint definition.
 *
 * @throws {ScriptSyntaxError} (`ERR_PROBEKIT_INVALID_SCRIPT`) naming the column, what was
 *   expected, what was found and a hint.
 * @example
 * parseScript('200*2, 503*3, hang, 200...');
 * parseScript('/healthz: 200, delay 120ms then 503; /v1.0/healthz: 204...');
 */
export function parseScript(source: string): EndpointDefinition {
  if (typeof source !== 'string') {
    throw new ScriptSyntaxError('', 0, {
      reason: `the script is a ${source === null ? 'null' : typeof source}, not a string`,
      hint: 'Pass the script as text, e.g. "200*2, 503..."',
    });
  }
  if (source.length > LIMITS.maxScriptChars) {
    throw new ScriptSyntaxError(source, LIMITS.maxScriptChars, {
      reason: `the script is ${source.length} characters long, more than the limit of ${LIMITS.maxScriptChars}`,
      hint: 'Use repeats (503*1000) instead of copies, and shorter bodies',
    });
  }
  const definition = new Parser(source).parse();
  // Limits on the whole tree (nesting through repeats, total size) are checked on the result.
  checkDefinition(definition);
  return definition;
}
