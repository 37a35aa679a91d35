import { describeServerConformance } from '../../src/conformance/vitest.js';
import { createHealthzServer, createSidecarHealthz, silentLogger } from '../../src/healthz/index.js';

// What a user writes for their own healthz server: one vitest test per case.
describeServerConformance(() => createHealthzServer({ logger: silentLogger }), { profile: 'control-plane' });
describeServerConformance(() => createSidecarHealthz({ logger: silentLogger }), { profile: 'sidecar' });
