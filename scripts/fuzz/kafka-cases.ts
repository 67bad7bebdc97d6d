import { GRAPH_EVENT_TOPICS, GRAPH_RPC_PATTERNS } from '@graph/contracts';

/** One malformed message to a request-reply pattern: a bad payload with good reply headers, or the reverse. */
export interface RpcCase {
  name: string;
  topic: string;
  value: string | null;
  /** Reply headers; the correlation id is added per send. null: leave the correlation id out. */
  replyTopic: string | null;
  replyPartition: string | null;
  /** True when the service must answer on `<topic>.reply` (with an error or data); false when it must send nothing anywhere. */
  answered: boolean;
  correlationId: boolean;
}

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

/** Payloads no pattern accepts as valid input, or accepts harmlessly (unknown fields are ignored). */
function badPayloads(pattern: string): [string, string | null][] {
  const idField = pattern.endsWith('_ids') ? 'user_id' : pattern.endsWith('is_following') ? 'follower_id' : 'viewer_id';
  const listField = pattern.endsWith('is_following') ? 'following_ids' : 'user_ids';
  return [
    ['not-json', 'not json at all'],
    ['truncated-json', '{"user_ids":["1"'],
    ['null', 'null'],
    ['empty', ''],
    ['tombstone', null],
    ['number', '42'],
    ['string', '"x"'],
    ['array', '["1"]'],
    ['empty-object', '{}'],
    ['deep-10000', deep(10000)],
    ['deep-in-field', `{"${listField}":${deep(5000)},"${idField}":"1"}`],
    ['deep-object', `{"${idField}":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`],
    ['ids-not-array', `{"${listField}":"1,2","${idField}":"1"}`],
    ['ids-objects', `{"${listField}":[{"id":1}],"${idField}":"1"}`],
    ['ids-bad', `{"${listField}":["abc","-1","0","1.5"],"${idField}":"1"}`],
    ['ids-huge', `{"${listField}":["99999999999999999999999"],"${idField}":"1"}`],
    ['ids-too-many', `{"${listField}":[${Array.from({ length: 5000 }, (_, i) => `"${i + 1}"`).join(',')}],"${idField}":"1"}`],
    ['id-wrong-type', `{"${listField}":["1"],"${idField}":true}`],
    ['id-missing', `{"${listField}":["1"]}`],
    ['cursor-bad', `{"user_id":"1","cursor":"garbage","limit":10,"${listField}":["1"],"${idField}":"1"}`],
    ['cursor-number', `{"user_id":"1","cursor":5,"${listField}":["1"],"${idField}":"1"}`],
    ['limit-bad', `{"user_id":"1","limit":"10","${listField}":["1"],"${idField}":"1"}`],
    ['limit-zero', `{"user_id":"1","limit":0,"${listField}":["1"],"${idField}":"1"}`],
    ['limit-huge', `{"user_id":"1","limit":1e9,"${listField}":["1"],"${idField}":"1"}`],
    ['proto', `{"__proto__":{"x":1},"${listField}":["1"],"${idField}":"1"}`],
    ['bad-utf8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]).toString('latin1')],
  ];
}

const VALID_PAYLOADS: Record<string, string> = {
  [GRAPH_RPC_PATTERNS.relationships]: '{"viewer_id":"1","user_ids":["2"]}',
  [GRAPH_RPC_PATTERNS.isFollowing]: '{"follower_id":"1","following_ids":["2"]}',
  [GRAPH_RPC_PATTERNS.followerIds]: '{"user_id":"1"}',
  [GRAPH_RPC_PATTERNS.followingIds]: '{"user_id":"1"}',
  [GRAPH_RPC_PATTERNS.stats]: '{"user_ids":["1"]}',
};

export function rpcCases(): RpcCase[] {
  const cases: RpcCase[] = [];
  const patterns = Object.values(GRAPH_RPC_PATTERNS);
  for (const topic of patterns) {
    const reply = `${topic}.reply`;
    for (const [name, value] of badPayloads(topic)) {
      cases.push({ name: `payload:${topic}:${name}`, topic, value, replyTopic: reply, replyPartition: '0', answered: true, correlationId: true });
    }
    const valid = VALID_PAYLOADS[topic]!;
    const headerCases: [string, string | null, string | null, boolean, boolean][] = [
      ['partition-99', reply, '99', false, true],
      ['partition-minus-1', reply, '-1', false, true],
      ['partition-abc', reply, 'abc', false, true],
      ['partition-empty', reply, '', false, true],
      ['partition-fraction', reply, '1.5', false, true],
      ['partition-huge', reply, '99999999999', false, true],
      ['partition-missing', reply, null, true, true],
      ['reply-topic-missing', null, '0', false, true],
      ['correlation-missing', reply, '0', false, false],
      ['reply-topic-nonexistent', 'no.such.reply.topic', '0', false, true],
      ['reply-topic-empty', '', '0', false, true],
      ['reply-topic-request-topic', topic, '0', false, true],
      ['reply-topic-user-events', 'user.events', '0', false, true],
      ['reply-topic-other-pattern', `${patterns.find((p) => p !== topic)}.reply`, '0', false, true],
      ...Object.values(GRAPH_EVENT_TOPICS).map((t): [string, string, string, boolean, boolean] => [`reply-topic-event-${t}`, t, '0', false, true]),
    ];
    for (const [name, replyTopic, replyPartition, answered, correlationId] of headerCases) {
      cases.push({ name: `headers:${topic}:${name}`, topic, value: valid, replyTopic, replyPartition, answered, correlationId });
    }
  }
  return cases;
}

/** Malformed user.events messages: each must be skipped without holding up the next one. */
export function userEventCases(): [string, string | null][] {
  return [
    ['not-json', 'garbage'],
    ['tombstone', null],
    ['deep-10000', deep(10000)],
    ['deep-object', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`],
    ['array', '[{"event_type":"user.deleted","user_id":"1"}]'],
    ['number', '7'],
    ['no-type', '{"user_id":"1"}'],
    ['unknown-type', '{"event_type":"user.renamed","user_id":"1"}'],
    ['type-number', '{"event_type":5,"user_id":"1"}'],
    ['privacy-no-user', '{"event_type":"user.privacy_changed","is_private":true}'],
    ['privacy-bad-user', '{"event_type":"user.privacy_changed","user_id":"abc","is_private":true}'],
    ['privacy-user-object', `{"event_type":"user.privacy_changed","user_id":${deep(3000)},"is_private":true}`],
    ['privacy-not-bool', '{"event_type":"user.privacy_changed","user_id":"1","is_private":"true"}'],
    ['privacy-null', '{"event_type":"user.privacy_changed","user_id":"1","is_private":null}'],
    ['deleted-bad-user', '{"event_type":"user.deleted","user_id":"-5"}'],
    ['deleted-huge-user', '{"event_type":"user.deleted","user_id":"999999999999999999999999"}'],
    ['deleted-zero', '{"event_type":"user.deleted","user_id":0}'],
    ['proto', '{"__proto__":{"event_type":"user.deleted"},"user_id":"1"}'],
  ];
}
