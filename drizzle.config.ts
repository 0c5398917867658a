import { defineConfig } from 'drizzle-kit';
import { loadConfig } from './src/config.ts';

// Only our own tables: the legacy ones are never managed (nor altered) by migrations.
export default defineConfig({
  dialect: 'mysql',
  schema: './adapters/mysql/schema.ts',
  out: './adapters/mysql/migrations',
  dbCredentials: { url: loadConfig().database.url },
});
