import { describeCheckerConformance } from '../../src/conformance/vitest.js';
import { profileAdapter } from '../../src/scenario/reference-adapter.js';

// One vitest test per core case, judged as Dapr v1.13: probekit's checker under that profile
// passes its own expectations (the in-process client: the suite's transport).
describeCheckerConformance(profileAdapter('dapr-1.13'), { profile: 'dapr-1.13', levels: ['core'] });
