/**
 * `ticketrelay templates check FILE`: every problem as file:line: message, non-zero exit when one is an error.
 * `ticketrelay templates import FILE [--replace]`: the valid templates saved (a changed one gets a new
 * version; an existing key only with --replace), the bad ones rejected with their file:line, exit non-zero then.
 * `ticketrelay templates export [FILE]`: the latest version of each template as JSON (stdout without FILE).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { formatProblem, parseTemplatesFile } from '../../src/domain/reply-template.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, runMigrations } from '../mysql/database.ts';
import { ensureLocalServices } from '../local-services/index.ts';
import { MysqlTemplateStore } from '../mysql/mysql-template-store.ts';
import { createLogger } from '../logging/pino-logger.ts';
import { EX_USAGE, type CliCommand, type Say } from './cli-command.ts';

const USAGE = 'Usage: npx ticketrelay templates check FILE | import FILE [--replace] | export [FILE]';

export const templatesCommand: CliCommand = {
  usage: [
    'npx ticketrelay templates check FILE  every problem of a templates file as file:line: message',
    'npx ticketrelay templates import FILE [--replace]  save the reply templates of a JSON file (a changed one gets a new version)',
    'npx ticketrelay templates export [FILE]  the templates in use as JSON (stdout without FILE)',
  ],
  async run(args, say) {
    const [sub, ...rest] = args;
    const file = rest.find((a) => !a.startsWith('--'));
    const unknown = rest.filter((a) => a.startsWith('--') && !(sub === 'import' && a === '--replace'));
    if (unknown.length) {
      say(`Unknown option ${unknown[0]}. ${USAGE}`);
      return EX_USAGE;
    }
    if (sub === 'check' || sub === 'import') {
      if (!file) {
        say(`Name the templates file. ${USAGE}`);
        return EX_USAGE;
      }
      let source: string;
      try {
        source = await readFile(file, 'utf8');
      } catch (error) {
        say(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
        return 66;
      }
      const { templates, problems } = parseTemplatesFile(source);
      for (const p of problems) say(formatProblem(file, p));
      const errors = problems.filter((p) => !p.warning).length;
      if (sub === 'check') {
        say(
          `${file}: ${templates.length} template(s) valid, ${errors} error(s), ${problems.length - errors} warning(s).`,
        );
        return errors ? 1 : 0;
      }
      return importTemplates(templates, rest.includes('--replace'), errors, file, say);
    }
    if (sub === 'export') return exportTemplates(file, say);
    say(`${sub ? `"${sub}" is not a templates command. ` : ''}${USAGE}`);
    return EX_USAGE;
  },
};

async function withStore<T>(run: (store: MysqlTemplateStore) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevelSet ? config.logLevel : 'warn' });
  await ensureLocalServices(config, (line) => logger.info({ component: 'services' }, line));
  const database = openDatabase({ url: config.database.url, poolSize: 2 });
  try {
    await runMigrations(database);
    return await run(new MysqlTemplateStore(database));
  } finally {
    await database.close();
  }
}

async function importTemplates(
  templates: Parameters<MysqlTemplateStore['save']>[0][],
  replace: boolean,
  errors: number,
  file: string,
  say: Say,
): Promise<number> {
  let refused = 0;
  await withStore(async (store) => {
    for (const t of templates) {
      const saved = await store.save(t, replace, new Date());
      if (saved.outcome === 'exists') {
        refused += 1;
        say(
          `${file}: template "${t.key}" already exists (version ${saved.version}) and differs; not imported (use --replace to add a new version).`,
        );
      } else say(`${t.key}@${saved.version}: ${saved.outcome === 'same' ? 'unchanged' : saved.outcome}.`);
    }
  });
  say(`${templates.length - refused} template(s) imported, ${errors + refused} problem(s).`);
  return errors + refused ? 1 : 0;
}

async function exportTemplates(file: string | undefined, say: Say): Promise<number> {
  const all = await withStore((store) => store.all());
  const json = `${JSON.stringify({ templates: all.map(({ key, version, title, tags, actions, bodies }) => ({ key, version, title, tags, actions, bodies })) }, null, 2)}\n`;
  if (file) {
    await writeFile(file, json);
    say(`${all.length} template(s) written to ${file}.`);
  } else process.stdout.write(json);
  return 0;
}
