// Shared helpers for the load-test benchmarks (bench/*.bench.js). See bench/lib/README.md.

export {
  canPin,
  chooseGenerator,
  compareServers,
  cpuBusySeconds,
  LOAD_CPU_LIMIT,
  MAX_FOREIGN_LOAD_SHARE,
  MAX_FOREIGN_SHARE,
  machineNotes,
  runLoad,
  startServerChild,
} from './compare-servers.js';
export { aptInstall, hasCommand } from './install.js';
export { maskDate, rawExchange } from './raw-exchange.js';
export { failOnErrors, loadCheckText, printComparison } from './report.js';
export { intEnv, sameFirstResponse, startBareServer } from './same-bytes.js';
export { formatSpread, median, spread } from './stats.js';
