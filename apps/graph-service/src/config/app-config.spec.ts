import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('runs with no configuration at all on the embedded default', () => {
    const config = loadConfig({});
    expect(config.database.mode).toBe('embedded');
    expect(config.redis.mode).toBe('memory');
    expect(config.kafka.mode).toBe('disabled');
    expect(config.http.port).toBe(3000);
    expect(config.auth).toEqual({ algorithm: 'HS256', secret: DEVELOPMENT_JWT_SECRET, usingDevelopmentSecret: true, clockToleranceSeconds: 5 });
    expect(config.followRateLimit).toEqual({ limit: 200, windowSeconds: 3600 });
    expect(config.followingCap).toEqual({ base: 7500, permille: 1100 });
    expect(config.requestSweepIntervalSeconds).toBe(60);
    expect(config.cache.ttlSeconds).toEqual({ followers: 300, following: 300, relationship: 600, stats: 60, recommendations: 600 });
  });

  it('uses the three URLs when they are set', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u@db:5432/graph',
      REDIS_URL: 'redis://cache:6379',
      KAFKA_BROKERS: 'k1:9092, k2:9092',
    });
    expect(config.database).toMatchObject({ mode: 'external', url: 'postgres://u@db:5432/graph' });
    expect(config.redis).toMatchObject({ mode: 'external', url: 'redis://cache:6379' });
    expect(config.kafka).toMatchObject({ mode: 'external', brokers: ['k1:9092', 'k2:9092'] });
  });

  it('creates topics with one copy by default and as configured on a cluster', () => {
    expect(loadConfig({ KAFKA_BROKERS: 'k1:9092' }).kafka).toMatchObject({ topics: { replicationFactor: 1, minInsyncReplicas: 1 } });
    expect(loadConfig({ KAFKA_BROKERS: 'k1:9092', KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' }).kafka).toMatchObject({
      topics: { replicationFactor: 3, minInsyncReplicas: 2 },
    });
    expect(() => loadConfig({ KAFKA_BROKERS: 'k1:9092', KAFKA_REPLICATION_FACTOR: '2', KAFKA_MIN_INSYNC_REPLICAS: '3' })).toThrow('KAFKA_MIN_INSYNC_REPLICAS');
    expect(() => loadConfig({ KAFKA_BROKERS: 'k1:9092', KAFKA_REPLICATION_FACTOR: '0' })).toThrow('KAFKA_REPLICATION_FACTOR');
  });

  it('uses a Redis Cluster through its seed nodes, and refuses it next to REDIS_URL', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'r1:7000, r2:7001' }).redis).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'r1', port: 7000 },
        { host: 'r2', port: 7001 },
      ],
      commandTimeoutMs: 50,
    });
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'r1:7000', REDIS_URL: 'redis://cache:6379' })).toThrow('REDIS_CLUSTER_NODES and REDIS_URL cannot both be set');
  });

  it('reads from replicas only when they are listed, with the primary', () => {
    const primary = 'postgres://u@db:5432/graph';
    expect(loadConfig({ DATABASE_URL: primary }).database).not.toHaveProperty('replicas');
    expect(loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URLS: 'postgres://u@r1/graph, postgresql://u@r2/graph' }).database).toMatchObject({
      replicas: { urls: ['postgres://u@r1/graph', 'postgresql://u@r2/graph'], maxLagMs: 1000, checkIntervalMs: 100 },
    });
    expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'postgres://u@r1/graph' })).toThrow('DATABASE_REPLICA_URLS needs DATABASE_URL');
    expect(() => loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URLS: 'postgres://u@r1/graph,redis://r2' })).toThrow('entry 2 is not');
    expect(() => loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URLS: 'postgres://u@r1/graph', DATABASE_REPLICA_MAX_LAG_MS: '0' })).toThrow('DATABASE_REPLICA_MAX_LAG_MS');
  });

  it.each([
    ['REDIS_CLUSTER_NODES', 'r1'],
    ['REDIS_CLUSTER_NODES', 'r1:7000,,r2:7001'],
    ['REDIS_CLUSTER_NODES', 'r1:0'],
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'not a url'],
    ['KAFKA_BROKERS', 'localhost'],
    ['HTTP_ADAPTER', 'koa'],
    ['FOLLOW_RATE_LIMIT', '0'],
    ['FOLLOWING_CAP', '-1'],
    ['FOLLOWING_CAP_RATIO', 'lots'],
    ['REQUEST_SWEEP_INTERVAL_SECONDS', '-5'],
    ['JWT_SECRET', 'short'],
    ['JWT_PUBLIC_KEY', 'not a pem'],
    ['CACHE_TTL_JITTER', '2'],
    ['JWT_JWKS_URL', 'ftp://id.example/jwks'],
    ['JWT_CLOCK_TOLERANCE_SECONDS', '-1'],
    ['JWT_CLOCK_TOLERANCE_SECONDS', '3600'],
  ])('stops with a message naming %s when it is %p', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('reads the following cap: a whole base (0 turns it off) and a ratio kept in thousandths', () => {
    expect(loadConfig({ FOLLOWING_CAP: '0' }).followingCap.base).toBe(0);
    expect(loadConfig({ FOLLOWING_CAP: '100', FOLLOWING_CAP_RATIO: '1.25' }).followingCap).toEqual({ base: 100, permille: 1250 });
  });

  it('refuses a placeholder secret in production, as the compose file once shipped one', () => {
    for (const secret of ['change-me-to-a-long-random-secret', 'some-long-random-secret', 'graph-service-development-secret']) {
      expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret })).toThrow('JWT_SECRET looks like a placeholder');
    }
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'k3J9x0Qw7Lr2VtY8pNa5' }).auth.algorithm).toBe('HS256');
  });

  it('refuses the development secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow('JWT_SECRET');
  });

  it('takes RS256 when a public key is given', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----';
    expect(loadConfig({ JWT_PUBLIC_KEY: pem }).auth).toEqual({ algorithm: 'RS256', publicKey: pem, clockToleranceSeconds: 5 });
  });

  it('takes RS256 from a JWKS URL, with cache and cooldown, and asks for a cursor secret then', () => {
    const env = { JWT_JWKS_URL: 'https://id.example/.well-known/jwks.json', CURSOR_SECRET: 'cursor-secret-0123456789' };
    expect(loadConfig(env).auth).toEqual({
      algorithm: 'RS256',
      jwks: { url: env.JWT_JWKS_URL, cacheSeconds: 600, cooldownSeconds: 30 },
      clockToleranceSeconds: 5,
    });
    expect(loadConfig({ ...env, JWT_JWKS_CACHE_SECONDS: '60', JWT_JWKS_COOLDOWN_SECONDS: '0' }).auth).toMatchObject({ jwks: { cacheSeconds: 60, cooldownSeconds: 0 } });
    expect(() => loadConfig({ JWT_JWKS_URL: env.JWT_JWKS_URL })).toThrow('CURSOR_SECRET');
    expect(() => loadConfig({ ...env, JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----' })).toThrow('JWT_JWKS_URL');
    expect(() => loadConfig({ ...env, NODE_ENV: 'production' })).not.toThrow();
  });

  it('reads the optional issuer, audiences and clock tolerance', () => {
    const auth = loadConfig({ JWT_ISSUER: 'https://id.example', JWT_AUDIENCE: 'graph, graph-admin', JWT_CLOCK_TOLERANCE_SECONDS: '0' }).auth;
    expect(auth).toMatchObject({ issuer: 'https://id.example', audience: ['graph', 'graph-admin'], clockToleranceSeconds: 0 });
    expect(loadConfig({}).auth).not.toHaveProperty('issuer');
    expect(loadConfig({}).auth).not.toHaveProperty('audience');
  });
});
