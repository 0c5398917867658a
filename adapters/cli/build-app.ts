/**
 * How the CLI builds the app: first the project-local development services this config relies on
 * (those whose URL is not set; this may run apt-get, so it is the CLI's business and never
 * createApp's), then the app itself. Tests and benchmarks call createApp directly on services they
 * started.
 */
import type { Config } from '../../src/config.ts';
import { createApp, type App, type AppOptions } from '../../src/main.ts';
import { ensureLocalServices } from '../local-services/index.ts';
import { createLogger } from '../logging/pino-logger.ts';

/** ensureLocalServices, then createApp with the same logger. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  await ensureLocalServices(config, (line) => logger.info({ component: 'services' }, line));
  return createApp(config, { ...options, logger });
}
