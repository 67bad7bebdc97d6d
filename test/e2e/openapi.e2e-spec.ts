import { readFileSync } from 'node:fs';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { GRAPH_LIMITS } from '@graph/domain';
import { OPENAPI_FILE, openApiJson } from '../../apps/graph-service/src/cli/write-openapi';
import { startTestApp } from '../support/test-app';

type Operation = {
  operationId: string;
  security?: object[];
  parameters?: { name: string; in: string; schema?: Record<string, unknown> }[];
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string }; examples?: Record<string, { value: { error: { code: string } } }> }> }>;
};
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

function operations(doc: Document): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation]),
  );
}

/** Which operations and schemas differ between two documents, for a readable failure. */
function differences(committed: Document, served: Document): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const out: string[] = [];
  for (const path of new Set([...Object.keys(committed.paths), ...Object.keys(served.paths)])) {
    if (!same(committed.paths[path], served.paths[path])) out.push(`paths ${path}`);
  }
  for (const name of new Set([...Object.keys(committed.components.schemas), ...Object.keys(served.components.schemas)])) {
    if (!same(committed.components.schemas[name], served.components.schemas[name])) out.push(`schema ${name}`);
  }
  return out.length > 0 ? out : ['elsewhere (info, tags, security schemes or key order)'];
}

describe('the OpenAPI document', () => {
  let app: INestApplication;
  let served: Document;
  beforeAll(async () => {
    app = await startTestApp({ KAFKA_BROKERS: undefined });
    served = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body;
  });
  afterAll(() => app.close());

  it('is committed as docs/openapi.json, exactly as the running app serves it', () => {
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    if (committed !== openApiJson(served)) {
      const changed = differences(JSON.parse(committed), served);
      throw new Error(`docs/openapi.json is not the running app's document: run \`npm run openapi\` and commit docs/openapi.json.\nDiffers in: ${changed.join(', ')}`);
    }
  });

  it('names each operation with a verb and its object (followUser, listFollowers), once', () => {
    const ids = operations(served).map(([, op]) => op.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(ids.filter((id) => !/^[a-z]+[A-Z][A-Za-z]*$/.test(id) || id.includes('Controller'))).toEqual([]);
    expect(ids).toEqual(expect.arrayContaining(['followUser', 'listFollowers', 'reportCounterDrift', 'startEdgeImport', 'checkReadiness']));
  });

  it('gives every error status the ErrorResponse schema and an example per code, each of that code', () => {
    for (const [name, op] of operations(served)) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400 || name === 'GET /health/ready') continue;
        const json = response.content?.['application/json'];
        expect({ name, status, schema: json?.schema?.$ref }).toEqual({ name, status, schema: '#/components/schemas/ErrorResponse' });
        const examples = Object.entries(json?.examples ?? {});
        expect({ name, status, examples: examples.length > 0 }).toEqual({ name, status, examples: true });
        for (const [code, example] of examples) expect({ name, status, code: example.value.error.code }).toEqual({ name, status, code });
        // Each code described once (a route declaring the same errors twice used to repeat them).
        const described = ((response as { description?: string }).description ?? '').split('\n\n');
        expect({ name, status, repeated: described.filter((d, i) => described.indexOf(d) !== i) }).toEqual({ name, status, repeated: [] });
      }
    }
    const follow = served.paths['/api/v1/graph/follow/{userId}']!.post!.responses;
    expect(Object.keys(follow['401']!.content!['application/json']!.examples!)).toEqual(['UNAUTHORIZED']);
    expect(Object.keys(follow['429']!.content!['application/json']!.examples!)).toEqual(['RATE_LIMITED']);
    expect(Object.keys(follow['400']!.content!['application/json']!.examples!)).toEqual(['INVALID_USER_ID', 'SELF_FOLLOW', 'VALIDATION_FAILED', 'INVALID_JSON', 'JSON_TOO_DEEP']);
    expect(Object.keys(follow['503']!.content!['application/json']!.examples!)).toEqual(['UNAVAILABLE']);
    expect(Object.keys(served.components.schemas).filter((s) => s.startsWith('Error'))).toEqual(['ErrorDetail', 'ErrorResponse']);
  });

  it('asks for the bearer token everywhere but on health and metrics', () => {
    for (const [name, op] of operations(served)) {
      const open = name.startsWith('GET /health/') || name === 'GET /metrics';
      expect({ name, security: op.security }).toEqual({ name, security: open ? [{}] : [{ bearer: [] }] });
      expect({ name, has401: '401' in op.responses }).toEqual({ name, has401: !open });
    }
    for (const name of ['admin']) {
      const admin = operations(served).filter(([n]) => n.includes(`/api/v1/${name}/`));
      expect(admin.length).toBeGreaterThan(10);
      for (const [n, op] of admin) expect({ n, has403: '403' in op.responses }).toEqual({ n, has403: true });
    }
  });

  it('types `limit` as an integer within GRAPH_LIMITS', () => {
    const limitOf = (path: string) => served.paths[path]!.get!.parameters!.find((p) => p.name === 'limit')!.schema;
    expect(limitOf('/api/v1/graph/followers/{userId}')).toEqual({ type: 'integer', minimum: 1, maximum: GRAPH_LIMITS.pageMax, default: GRAPH_LIMITS.pageDefault });
    expect(limitOf('/api/v1/graph/recommendations')).toMatchObject({ type: 'integer', minimum: 1, maximum: GRAPH_LIMITS.recommendationsMax });
  });
});
