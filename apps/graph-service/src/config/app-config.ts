import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_FOLLOWING_CAP, FollowingCap } from '@graph/domain';
import { CacheOptions, DatabaseOptions, KafkaOptions, RedisOptions, ReplicaOptions } from '@graph/infrastructure';

/**
 * The whole configuration, read from the environment once at boot (loadConfig) and injected as
 * AppConfig (the class is the injection token, the interface merged into it is the shape).
 * No other file reads process.env.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class AppConfig {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface AppConfig {
  nodeEnv: string;
  http: { host: string; port: number; adapter: 'express' | 'fastify'; drainMs: number; shutdownTimeoutMs: number };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  database: DatabaseOptions;
  runMigrations: boolean;
  redis: RedisOptions;
  kafka: KafkaOptions;
  auth: AuthConfig;
  cursorSecret: string;
  followRateLimit: { limit: number; windowSeconds: number };
  /** docs/api.md "Account policies": base 0 turns the cap off. */
  followingCap: FollowingCap;
  recommendations: { recentFollowings: number; perFollowing: number };
  /** How often expired mutes are deleted (they read as unmuted from their expiry on regardless); 0 = never. */
  muteSweepIntervalSeconds: number;
  /** How often pending requests past their account's request_ttl_days are deleted (0: never). */
  requestSweepIntervalSeconds: number;
  cache: CacheOptions;
  /** Seconds between scheduled counter drift checks; 0 turns them off. */
  consistencyCheckIntervalSeconds: number;
  /** Seconds without progress, while messages wait, after which /health/ready calls the Kafka consumer stalled. */
  kafkaConsumerStalledAfterSeconds: number;
  /** Largest edge list the admin upload takes (bytes as sent, so compressed for gzip); larger is 413. */
  importUploadMaxBytes: number;
}

/** Where token keys come from, and the claims every token must carry. */
export type AuthConfig = (
  | { algorithm: 'HS256'; secret: string; usingDevelopmentSecret: boolean }
  | { algorithm: 'RS256'; publicKey: string }
  /** Keys fetched from the issuer's JWKS, kept `cacheSeconds`, fetched again at most every `cooldownSeconds` for an unknown `kid`. */
  | { algorithm: 'RS256'; jwks: { url: string; cacheSeconds: number; cooldownSeconds: number } }
) & {
  /** When set, a token's `iss` must equal it. */
  issuer?: string;
  /** When set, a token's `aud` must hold one of them. */
  audience?: string[];
  /** Leeway for `exp` and `nbf` against clock skew between the issuer and this service. */
  clockToleranceSeconds: number;
};

/** Used only when no JWT key is configured; logged as a warning, refused in production. */
export const DEVELOPMENT_JWT_SECRET = 'graph-service-development-secret';

/** Sample values from docs and compose files, which must not sign production tokens. */
const PLACEHOLDER_SECRET = /change[-_ ]?me|changeit|example|placeholder|your[-_ ]?secret|^(?:some-long-random-secret|secret)$|development-secret/i;

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string, fallback?: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? fallback : v.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?[0-9]+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function decimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new ConfigError(name, `must be a number between ${min} and ${max}, got "${raw}"`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL');
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  return raw;
}

/** REDIS_CLUSTER_NODES: comma-separated host:port seeds of a Redis Cluster (one reachable node is enough). */
function redisClusterNodes(env: Env): { host: string; port: number }[] | undefined {
  const raw = text(env, 'REDIS_CLUSTER_NODES');
  if (raw === undefined) return undefined;
  return raw.split(',').map((entry) => {
    const m = /^([^:\s]+):([0-9]{1,5})$/.exec(entry.trim());
    const port = Number(m?.[2]);
    if (!m || port < 1 || port > 65535) throw new ConfigError('REDIS_CLUSTER_NODES', `must be a comma-separated list of host:port, got ${JSON.stringify(entry.trim())}`);
    return { host: m[1]!, port };
  });
}

/** DATABASE_REPLICA_URLS and its tuning; only with DATABASE_URL (the embedded server has no replicas). */
function readReplicas(env: Env, primaryUrl: string | undefined): ReplicaOptions | undefined {
  const raw = text(env, 'DATABASE_REPLICA_URLS');
  if (raw === undefined) return undefined;
  if (primaryUrl === undefined) throw new ConfigError('DATABASE_REPLICA_URLS', 'needs DATABASE_URL (the primary)');
  const urls = raw.split(',').map((u) => u.trim());
  urls.forEach((u, i) => {
    try {
      if (!['postgres:', 'postgresql:'].includes(new URL(u).protocol)) throw new Error();
    } catch {
      throw new ConfigError('DATABASE_REPLICA_URLS', `must be a comma-separated list of postgres:// URLs, entry ${i + 1} is not`);
    }
  });
  return {
    urls,
    maxLagMs: integer(env, 'DATABASE_REPLICA_MAX_LAG_MS', 1000, 1, 600000),
    checkIntervalMs: integer(env, 'DATABASE_REPLICA_CHECK_INTERVAL_MS', 100, 10, 60000),
  };
}

