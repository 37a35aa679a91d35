import { type CaseResult, makeReport, reportSucceeded } from '../../conformance/common/report.js';
import { createReporter, REPORTERS } from '../../conformance/common/reporters/index.js';
import { serverCases } from '../../conformance/healthz/cases.js';
import { planServerRun, runServerConformance } from '../../conformance/healthz/suite.js';
import { parseTargetUrl, type ServerTarget } from '../../conformance/healthz/targets.js';
import { SERVER_LEVELS, SERVER_PROFILES, type ServerProfile } from '../../conformance/healthz/types.js';
import { ProbekitError } from '../../errors.js';
import { createHealthzServer } from '../../healthz/control-plane.js';
import { silentLogger } from '../../healthz/logger.js';
import { createSidecarHealthz } from '../../healthz/sidecar.js';
import { durationFlag, levelsFlag, listFlag, parseCommandArgs, reporterFlag, usageError } from '../args.js';
import { type Command, EXIT } from '../command.js';

const HELP = `Usage: probekit conformance server [options]

Sends the healthz cases (fixtures/healthz/*.json) to a server over real HTTP on 127.0.0.1,
flipping its readiness between requests, and compares status, headers and body with what
Dapr v1.0 answers. Without --exec or --url: probekit's own server of that profile, in process.

Options:
  --profile <name>          control-plane (/healthz 200/503, default) or sidecar
                            (/v1.0/healthz 204/500 JSON)
  --exec <cmd>              the server to test, run once through /bin/sh -c, speaking server
                            protocol 1 (docs/conformance.md#healthz-servers): it gets
                            PROBEKIT_PORT ({port} and {profile} in CMD are replaced), must
                            listen on 127.0.0.1, and flips readiness on stdin lines "ready" /
                            "not-ready", answering "ok" on stdout
  --url <url>               a server already listening (http://127.0.0.1:PORT). Its readiness
                            cannot be flipped, so only the cases that hold in either state run;
                            the others are reported as skipped (use --exec to run them all)
  --level <levels>          comma-separated: core, strict (default: both)
  --only <ids>              comma-separated case ids (default: all of the profile)
  --request-timeout <dur>   how long one request may take (default 2s)
  --startup-timeout <dur>   --exec only: how long the port may take to open (default 10s)
  --reporter <name>         human (default), json, junit or tap, on stdout
  --fixtures <dir>          a folder of case files (default: the ones shipped)
  --api-token <token>       sidecar only: the server under test requires daprd's API token
                            (DAPR_API_TOKEN): run the cases written for a server started with
                            it instead of the others (the shipped ones use
                            probekit-conformance-token). --exec gets it as DAPR_API_TOKEN and
                            {token} in CMD; the built-in server is started with it
  -h, --help                show this help

Exit code: 0 when every case that ran passed, 1 when one failed or errored, 2 for bad
arguments (and for --url when no selected case can run without flipping readiness).

Examples:
  probekit conformance server --profile sidecar
  probekit conformance server --exec "probekit serve --port {port} --flavour {profile} --quiet"
  probekit conformance server --exec "python3 healthz.py" --level core --reporter junit > healthz.xml
  probekit conformance server --url http://127.0.0.1:8080 --profile control-plane
  probekit conformance server --profile sidecar --api-token probekit-conformance-token \
    --exec "probekit serve --port {port} --flavour sidecar --api-token {token} --quiet"`;

function profileFlag(value: string | undefined): ServerProfile {
  const profile = value ?? 'control-plane';
  if (!SERVER_PROFILES.includes(profile as ServerProfile)) {
    throw usageError(
      `Failed to read --profile ${JSON.stringify(profile)}: there is no such profile. Use ${SERVER_PROFILES.join(' or ')}.`,
    );
  }
  return profile as ServerProfile;
}

function textFlag(flag: string, value: string | undefined, example: string): string | undefined {
  if (value !== undefined && value.trim() === '') {
    throw usageError(`Failed to read --${flag}: it is empty. Write it like --${flag} ${example}.`);
  }
  return value;
}

