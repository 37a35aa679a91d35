import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { durationFlag, integerFlag, MAX_DURATION_MS, parseCommandArgs } from '../../src/cli/args.js';
import { readCheckArgs } from '../../src/cli/commands/check.js';
import { readDemoArgs } from '../../src/cli/commands/demo.js';
import { readExplainArgs } from '../../src/cli/commands/explain.js';
import { readMockArgs } from '../../src/cli/commands/mock.js';
import { main } from '../../src/cli/main.js';
import { ProbekitError } from '../../src/errors.js';
import { memoryIo } from '../support/cli-io.js';

/** How often each property judged a command line, and how many it accepted or refused. */
interface Tally {
  tried: number;
  accepted: number;
  refused: number;
}

/**
 * Runs `read(argv)` and fails the property unless it returns or throws a usage error shaped
 * like every other: a ProbekitError with code ERR_PROBEKIT_USAGE, "Failed to …", one line.
 */
function readsOrRefuses(tally: Tally, read: () => unknown): void {
  tally.tried++;
  try {
    read();
    tally.accepted++;
  } catch (error) {
    if (!(error instanceof ProbekitError)) throw error;
    expect(error.code).toBe('ERR_PROBEKIT_USAGE');
    expect(error.message).toMatch(/^Failed to /);
    expect(error.message).not.toContain('parseArgs');
    expect(error.message).not.toContain('To specify an option argument starting with a dash');
    tally.refused++;
  }
}

/** Values a person (or a script with a bug) might put after any flag. */
const VALUES = [
  '0',
  '5',
  '1.5',
  '.5',
  '5s',
  '150ms',
  '1m30s',
  '596h',
  '597h',
  '800h',
  String(MAX_DURATION_MS),
  String(MAX_DURATION_MS + 1),
  '99999999999999999999',
  `${'9'.repeat(400)}ms`,
  '1e3',
  'NaN',
  'Infinity',
  '-1',
  '-0',
  '-5s',
  '-.5',
  '5x',
  '',
  ' ',
  '-',
  '--',
  '-x',
  '=',
  'healthy',
  'unhealthy',
  'table',
  'timeline',
  'svg',
  'json',
  'loopback',
  'any',
  'off',
  '127.0.0.1',
  '::1',
  'localhost',
  '65535',
  '65536',
  '100000001',
  '4294967296',
  'http://127.0.0.1:9/healthz',
  '200, 503*3, 200',
  '__proto__',
  'constructor',
];

