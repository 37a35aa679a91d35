import { describe, expect, it } from 'vitest';
import { parseScript, printScript, ScriptSyntaxError } from '../../src/endpoint/script/dsl/index.js';
import type { EndpointDefinition, Item, Route } from '../../src/endpoint/script/model.js';
import { ProbekitError } from '../../src/errors.js';

/** The script of the single catch-all route. */
function items(source: string): readonly Item[] {
  const definition = parseScript(source);
  expect(definition.routes).toHaveLength(1);
  expect((definition.routes[0] as Route).path).toBe('*');
  return (definition.routes[0] as Route).script;
}

function route(source: string): Route {
  return parseScript(source).routes[0] as Route;
}

const s200 = { kind: 'status', status: 200 } as const;
const s503 = { kind: 'status', status: 503 } as const;

describe('parsing every step of the DSL', () => {
  it('reads a status, with optional headers and body', () => {
    expect(items('200')).toEqual([s200]);
    expect(items('503 [retry-after="5", Content-Type="text/plain"] "busy\\n"')).toEqual([
      {
        kind: 'status',
        status: 503,
        headers: { 'retry-after': '5', 'content-type': 'text/plain' },
        body: 'busy\n',
      },
    ]);
    expect(items('204 ""')).toEqual([{ kind: 'status', status: 204, body: '' }]);
  });

  it('reads the transport faults and hang', () => {
    expect(items('hang, reset, close, malformed')).toEqual([
      { kind: 'hang' },
      { kind: 'reset' },
      { kind: 'close' },
      { kind: 'malformed' },
    ]);
  });

  it('reads refuse with how long it lasts', () => {
    expect(items('refuse 2s, 200')).toEqual([{ kind: 'refuse', for: 2000 }, s200]);
  });

  it('reads slow-headers and slow-body with their defaults and with everything given', () => {
    expect(items('slow-headers, slow-body')).toEqual([
      { kind: 'slow-headers', status: 200, over: 1000 },
      { kind: 'slow-body', status: 200, over: 1000 },
    ]);
    expect(items('slow-body 503 [x-a="1"] "abc" over 2.5s')).toEqual([
      { kind: 'slow-body', status: 503, headers: { 'x-a': '1' }, body: 'abc', over: 2500 },
    ]);
  });

  it('reads fixed and random delays in front of a step', () => {
    expect(items('delay 120 then 200, delay 1.5s then reset')).toEqual([
      { kind: 'status', status: 200, delay: 120 },
      { kind: 'reset', delay: 1500 },
    ]);
    expect(items('delay 50ms..150ms then 200')).toEqual([
      { kind: 'status', status: 200, delay: { dist: 'uniform', min: 50, max: 150 } },
    ]);
    expect(items('delay normal(100ms, 20ms) then close, delay exp(1m) then malformed')).toEqual([
      { kind: 'close', delay: { dist: 'normal', mean: 100, sd: 20 } },
      { kind: 'malformed', delay: { dist: 'exponential', mean: 60_000 } },
    ]);
  });

  it('reads durations in ms, s, m and h, bare numbers being milliseconds', () => {
    expect(
      items('delay 7 then 200, delay 7ms then 200, delay 2s then 200, delay 3m then 200, delay 1h then 200'),
    ).toEqual([7, 7, 2000, 180_000, 3_600_000].map((delay) => ({ kind: 'status', status: 200, delay })));
  });
});

describe('parsing sequences', () => {
  it('reads "," and "then" as the same separator', () => {
    expect(items('200, 503 then hang')).toEqual([s200, s503, { kind: 'hang' }]);
  });

  it('reads repeats, nested repeats and groups', () => {
    expect(items('200*2, (503, hang)*3, 200*2*4')).toEqual([
      { kind: 'repeat', times: 2, item: s200 },
      { kind: 'repeat', times: 3, item: { kind: 'group', items: [s503, { kind: 'hang' }] } },
      { kind: 'repeat', times: 4, item: { kind: 'repeat', times: 2, item: s200 } },
    ]);
  });

  it('reads "..." on the last item as forever', () => {
    expect(items('200*2, 503*3, hang, 200...')).toEqual([
      { kind: 'repeat', times: 2, item: s200 },
      { kind: 'repeat', times: 3, item: s503 },
      { kind: 'hang' },
      { kind: 'forever', item: s200 },
    ]);
    expect(items('(200, 503)...')).toEqual([
      { kind: 'forever', item: { kind: 'group', items: [s200, s503] } },
    ]);
  });

  it('reads weighted and unweighted choices', () => {
    expect(items('(200@9 | 503@1), (200 | delay 5ms then reset)*2')).toEqual([
      {
        kind: 'choice',
        options: [
          { step: s200, weight: 9 },
          { step: s503, weight: 1 },
        ],
      },
      {
        kind: 'repeat',
        times: 2,
        item: { kind: 'choice', options: [{ step: s200 }, { step: { kind: 'reset', delay: 5 } }] },
      },
    ]);
  });

  it('reads the end-of-script rules cycle and end', () => {
    expect(route('200, 503, cycle')).toEqual({ path: '*', script: [s200, s503], end: 'cycle' });
    expect(route('200, end')).toEqual({ path: '*', script: [s200], end: 'end' });
    expect(route('200, 503')).toEqual({ path: '*', script: [s200, s503] });
  });
});

