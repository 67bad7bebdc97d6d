import { Scenario } from '../context';

/** Every scenario by name, run in this order by default (`--only a,b` picks some). */
export const SCENARIOS: Record<string, Scenario> = {};
