export * from './topics';
export * from './graph-events';
export * from './graph-rpc';
