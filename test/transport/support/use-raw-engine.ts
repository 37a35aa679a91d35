import { setTestEngine } from './engine.js';

// Imported first by raw-engine.test.ts: ESM evaluates it before the shared test files it imports.
setTestEngine('raw');