function kafkaTopics(env: Env): { replicationFactor: number; minInsyncReplicas: number } {
  const replicationFactor = integer(env, 'KAFKA_REPLICATION_FACTOR', 1, 1, 32);
  const minInsyncReplicas = integer(env, 'KAFKA_MIN_INSYNC_REPLICAS', 1, 1, 32);
  if (minInsyncReplicas > replicationFactor) {
    throw new ConfigError('KAFKA_MIN_INSYNC_REPLICAS', `must not exceed KAFKA_REPLICATION_FACTOR (${replicationFactor}), got ${minInsyncReplicas}`);
  }
  return { replicationFactor, minInsyncReplicas };
}

export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = text(env, 'NODE_ENV', 'development')!;
  const poolSize = integer(env, 'DATABASE_POOL_SIZE', 10, 1, 200);
  const statementTimeoutMs = integer(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 5000, 100, 600000);
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  // Client-side bounds on every wait on the database; past them a call is 503 and the breaker opens.
  const waits = {
    connectTimeoutMs: integer(env, 'DATABASE_CONNECT_TIMEOUT_MS', 1000, 50, 60000),
    queryTimeoutMs: integer(env, 'DATABASE_QUERY_TIMEOUT_MS', statementTimeoutMs + 1000, 100, 600000),
    breakerOpenMs: integer(env, 'DATABASE_BREAKER_OPEN_MS', 1000, 50, 60000),
  };
  const replicas = readReplicas(env, databaseUrl);
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const redisCluster = redisClusterNodes(env);
  if (redisCluster && redisUrl) throw new ConfigError('REDIS_CLUSTER_NODES', 'and REDIS_URL cannot both be set: choose one Redis node or a cluster');
  const redisCommandTimeoutMs = integer(env, 'REDIS_COMMAND_TIMEOUT_MS', 50, 1, 10000);
  const brokers = text(env, 'KAFKA_BROKERS');
  if (brokers !== undefined && !brokers.split(',').every((b) => /^[^:\s]+:[0-9]{1,5}$/.test(b.trim()))) {
    throw new ConfigError('KAFKA_BROKERS', 'must be a comma-separated list of host:port');
  }

  const publicKeyFile = text(env, 'JWT_PUBLIC_KEY_FILE');
  let publicKey = text(env, 'JWT_PUBLIC_KEY');
  if (publicKeyFile !== undefined) {
    try {
      publicKey = readFileSync(resolve(publicKeyFile), 'utf8');
    } catch {
      throw new ConfigError('JWT_PUBLIC_KEY_FILE', `cannot be read: ${publicKeyFile}`);
    }
  }
  const secret = text(env, 'JWT_SECRET');
  const jwksUrl = url(env, 'JWT_JWKS_URL', ['https:', 'http:']);
  if (publicKey !== undefined && !publicKey.includes('BEGIN PUBLIC KEY')) {
    throw new ConfigError(publicKeyFile ? 'JWT_PUBLIC_KEY_FILE' : 'JWT_PUBLIC_KEY', 'must hold a PEM public key');
  }
  if (publicKey !== undefined && jwksUrl !== undefined) throw new ConfigError('JWT_JWKS_URL', 'and JWT_PUBLIC_KEY cannot both be set: choose one source of RS256 keys');
  if (secret !== undefined && secret.length < 16) throw new ConfigError('JWT_SECRET', 'must be at least 16 characters');
  if (publicKey === undefined && jwksUrl === undefined && secret === undefined && nodeEnv === 'production') {
    throw new ConfigError('JWT_SECRET', 'or JWT_PUBLIC_KEY or JWT_JWKS_URL must be set when NODE_ENV=production');
  }
  if (publicKey === undefined && secret !== undefined && nodeEnv === 'production' && PLACEHOLDER_SECRET.test(secret)) {
    throw new ConfigError('JWT_SECRET', 'looks like a placeholder (change-me, example, secret…); set a long random one when NODE_ENV=production');
  }
  const claims = {
    ...(text(env, 'JWT_ISSUER') !== undefined ? { issuer: text(env, 'JWT_ISSUER')! } : {}),
    ...(text(env, 'JWT_AUDIENCE') !== undefined ? { audience: text(env, 'JWT_AUDIENCE')!.split(',').map((a) => a.trim()).filter(Boolean) } : {}),
    clockToleranceSeconds: integer(env, 'JWT_CLOCK_TOLERANCE_SECONDS', 5, 0, 300),
  };
  const auth: AppConfig['auth'] =
    jwksUrl !== undefined
      ? {
          algorithm: 'RS256',
          jwks: {
            url: jwksUrl,
            cacheSeconds: integer(env, 'JWT_JWKS_CACHE_SECONDS', 600, 1, 86400),
            cooldownSeconds: integer(env, 'JWT_JWKS_COOLDOWN_SECONDS', 30, 0, 3600),
          },
          ...claims,
        }
      : publicKey !== undefined
        ? { algorithm: 'RS256', publicKey, ...claims }
        : { algorithm: 'HS256', secret: secret ?? DEVELOPMENT_JWT_SECRET, usingDevelopmentSecret: secret === undefined, ...claims };
  // Cursors are signed with a secret; a key set fetched from a URL is public, so it cannot stand in for one.
  const cursorSecret = text(env, 'CURSOR_SECRET');
  if (cursorSecret === undefined && 'jwks' in auth) throw new ConfigError('CURSOR_SECRET', 'must be set when JWT_JWKS_URL is used');

  return {
    nodeEnv,
    http: {
      host: text(env, 'HOST', '0.0.0.0')!,
      port: integer(env, 'PORT', 3000, 0, 65535),
      adapter: oneOf(env, 'HTTP_ADAPTER', 'express', ['express', 'fastify'] as const),
      drainMs: integer(env, 'SHUTDOWN_DRAIN_MS', 5000, 0, 600000),
      shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 0, 600000),
    },
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['debug', 'info', 'warn', 'error'] as const),
    database: databaseUrl
      ? { mode: 'external', url: databaseUrl, poolSize, statementTimeoutMs, waits, ...(replicas ? { replicas } : {}) }
      : {
          mode: 'embedded',
          dataDir: resolve(text(env, 'EMBEDDED_PG_DIR', '.data/postgres')!),
          port: integer(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535),
          poolSize,
          statementTimeoutMs,
          waits,
        },
    runMigrations: oneOf(env, 'MIGRATIONS_RUN', 'true', ['true', 'false'] as const) === 'true',
    redis: redisCluster
      ? { mode: 'cluster', nodes: redisCluster, commandTimeoutMs: redisCommandTimeoutMs }
      : redisUrl
        ? { mode: 'external', url: redisUrl, commandTimeoutMs: redisCommandTimeoutMs }
        : { mode: 'memory' },
    kafka: brokers
      ? {
          mode: 'external',
          brokers: brokers.split(',').map((b) => b.trim()),
          clientId: text(env, 'KAFKA_CLIENT_ID', 'graph-service')!,
          groupId: text(env, 'KAFKA_GROUP_ID', 'graph-service')!,
          topics: kafkaTopics(env),
          relay: {
            batchSize: integer(env, 'OUTBOX_BATCH_SIZE', 1000, 1, 10000),
            pollIntervalMs: integer(env, 'OUTBOX_POLL_INTERVAL_MS', 250, 10, 60000),
            lingerMs: integer(env, 'OUTBOX_LINGER_MS', 20, 0, 1000),
            retentionSeconds: integer(env, 'OUTBOX_RETENTION_SECONDS', 60, 0, 86400 * 7),
          },
        }
      : { mode: 'disabled' },
    auth,
    cursorSecret: cursorSecret ?? `cursor:${'secret' in auth ? auth.secret : 'publicKey' in auth ? auth.publicKey : auth.jwks.url}`,
    followRateLimit: {
      limit: integer(env, 'FOLLOW_RATE_LIMIT', 200, 1, 1_000_000_000),
      windowSeconds: integer(env, 'FOLLOW_RATE_WINDOW_SECONDS', 3600, 1, 86400 * 7),
    },
    followingCap: {
      base: integer(env, 'FOLLOWING_CAP', DEFAULT_FOLLOWING_CAP.base, 0, 10_000_000),
      permille: Math.round(decimal(env, 'FOLLOWING_CAP_RATIO', DEFAULT_FOLLOWING_CAP.permille / 1000, 0, 1000) * 1000),
    },
    recommendations: {
      recentFollowings: integer(env, 'RECOMMENDATION_RECENT_FOLLOWINGS', 200, 1, 100000),
      perFollowing: integer(env, 'RECOMMENDATION_PER_FOLLOWING', 50, 1, 100000),
    },
    muteSweepIntervalSeconds: integer(env, 'MUTE_SWEEP_INTERVAL_SECONDS', 60, 0, 86400),
    requestSweepIntervalSeconds: integer(env, 'REQUEST_SWEEP_INTERVAL_SECONDS', 60, 0, 86400),
    cache: {
      ttlSeconds: {
        followers: integer(env, 'CACHE_TTL_FOLLOWERS', 300, 1, 86400),
        following: integer(env, 'CACHE_TTL_FOLLOWING', 300, 1, 86400),
        relationship: integer(env, 'CACHE_TTL_RELATIONSHIP', 600, 1, 86400),
        stats: integer(env, 'CACHE_TTL_STATS', 60, 1, 86400),
        recommendations: integer(env, 'CACHE_TTL_RECOMMENDATIONS', 600, 1, 86400),
      },
      jitter: decimal(env, 'CACHE_TTL_JITTER', 0.1, 0, 1),
      listWindow: integer(env, 'CACHE_LIST_WINDOW', 200, 1, 10000),
    },
    consistencyCheckIntervalSeconds: integer(env, 'CONSISTENCY_CHECK_INTERVAL_SECONDS', 0, 0, 86400 * 7),
    kafkaConsumerStalledAfterSeconds: integer(env, 'KAFKA_CONSUMER_STALLED_AFTER_SECONDS', 30, 1, 86400),
    importUploadMaxBytes: integer(env, 'IMPORT_UPLOAD_MAX_BYTES', 512 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER),
  };
}
