import { Scenario } from '../context';
import { cacheScenario } from './cache.scenario';
import { coreScenario } from './core.scenario';
import { importScenario } from './import.scenario';
import { growthScenario } from './growth.scenario';
import { runKafkaScenarios } from './kafka.scenario';
import { mixScenario } from './mix.scenario';
import { readsScenario } from './reads.scenario';
import { writesScenario } from './writes.scenario';

/** Every scenario by name (`--only a,b` picks some). */
export const SCENARIOS: Record<string, Scenario> = {
  reads: readsScenario,
  writes: writesScenario,
  growth: growthScenario,
  mix: mixScenario,
  core: coreScenario,
  cache: cacheScenario,
  kafka: runKafkaScenarios,
  import: importScenario,
};

/** What `npm run bench` runs with no --only: the figures of docs/performance.md. */
export const DEFAULT_SCENARIOS = ['reads', 'writes', 'growth', 'mix'];
