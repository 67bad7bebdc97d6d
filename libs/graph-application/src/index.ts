export * from './graph-policy';
export * from './graph-application.module';
