import { createDataSource } from './data-source';
import { testInfra } from '../../../../test/setup/test-infra';

describe('createDataSource (PostgreSQL)', () => {
  it('opens sessions without JIT, with the statement timeout asked and the service named', async () => {
    const db = createDataSource(testInfra.databaseUrl, 2, 4321);
    await db.initialize();
    try {
      const [row] = await db.query(`SELECT current_setting('jit') AS jit, current_setting('statement_timeout') AS timeout, current_setting('application_name') AS name`);
      expect(row).toEqual({ jit: 'off', timeout: '4321ms', name: 'graph-service' });
    } finally {
      await db.destroy();
    }
  });
});
