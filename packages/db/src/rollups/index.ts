export * from './declarations';
export * from './distinct-keys';
export * from './query';
export * from './refresh';
