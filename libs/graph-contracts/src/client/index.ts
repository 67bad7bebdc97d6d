export * from './kafka-setup';