describe('parsing time windows and flapping', () => {
  it('reads windows with and without an end and a step', () => {
    expect(route('200..., down from 30s until 90s, down from 2m as refuse')).toEqual({
      path: '*',
      script: [{ kind: 'forever', item: s200 }],
      windows: [
        { from: 30_000, until: 90_000 },
        { from: 120_000, step: { kind: 'refuse' } },
      ],
    });
  });

  it('reads flapping, with and without its down step', () => {
    expect(route('up 10s, down 5s')).toEqual({ path: '*', script: [], flap: { up: 10_000, down: 5000 } });
    expect(route('200, up 1s then down 2s as delay 10ms then 502').flap).toEqual({
      up: 1000,
      down: 2000,
      step: { kind: 'status', status: 502, delay: 10 },
    });
  });

  it('reads a window alone as "200 except in the window"', () => {
    expect(route('down from 30s until 90s')).toEqual({
      path: '*',
      script: [],
      windows: [{ from: 30_000, until: 90_000 }],
    });
  });
});

describe('parsing several paths', () => {
  it('gives each path its own route, in order, with * for the rest', () => {
    const definition = parseScript('/healthz: 200, 503...; /v1.0/healthz: 204...; *: hang');
    expect(definition.routes.map((r) => r.path)).toEqual(['/healthz', '/v1.0/healthz', '*']);
    expect((definition.routes[1] as Route).script).toEqual([
      { kind: 'forever', item: { kind: 'status', status: 204 } },
    ]);
  });

  it('ignores whitespace, newlines and # comments', () => {
    expect(parseScript('/a: 200, # first\n  503 # second\n; /b: hang')).toEqual(
      parseScript('/a: 200, 503; /b: hang'),
    );
  });
});

describe('printing scripts', () => {
  it('prints the canonical form, which parses back to the same definition', () => {
    const sources = [
      '200*2, 503*3, hang, 200...',
      '/healthz: 200 [retry-after="5"] "hi", delay 120ms then 503; /v1.0/healthz: 204...',
      '(200@9 | 503)*3, refuse 2s, delay 50ms..150ms then 200, down from 30s until 90s, up 10s, down 5s as refuse',
      'slow-body 200 "abc" over 2s, slow-headers 200 over 1s, delay normal(100ms, 20ms) then reset, delay exp(1s) then close, malformed, end',
      '200, 503, cycle',
      'down from 0s as hang',
    ];
    for (const source of sources) {
      expect(printScript(parseScript(source))).toBe(source);
    }
  });

  it('prints durations in the largest exact unit', () => {
    expect(printScript(parseScript('delay 90000 then 200, delay 1500 then 200, delay 120000 then 200'))).toBe(
      'delay 90s then 200, delay 1.5s then 200, delay 2m then 200',
    );
  });
});

