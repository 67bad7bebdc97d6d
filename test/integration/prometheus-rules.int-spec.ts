import { join } from 'node:path';
import { promtool, runPromtool } from '../support/promtool';

const RULES = join(__dirname, '../../ops/prometheus/graph-service.rules.yml');
const RULE_TESTS = join(__dirname, '../../ops/prometheus/graph-service.rules.test.yml');

describe('the Prometheus alert rules (ops/prometheus)', () => {
  const withPromtool = promtool() ? it : it.skip;

  withPromtool('pass promtool check rules', () => {
    const { status, output } = runPromtool(['check', 'rules', RULES]);
    expect(output).toContain('SUCCESS: 7 rules found');
    expect(status).toBe(0);
  });

  withPromtool('pass their unit tests (promtool test rules): each alert fires past its threshold, and not below', () => {
    const { status, output } = runPromtool(['test', 'rules', RULE_TESTS]);
    expect(output).toContain('SUCCESS');
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });
});
