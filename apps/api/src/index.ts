export { createApp } from './app';
export { type Config, ConfigError, loadConfig } from './config';
export { SIGNATURE_HEADER, signConversion } from './routes/conversions';
export { allowedTarget } from './routes/redirect';
export { createLogger, createServices, type RunningApi, startApi } from './server';
export type { Services } from './services';
