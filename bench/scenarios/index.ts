import { Scenario } from '../context';
import { cacheScenario } from './cache.scenario';
import { coreScenario } from './core.scenario';
import { importScenario } from './import.scenario';
import { runKafkaScenarios } from './kafka.scenario';

/** Every scenario by name, run in this order by default (`--only a,b` picks some). */
export const SCENARIOS: Record<string, Scenario> = {
  core: coreScenario,
  cache: cacheScenario,
  kafka: runKafkaScenarios,
  import: importScenario,
};
