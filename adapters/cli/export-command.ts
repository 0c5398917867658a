/**
 * `ticketrelay export --format csv|xlsx --from YYYY-MM-DD --to YYYY-MM-DD [--out FILE|-]`: tickets
 * created in those days (inclusive, in DIGEST_TIMEZONE) with their triage and times, streamed from
 * the database page by page.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { assertDay } from '../../src/services/build-digest.ts';
import { buildApp } from './build-app.ts';
import { exportFileName, writeExport, writeExportFile, type ExportFormat } from '../export/export-file.ts';
import { createLogger } from '../logging/pino-logger.ts';
import { EX_USAGE, optionProblem, type CliCommand } from './cli-command.ts';
import { COMMAND_USAGE } from './usage.ts';

const USAGE =
  'Usage: npx ticketrelay export --format csv|xlsx --from YYYY-MM-DD --to YYYY-MM-DD [--out FILE]   (--out - writes to standard output)';

export const exportCommand: CliCommand = {
  usage: COMMAND_USAGE.export,
  async run(args, say) {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...args],
        options: {
          format: { type: 'string', default: 'csv' },
          from: { type: 'string' },
          to: { type: 'string' },
          out: { type: 'string' },
        },
      }));
    } catch (error) {
      say(`${optionProblem(error, USAGE) ?? (error instanceof Error ? error.message : String(error))}\n${USAGE}`);
      return EX_USAGE;
    }
    if (values.format !== 'csv' && values.format !== 'xlsx') {
      say(`Unknown format "${values.format}": use --format csv or --format xlsx.`);
      return EX_USAGE;
    }
    if (!values.from || !values.to) {
      say(`Give the days to export with --from and --to.\n${USAGE}`);
      return EX_USAGE;
    }
    const format: ExportFormat = values.format;
    const from = assertDay(values.from);
    const to = assertDay(values.to);
    if (values.out === '-' && format === 'xlsx' && process.stdout.isTTY) {
      say('An xlsx file is binary: write it to a file with --out FILE.xlsx, or pipe standard output.');
      return EX_USAGE;
    }
    const config = loadConfig();
    const app = await buildApp(config, {
      logger: createLogger({ level: config.logLevelSet ? config.logLevel : 'warn' }),
    });
    try {
      const store = app.stores.exports;
      const options = { format, from, to, timeZone: config.digest.timezone };
      if (values.out === '-') {
        // Standard output is never ended: the rows go through a stream that is.
        const out = new PassThrough();
        out.pipe(process.stdout, { end: false });
        const n = await writeExport(store, out, options);
        say(`${n} ticket${n === 1 ? '' : 's'} exported.`);
        return 0;
      }
      let file = path.resolve(values.out ?? exportFileName(options));
      // --out naming a folder: the file goes in it, under its usual name.
      if ((await stat(file).catch(() => null))?.isDirectory()) file = path.join(file, exportFileName(options));
      // Checked first, so a wrong --out gets a sentence about the folder, not an ENOENT on a temporary file.
      const folder = await stat(path.dirname(file)).catch(() => null);
      if (!folder?.isDirectory()) {
        say(
          `Nothing was exported: ${path.dirname(file)} ${folder ? 'is a file, not a folder' : 'does not exist'}. Give --out a file in an existing folder, or a folder (--out - for standard output).`,
        );
        return 73; // EX_CANTCREAT
      }
      const n = await writeExportFile(store, file, options);
      say(
        `${n} ticket${n === 1 ? '' : 's'} created from ${from} to ${to} (${config.digest.timezone}) written to ${file}.`,
      );
      return 0;
    } finally {
      await app.close();
    }
  },
};
