import { describe, expect, it } from 'vitest';
import { explainDecision } from '../../src/endpoint/engine/decision.js';
import { compile } from '../../src/endpoint/engine/engine.js';
import { printScript } from '../../src/endpoint/script/dsl/index.js';
import type { EndpointDefinition } from '../../src/endpoint/script/model.js';
import { checkDefinition } from '../../src/endpoint/script/semantics.js';

/** A definition with a step kind probekit does not know, as unvalidated data could hold. */
const unknown = {
  routes: [{ path: '*', script: [{ kind: 'teleport' }] }],
} as unknown as EndpointDefinition;

describe('a kind nobody handles', () => {
  it('fails loudly in the engine instead of falling into a default (it counted as one step)', () => {
    expect(() => compile(unknown, 0)).toThrow(
      expect.objectContaining({
        code: 'ERR_PROBEKIT_INVALID_SCRIPT',
        message: expect.stringContaining('"teleport"'),
      }),
    );
  });

  it('fails loudly in the printer and the semantic checks (the printer wrote the kind as a step)', () => {
    expect(() => printScript(unknown)).toThrow(/the step kind "teleport" is not one probekit knows/);
    expect(() => checkDefinition(unknown)).toThrow(/the item kind "teleport"/);
  });

  it('fails loudly when explaining an unknown decision action', () => {
    const decision = {
      action: 'teleport',
      status: 0,
      headers: undefined,
      body: undefined,
      delay: 0,
      dribble: undefined,
      over: 0,
      source: 'script',
      route: '*',
    } as unknown as Parameters<typeof explainDecision>[0];
    expect(() => explainDecision(decision)).toThrow(/the decision kind "teleport"/);
  });
});