/** A random command line built from `flags` (right, misspelt, with `=`), values and noise. */
function argvFor(flags: readonly string[]): fc.Arbitrary<string[]> {
  const flag = fc.constantFrom(...flags);
  const token = fc.oneof(
    { weight: 4, arbitrary: flag.map((name) => `--${name}`) },
    { weight: 4, arbitrary: fc.constantFrom(...VALUES) },
    {
      weight: 2,
      arbitrary: fc.tuple(flag, fc.constantFrom(...VALUES)).map(([name, value]) => `--${name}=${value}`),
    },
    // A typo: one letter dropped or doubled.
    {
      weight: 1,
      arbitrary: fc.tuple(flag, fc.nat(), fc.boolean()).map(([name, at, drop]) => {
        const i = at % name.length;
        return `--${name.slice(0, i)}${drop ? '' : name[i]}${name.slice(i + 1)}`;
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('-h', '-V', '-x', '--', '---', '--=', '--no-', '--__proto__', '--toString'),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  );
  return fc.array(token, { maxLength: 8 });
}

const CHECK_FLAGS = [
  'interval',
  'timeout',
  'threshold',
  'initial-delay',
  'success-status',
  'until',
  'deadline',
  'duration',
  'trace',
  'verbose',
];
const EXPLAIN_FLAGS = [
  'interval',
  'threshold',
  'initial-delay',
  'timeout',
  'success-status',
  'read-delay',
  'until',
  'format',
  'out',
  'width',
  'ascii',
  'trace',
  'tolerance',
  'no-color',
];
const MOCK_FLAGS = [
  'port',
  'host',
  'path',
  'seed',
  'config',
  'journal-size',
  'control',
  'control-port',
  'control-token',
  'verbose',
];
const DEMO_FLAGS = ['fast', 'act', 'trace', 'no-color'];

/** Set PROBEKIT_FUZZ_STATS=1 to see how many command lines each property judged. */
function report(name: string, tally: Tally): void {
  if (process.env.PROBEKIT_FUZZ_STATS) console.info(`${name}: ${JSON.stringify(tally)}`);
}

describe('every command reads any command line or refuses it with a usage error', () => {
  it.each([
    ['check', CHECK_FLAGS, (argv: string[]) => readCheckArgs(argv)],
    ['explain', EXPLAIN_FLAGS, (argv: string[]) => readExplainArgs(argv)],
    ['mock', MOCK_FLAGS, (argv: string[]) => readMockArgs(argv, {})],
    ['demo', DEMO_FLAGS, (argv: string[]) => readDemoArgs(argv)],
  ] as const)('probekit %s: never throws anything but ERR_PROBEKIT_USAGE', (name, flags, read) => {
    const tally: Tally = { tried: 0, accepted: 0, refused: 0 };
    fc.assert(
      fc.property(argvFor(flags), (argv) => readsOrRefuses(tally, () => read(argv))),
      { numRuns: 2000 },
    );
    report(name, tally);
    expect(tally.tried).toBe(2000);
    // The generator reaches both sides, so the property says something about each.
    expect(tally.accepted).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
  });

  it('parseCommandArgs judges any argv against any flag set (the other commands use it too)', () => {
    const tally: Tally = { tried: 0, accepted: 0, refused: 0 };
    const names = fc.uniqueArray(fc.constantFrom(...CHECK_FLAGS, ...MOCK_FLAGS, 'level', 'only', 'exec'), {
      maxLength: 8,
    });
    const spec = fc.tuple(names, fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), fc.boolean());
    fc.assert(
      fc.property(
        spec,
        argvFor([...CHECK_FLAGS, ...MOCK_FLAGS, 'level', 'only']),
        ([flagNames, kinds, positional], argv) =>
          readsOrRefuses(tally, () => {
            const options = Object.fromEntries(
              flagNames.map((name, i) => [
                name,
                { type: kinds[i] ? ('boolean' as const) : ('string' as const) },
              ]),
            );
            const { values, positionals } = parseCommandArgs('x', argv, options, positional);
            // What it accepted, it accepted whole: only known flags, strings for string flags.
            for (const [name, value] of Object.entries(values)) {
              expect(Object.hasOwn(options, name)).toBe(true);
              expect(typeof value).toBe(options[name]?.type === 'boolean' ? 'boolean' : 'string');
            }
            if (!positional) expect(positionals).toEqual([]);
          }),
      ),
      { numRuns: 3000 },
    );
    report('parseCommandArgs', tally);
    expect(tally.refused).toBeGreaterThan(0);
    expect(tally.accepted).toBeGreaterThan(0);
  });

  it('reads every duration within the cap, and refuses every one past it', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e12, noNaN: true }),
        fc.constantFrom('', 'ms', 's', 'h'),
        (n, unit) => {
          const text = `${n.toFixed(3)}${unit}`;
          let ms: number | undefined;
          try {
            ms = durationFlag('interval', text);
          } catch (error) {
            expect(error).toBeInstanceOf(ProbekitError);
            expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_USAGE');
            expect((error as ProbekitError).message).toContain('2147483647 ms');
            return;
          }
          expect(ms).toBeGreaterThanOrEqual(0);
          expect(ms).toBeLessThanOrEqual(MAX_DURATION_MS);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads every whole number exactly, or refuses it as too large', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (n) => {
        try {
          expect(integerFlag('threshold', String(n))).toBe(Number(n));
          expect(Number.isSafeInteger(Number(n))).toBe(true);
        } catch (error) {
          expect((error as ProbekitError).code).toBe('ERR_PROBEKIT_USAGE');
          expect(Number.isSafeInteger(Number(n))).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('probekit explain runs any small command line to an end', () => {
  it('exits 0 or 2 (with a "probekit:" line) and never hangs, for random flags around a bounded run', async () => {
    const tally: Tally = { tried: 0, accepted: 0, refused: 0 };
    // Bounded: at most 2 s simulated at an interval of at least 50 ms, so at most 40 ticks.
    const bounded = fc.record({
      interval: fc.constantFrom('50ms', '100ms', '250', '1s'),
      until: fc.constantFrom('0', '200ms', '1s', '2s'),
      script: fc.constantFrom(
        '200',
        '200, 503*3, 200',
        'hang*2, 200...',
        '503...',
        '200, bogus',
        '(200@9 | 503)...',
      ),
    });
    const extra = argvFor(
      EXPLAIN_FLAGS.filter((f) => !['out', 'trace', 'interval', 'until', 'format'].includes(f)),
    );
    await fc.assert(
      fc.asyncProperty(
        bounded,
        extra,
        fc.constantFrom('table', 'timeline', 'json', 'svg'),
        async (run, flags, format) => {
          tally.tried++;
          const t = memoryIo();
          // The bounded flags come last, so they win over any random repeat of them.
          const argv = [
            'explain',
            run.script,
            ...flags,
            '--format',
            format,
            '--interval',
            run.interval,
            '--until',
            run.until,
          ];
          const code = await main(argv, t.io);
          expect([0, 2]).toContain(code);
          if (code === 2) {
            expect(t.stderr()).toMatch(/^probekit: Failed to /);
            tally.refused++;
          } else {
            expect(t.stdout().length).toBeGreaterThan(0);
            tally.accepted++;
          }
        },
      ),
      { numRuns: 300 },
    );
    report('explain end to end', tally);
    expect(tally.accepted).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
  });
});