/** Parses and returns the syntax error it must throw. */
function syntaxError(source: string): ScriptSyntaxError {
  try {
    parseScript(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ScriptSyntaxError);
    expect(error).toBeInstanceOf(ProbekitError);
    expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_INVALID_SCRIPT');
    return error as ScriptSyntaxError;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to parse`);
}

describe('reporting parse errors with the column, what was expected and a hint', () => {
  // [source, column, part of the reason, part of the hint]
  const cases: Array<[string, number, string, string]> = [
    ['', 1, 'the script is empty', 'at least one step'],
    ['   ', 4, 'the script is empty', 'at least one step'],
    ['200, $', 6, 'unexpected character "$"', 'separated by ","'],
    ['200 "abc', 5, 'the string is not closed', 'Add a "'],
    ['200 "a\\qb"', 7, 'the escape "\\q" is not valid', 'Strings follow JSON'],
    ['200 "a\\u12"', 7, 'four hex digits', '\\u00e9'],
    ['200 "a\nb"', 7, 'raw control character', '\\n'],
    ['hng', 1, 'unknown word "hng"', 'Did you mean "hang"?'],
    ['200, rest', 6, 'unknown word "rest"', 'Did you mean "reset"?'],
    ['200, cycle, 503', 13, 'nothing can follow "cycle"', 'Move it to the end'],
    ['200..., 503', 9, 'nothing can follow a step that repeats forever', 'Move it to the end'],
    ['200...*2', 7, 'nothing can follow a step that repeats forever', 'Move it to the end'],
    ['(200, 503...)', 10, '"..." is only allowed on the last step', '(200, 503)...'],
    ['cycle', 1, '"cycle" needs steps before it', '200, 503, cycle'],
    ['(200, cycle)', 7, 'the word "cycle", which is not a step', 'at the end of a route'],
    ['200, then', 6, 'the word "then", which is not a step', 'Separate steps with'],
    ['200 then', 9, 'expected a step after "then"', 'Remove the trailing'],
    ['200,', 5, 'expected a step after ","', 'Remove the trailing'],
    ['200*', 5, 'expected a repeat count after "*"', '503*3'],
    ['200*0', 5, 'the repeat count "0" is not a whole number from 1', '503*3'],
    ['200*2s', 5, 'the repeat count "2s"', '503*3'],
    ['99', 1, 'the status 99 is out of range', 'from 200 to 599'],
    ['100', 1, 'the status 100 is out of range', 'a 1xx is informational'],
    ['600', 1, 'the status 600 is out of range', 'from 200 to 599'],
    ['200.5', 1, 'the status 200.5 is out of range', 'whole numbers'],
    ['200ms', 1, 'a status has no unit', 'delay 120ms then 200'],
    ['delay then 200', 7, 'expected a delay, found the word "then"', 'normal(100ms, 20ms)'],
    ['delay 100 200', 11, 'expected "then" after the delay', 'delay 120ms then 200'],
    ['delay 1 then delay 2 then 200', 14, 'only one delay', 'Add the two delays up'],
    ['delay 100 then hang', 16, 'a delay before hang changes nothing', 'Write just "hang"'],
    ['delay 100 then refuse 1s', 16, 'a delay cannot come before refuse', 'refuse <duration>'],
    ['delay 10x then 200', 7, 'unknown unit "x"', 'ms, s, m or h'],
    ['delay 0.5ms then 200', 7, 'is not a whole number of milliseconds', 'whole milliseconds'],
    ['delay 30d then 200', 7, 'unknown unit "d"', 'ms, s, m or h'],
    ['delay 25000h then 200', 7, 'longer than the longest timer', 'shorter duration'],
    [
      'delay 150..100 then 200',
      12,
      'the range ends (100ms) below where it starts (150ms)',
      'smaller number first',
    ],
    ['delay normal(100 then 200', 18, 'expected ",", found the word "then"', 'normal(100ms, 20ms)'],
    ['delay exp 100 then 200', 11, 'expected "(", found "100"', 'exp(100ms)'],
    ['refuse', 7, 'expected how long to refuse', 'refuse 2s'],
    ['refuse 0s', 8, 'more than 0', 'refuse 2s'],
    ['(200 | refuse)', 8, 'refuse cannot be a choice', 'down from 10s until 20s as refuse'],
    ['(200 | refuse 1s)', 8, 'refuse cannot be a choice', 'refuse 2s'],
    ['200, down from 1s as refuse 2s', 29, 'already says how long', 'as refuse'],
    ['slow-body 2s', 11, 'expected a status after slow-body, found a duration', 'slow-body 200 over 2s'],
    ['slow-headers over 0', 19, 'more than 0', 'slow-headers 200 over 2s'],
    ['(200@9)', 1, 'a choice needs at least two options', '(200@9 | 503@1)'],
    ['((200, 503)@2 | 200)', 12, 'a weight goes on a single step', '(200@9 | 503@1)'],
    ['(200*2 | 503)', 2, 'each option must be a single step', '(200 | 503)*3'],
    ['(200, 503 | hang)', 11, 'either a sequence', 'Nest them'],
    ['(200 | 503, hang)', 11, 'either a sequence', 'Nest them'],
    ['(200@0 | 503)', 6, 'the weight "0" is not a whole number', '(200@9 | 503@1)'],
    ['(200@ | 503)', 7, 'expected a weight after "@"', 'Weights are whole numbers'],
    ['(200, 503', 10, 'expected ")" to close the "(" at column 1', 'Close every "("'],
    ['200)', 4, 'this ")" closes nothing', 'add the "("'],
    ['200@3', 4, 'a weight only makes sense inside a choice', '(200@9 | 503)'],
    ['200 | 503', 5, 'a choice must be in parentheses', '(200 | 503)'],
    ['200 503', 5, 'expected "," or ";" before "503"', 'Separate steps with ","'],
    ['200 [', 6, 'expected a header name, found the end of the script', 'retry-after="5"'],
    ['200 []', 5, 'the header list is empty', 'Remove the []'],
    ['200 [a "b"]', 8, 'expected "=" after the header name a', 'a="value"'],
    ['200 [a=b]', 8, 'expected the value of a as a string', 'a="value"'],
    ['200 [a="1" b="2"]', 12, 'expected "," or "]" in the header list', 'Close the header list'],
    ['200 [content-length="1"]', 6, 'the header content-length is set by probekit', 'malformed'],
    ['200 [a="1", A="2"]', 13, 'the header a is given twice', 'each header once'],
    ['200 [a="\\u0001"]', 8, 'a character HTTP does not allow', 'printable text'],
    ['"ok"', 1, 'expected a step, found the string "ok"', '200 "ok"'],
    ['down 5s', 1, '"down" must be followed by "from"', 'up 10s, down 5s'],
    [
      'down from 2s until 1s',
      20,
      'the window ends (1000ms) before it starts (2000ms)',
      'down from 30s until 90s',
    ],
    ['down from x', 11, 'expected the start of the window as a duration', '120ms, 1.5s'],
    ['up 10s, 503', 9, 'expected "down <duration>" after "up 10s"', 'up 10s, down 5s'],
    ['up 0s, down 1s', 4, 'more than 0', 'up 10s, down 5s'],
    ['up 1s, down 1s, up 2s, down 2s', 17, 'this route already flaps', 'at most one'],
    ['healthz: 200', 1, 'the path "healthz" does not start with /', '/healthz: ...'],
    ['/healthz 200', 10, 'expected ":" after the path /healthz', '/healthz: 200...'],
    ['/a: 200; /a: 503', 10, 'the path /a already has a route (at column 1)', 'one route'],
    ['/a: 200;', 9, 'expected a step, found the end of the script', 'A step is a status'],
    [`${'('.repeat(40)}200${')'.repeat(40)}`, 33, 'nest more than 32 deep', 'Flatten'],
  ];

  it.each(cases)('%j fails at column %i', (source, column, reason, hint) => {
    const error = syntaxError(source);
    expect(error.column).toBe(column);
    expect(error.message).toContain(reason);
    expect(error.message).toContain(hint);
    expect(error.message).toMatch(/^Failed to parse the endpoint script at (line \d+, )?column \d+: /);
    expect(error.hint.length).toBeGreaterThan(0);
  });

  it('names the line as well on a multi-line script, and shows a caret under the column', () => {
    const error = syntaxError('/a: 200;\n/b: 503*');
    expect(error.line).toBe(2);
    expect(error.column).toBe(9);
    expect(error.message).toContain('at line 2, column 9');
    expect(error.excerpt).toBe('  /b: 503*\n          ^');
  });

  it('says what was expected and what was found', () => {
    const error = syntaxError('200*,');
    expect(error.expected).toBe('a repeat count');
    expect(error.found).toBe('","');
  });

  it('refuses a script that is not a string', () => {
    expect(() => parseScript(42 as unknown as string)).toThrow(/the script is a number, not a string/);
  });

  it('checks limits on the whole tree, such as nesting through repeats', () => {
    const deep = `200${'*2'.repeat(40)}`;
    expect(() => parseScript(deep)).toThrow(ProbekitError);
    expect(() => parseScript(deep)).toThrow(/nests more than 32 deep/);
  });
});

describe('explaining a definition in one line', () => {
  it('reads a sequence the way a person would say it', async () => {
    const { explain } = await import('../../src/endpoint/script/model.js');
    const definition: EndpointDefinition = parseScript('/healthz: 200*2, 503*3, hang, 200...');
    expect(explain(definition)).toBe(
      '/healthz: 200 twice, then 503 three times, then hang (never answer), then 200 forever',
    );
    expect(
      explain(parseScript('(200@9 | 503@1), 200, down from 30s until 90s, up 10s, down 5s as refuse')),
    ).toBe(
      'any path: one of 200 (90%) / 503 (10%), then 200, then the last step repeats; down (503) from 30s until 90s; flapping: up 10s, then refuse connections for 5s',
    );
  });
});
