// Shared helpers for the load-test benchmarks (bench/*.bench.js). See bench/lib/README.md.

export { canPin, compareServers, machineNotes, runLoad, startServerChild } from './compare-servers.js';
export { maskDate, rawExchange } from './raw-exchange.js';
export { failOnErrors, printComparison } from './report.js';
export { intEnv, sameFirstResponse, startBareServer } from './same-bytes.js';
export { formatSpread, median, spread } from './stats.js';
