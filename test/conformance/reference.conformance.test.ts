import { describeCheckerConformance } from '../../src/conformance/vitest.js';
import { referenceAdapter } from '../../src/scenario/reference-adapter.js';

// What a user writes for their own checker: one vitest test per scenario.
describeCheckerConformance(referenceAdapter);
