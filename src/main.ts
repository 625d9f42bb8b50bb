import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startIncidentOfficer } from './server.js';

// Entry point: parse config (one line per problem, exit 2), start, stop gracefully on SIGTERM/SIGINT.
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Incident Officer cannot start: the configuration has ${err.problems.length === 1 ? 'a problem' : `${err.problems.length} problems`}:\n`);
      for (const line of err.problems) process.stderr.write(`  ${line}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, secrets: [config.slack.botToken, config.slack.signingSecret, config.slack.appToken, config.databaseUrl, config.changesWebhookSecret] });
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));

  const app = await startIncidentOfficer(config, { logger });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight work');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 25 s; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    app.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`Incident Officer failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
