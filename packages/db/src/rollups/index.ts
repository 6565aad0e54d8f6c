export * from './declarations';
export * from './query';
export * from './refresh';