/** The target the flags name: a process, a URL, or the built-in server of the profile. */
function targetOf(
  profile: ServerProfile,
  exec: string | undefined,
  url: string | undefined,
  startupTimeoutMs: number | undefined,
  env: NodeJS.ProcessEnv,
  apiToken: string | undefined,
): ServerTarget {
  if (exec !== undefined) {
    const command = apiToken === undefined ? exec : exec.replaceAll('{token}', apiToken);
    const withToken = apiToken === undefined ? env : { ...env, DAPR_API_TOKEN: apiToken };
    return { exec: command, env: withToken, ...(startupTimeoutMs === undefined ? {} : { startupTimeoutMs }) };
  }
  if (url !== undefined) {
    try {
      parseTargetUrl(url);
    } catch (error) {
      throw usageError(
        (error as Error).message.replace('Failed to run the server suite against', 'Failed to read --url'),
      );
    }
    return { url };
  }
  const server =
    profile === 'sidecar'
      ? createSidecarHealthz({ logger: silentLogger, ...(apiToken === undefined ? {} : { apiToken }) })
      : createHealthzServer({ logger: silentLogger });
  return {
    name: `probekit ${profile} server (in process)`,
    handler: server.handler,
    ready: () => server.ready(),
    notReady: () => server.notReady(),
  };
}

/**
 * `probekit conformance server`: the healthz-server suite against the built-in server of a
 * profile, a URL, or a process speaking the server protocol.
 *
 * @example
 * export const CONFORMANCE_SUITES = [conformanceCheckerCommand, conformanceServerCommand];
 */
