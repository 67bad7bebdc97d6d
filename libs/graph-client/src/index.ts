export * from './kafka-setup';
export * from './graph-client';
export * from './graph-client.module';
export * from './kafka-failover';
