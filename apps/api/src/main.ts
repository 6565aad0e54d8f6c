import { ConfigError, loadConfig } from './config';
import { createLogger, startApi } from './server';

/** `npm run api`: configuration from the environment, then serve until SIGTERM or SIGINT. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`aclue-api: ${error.message}`);
    process.exit(78); // EX_CONFIG
  }
  const log = createLogger(config);
  const api = await startApi(config, log).catch((error: unknown) => {
    log.fatal(
      { err: { type: (error as Error).name, message: (error as Error).message } },
      'could not start',
    );
    process.exit(1);
  });
  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    api.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

await main();