export const conformanceServerCommand: Command = {
  name: 'server',
  summary: 'the healthz-server cases (control-plane or sidecar), in process or against --exec / --url',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(
      'conformance server',
      args,
      {
        profile: { type: 'string' },
        exec: { type: 'string' },
        url: { type: 'string' },
        level: { type: 'string' },
        only: { type: 'string' },
        'request-timeout': { type: 'string' },
        'startup-timeout': { type: 'string' },
        reporter: { type: 'string' },
        fixtures: { type: 'string' },
        'api-token': { type: 'string' },
      },
      false,
    );
    const profile = profileFlag(values.profile as string | undefined);
    const exec = textFlag('exec', values.exec as string | undefined, '"./my-server --port {port}"');
    const url = textFlag('url', values.url as string | undefined, 'http://127.0.0.1:8080');
    if (exec !== undefined && url !== undefined) {
      throw usageError(
        'Failed to read the arguments of "probekit conformance server": --exec and --url exclude each other. Pass one.',
      );
    }
    const startupTimeoutMs = durationFlag('startup-timeout', values['startup-timeout'] as string | undefined);
    if (startupTimeoutMs !== undefined && exec === undefined) {
      throw usageError(
        'Failed to read the arguments of "probekit conformance server": --startup-timeout applies only with --exec. Add --exec CMD or leave it out.',
      );
    }
    const requestTimeoutMs = durationFlag('request-timeout', values['request-timeout'] as string | undefined);
    if (requestTimeoutMs === 0) {
      throw usageError(
        'Failed to read --request-timeout "0": a request needs some time. Write it like --request-timeout 2s.',
      );
    }
    const levels = levelsFlag(values.level as string | undefined, SERVER_LEVELS, 'of the server suite');
    const only = listFlag('only', values.only as string | undefined);
    const fixturesDir = values.fixtures as string | undefined;
    const reporterName = reporterFlag(values.reporter as string | undefined, REPORTERS);
    const apiToken = textFlag(
      'api-token',
      values['api-token'] as string | undefined,
      'probekit-conformance-token',
    );
    if (apiToken !== undefined && profile !== 'sidecar') {
      throw usageError(
        `Failed to read --api-token: the ${profile} profile has no API token (daprd's DAPR_API_TOKEN guards the sidecar's API). Add --profile sidecar or leave it out.`,
      );
    }
    const server = apiToken === undefined ? undefined : { apiToken };

    let cases: ReturnType<typeof serverCases>;
    let all: ReturnType<typeof serverCases>;
    try {
      cases = serverCases({ profile, levels, only, fixturesDir, server });
      all = serverCases({ profile, fixturesDir, server });
    } catch (error) {
      if (error instanceof ProbekitError) throw usageError(error.message);
      throw error;
    }
    const unknown = (only ?? []).filter((id) => !all.some((c) => c.id === id));
    if (unknown.length) {
      throw usageError(
        `Failed to read --only: the ${profile} profile has no case called ${unknown.map((u) => JSON.stringify(u)).join(', ')}. See the ids in ${fixturesDir ?? 'fixtures/healthz/'}.`,
      );
    }
    if (cases.length === 0) {
      throw usageError(
        apiToken !== undefined && all.length === 0
          ? `Failed to run the server suite: no ${profile} case is written for a server started with the API token ${JSON.stringify(apiToken)}. The shipped cases use "probekit-conformance-token" (fixtures/healthz/sidecar-api-token.json).`
          : `Failed to run the server suite: no ${profile} case matches --level and --only together. Widen the selection.`,
      );
    }
    const target = targetOf(profile, exec, url, startupTimeoutMs, io.env, apiToken);
    const plan = planServerRun(cases, url === undefined);
    if (plan.run.length === 0) {
      throw usageError(
        `Failed to run the server suite against --url: all ${cases.length} selected cases flip readiness or need a fresh server, which a URL cannot do. Use --exec, or select cases that hold in either state.`,
      );
    }

    const reporter = createReporter(reporterName, io.stdout, { color: io.color });
    const skippedNote = plan.skipped.length
      ? `${plan.skipped.length} skipped: they flip readiness or need a fresh server, which --url cannot do (use --exec to run them)`
      : '';
    const how =
      exec !== undefined
        ? 'another process, server protocol 1'
        : url !== undefined
          ? 'a server already listening'
          : 'in process';
    reporter.begin({
      suite: 'server',
      implementation:
        exec !== undefined ? `exec: ${exec}` : url !== undefined ? `url: ${url}` : String(target.name),
      total: plan.run.length + plan.skipped.length,
      details: [`profile ${profile}`, how, 'real HTTP on 127.0.0.1', skippedNote].filter(Boolean).join(', '),
    });
    const report = await runServerConformance(target, {
      profile,
      levels,
      only,
      fixturesDir,
      requestTimeoutMs,
      ...(server === undefined ? {} : { server }),
      signal: io.signal,
      onResult: (result) => reporter.result(result),
    });
    // Skipped cases are results too, so that every reporter counts them (JUnit `skipped`, TAP
    // `# SKIP`), after the cases that ran.
    const skips = report.skipped.map((skip): CaseResult => {
      const serverCase = cases.find((c) => c.id === skip.id);
      return {
        id: skip.id,
        level: skip.level,
        description: serverCase?.description ?? '',
        rules: serverCase?.rules ?? [],
        status: 'skip',
        diffs: [],
        message: skip.reason,
        elapsedMs: 0,
      };
    });
    for (const skip of skips) reporter.result(skip);
    const full = {
      ...report,
      ...makeReport('server', report.implementation, [...report.results, ...skips], report.elapsedMs),
      skipped: report.skipped,
    };
    reporter.end(full);
    if (report.skipped.length) {
      // Machine reporters print no details line; say it where a person will see it anyway.
      io.stderr.write(
        `probekit conformance server: ${report.skipped.length} of ${cases.length} cases skipped (${report.skipped.map((s) => s.id).join(', ')}): they flip readiness or need a fresh server, which --url cannot do. Use --exec to run them.\n`,
      );
    }
    return reportSucceeded(full) && report.results.length === plan.run.length ? EXIT.ok : EXIT.failure;
  },
};
