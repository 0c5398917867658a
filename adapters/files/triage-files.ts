/**
 * Triage's files: the shipped labelled set (data/triage/labelled-*.jsonl), the operator's rules
 * (TRIAGE_RULES_FILE) and the trained model (TRIAGE_MODEL_FILE). With no trained model file, the
 * model is trained from the shipped set at startup (a few seconds), so a fresh checkout triages.
 */
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PROJECT_ROOT } from '../../src/config.ts';
import { AppError } from '../../src/domain/errors.ts';
import { TriageClassifier } from '../../src/domain/triage/classifier.ts';
import { parseLabelledSet, toTrainingExample, type LabelledEmail } from '../../src/domain/triage/dataset.ts';
import { DEFAULT_RULES } from '../../src/domain/triage/default-rules.ts';
import { loadModel, trainModel, type TrainingExample, type TriageModel } from '../../src/domain/triage/model.ts';
import { parseTriageRules, type CompiledRules } from '../../src/domain/triage/rules.ts';

export const LABELLED_DIR = path.join(PROJECT_ROOT, 'data', 'triage');

/** Every labelled email shipped with the project; bad lines are returned as problems, not guessed. */
export async function loadLabelledSet(dir = LABELLED_DIR): Promise<{ emails: LabelledEmail[]; problems: string[] }> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^labelled-.*\.jsonl$/.test(n)).sort();
  } catch {
    names = [];
  }
  const emails: LabelledEmail[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const parsed = parseLabelledSet(await readFile(path.join(dir, name), 'utf8'), name);
    for (const e of parsed.emails) {
      // Ids are unique across files; a repeated one would count twice.
      const key = `${e.lang ?? name}:${e.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      emails.push({ ...e, id: key });
    }
    problems.push(...parsed.problems);
  }
  return { emails, problems };
}

/** The operator's rules, or the built-in ones when no file is configured. */
export async function loadTriageRules(file: string | null): Promise<CompiledRules> {
  if (!file) return parseTriageRules(DEFAULT_RULES, 'the built-in triage rules');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const why = error instanceof SyntaxError ? `is not valid JSON (${error.message})` : 'cannot be read';
    throw new AppError(
      'triage.rules_invalid',
      `The triage rules file ${file} ${why}. Fix it or unset TRIAGE_RULES_FILE (see examples/triage-rules.json).`,
      { cause: error },
    );
  }
  try {
    return parseTriageRules(json, `The triage rules in ${file}`);
  } catch (error) {
    throw new AppError(
      'triage.rules_invalid',
      `${error instanceof Error ? error.message : String(error)}\nFix the file (examples/triage-rules.json shows every field) or unset TRIAGE_RULES_FILE.`,
      { cause: error },
    );
  }
}

export interface LoadedModel {
  readonly model: TriageModel;
  /** Where it came from, for the log and `status`. */
  readonly source: string;
}

/** The trained model file if there is one, else a model trained now on the shipped labelled set. */
export async function loadOrTrainModel(modelFile: string): Promise<LoadedModel> {
  if (existsSync(modelFile)) {
    try {
      return { model: loadModel(JSON.parse(await readFile(modelFile, 'utf8'))), source: modelFile };
    } catch (error) {
      throw new AppError(
        'triage.model_invalid',
        `The triage model ${modelFile} cannot be used: ${error instanceof Error ? error.message : String(error)}. Train it again with "npx ticketrelay triage train", or delete it to use the shipped set.`,
        { cause: error },
      );
    }
  }
  // Training takes seconds of CPU (the event loop and /healthz wait meanwhile): done once per labelled set
  // and training code, kept beside the model file, and loaded at every later start.
  const digest = await shippedDigest();
  const cacheFile = path.join(path.dirname(modelFile), `triage-shipped-${digest}.json`);
  if (existsSync(cacheFile)) {
    try {
      return {
        model: loadModel(JSON.parse(await readFile(cacheFile, 'utf8'))),
        source: `the shipped labelled set (trained earlier, ${path.basename(cacheFile)})`,
      };
    } catch {
      // A damaged cache is trained again below and replaced.
    }
  }
  const started = Date.now();
  const model = await trainShippedOffThread();
  const source = `the shipped labelled set (trained at startup in ${Date.now() - started} ms)`;
  try {
    await saveModel(model, cacheFile);
    const dir = path.dirname(cacheFile);
    for (const f of await readdir(dir))
      if (/^triage-shipped-[0-9a-f]+\.json$/.test(f) && f !== path.basename(cacheFile))
        await rm(path.join(dir, f), { force: true });
  } catch {
    // A read-only data folder: trained again at the next start, nothing lost.
  }
  return { model, source };
}

/** What the shipped model depends on: the labelled set and the code that trains it and reads text. */
async function shippedDigest(): Promise<string> {
  const hash = createHash('sha256');
  const triageCode = path.join(PROJECT_ROOT, 'src', 'domain', 'triage');
  for (const [dir, pattern] of [
    [LABELLED_DIR, /\.jsonl$/],
    [triageCode, /\.ts$/],
  ] as const) {
    const files = existsSync(dir) ? (await readdir(dir)).filter((f) => pattern.test(f)).sort() : [];
    for (const f of files) hash.update(f).update(await readFile(path.join(dir, f)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Compiled (dist/), the worker imports its JavaScript entry; from the TypeScript sources it registers
 * tsx's loader first (a thread does not inherit the main thread's loader hooks), as the parser threads do.
 */
const COMPILED = import.meta.url.endsWith('.js');
const TRAIN_BOOTSTRAP = COMPILED
  ? `import(require('node:worker_threads').workerData.entry);`
  : `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then(({ register }) => { register(); return import(workerData.entry); });
`;

/** Trains on the shipped set in a thread of its own; on the main thread if no thread can be had. */
async function trainShippedOffThread(): Promise<TriageModel> {
  let saved: unknown;
  try {
    saved = await new Promise((resolve, reject) => {
      const worker = new Worker(TRAIN_BOOTSTRAP, {
        eval: true,
        workerData: {
          entry: new URL(`./train-worker.${COMPILED ? 'js' : 'ts'}`, import.meta.url).href,
          tsx: COMPILED ? null : import.meta.resolve('tsx/esm/api'),
        },
      });
      worker.once('message', (message: { model?: unknown; error?: string }) => {
        void worker.terminate();
        if (message.error !== undefined) reject(new Error(message.error));
        else resolve(message.model);
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the training thread stopped (exit code ${code})`)));
    });
  } catch {
    // No thread (or it failed to load): the same training here, holding the event loop meanwhile.
    return trainShipped((await loadLabelledSet()).emails.map(toTrainingExample));
  }
  return loadModel(saved);
}

function trainShipped(examples: TrainingExample[]): TriageModel {
  if (examples.length === 0) {
    throw new AppError(
      'triage.no_training_data',
      `No labelled emails in ${LABELLED_DIR} and no trained model: restore data/triage/labelled-*.jsonl from the repository, or set TRIAGE_MODEL_FILE.`,
    );
  }
  return trainModel(examples);
}

/** Writes the model atomically (a reader never sees half a file). */
export async function saveModel(model: TriageModel, modelFile: string): Promise<void> {
  await mkdir(path.dirname(modelFile), { recursive: true });
  const temporary = `${modelFile}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(model.toJSON()));
  await rename(temporary, modelFile);
}

/** The classifier as the worker and the CLI build it from the config's triage slice. */
export async function buildClassifier(triage: {
  modelFile: string;
  rulesFile: string | null;
  vipCustomers: readonly string[];
}): Promise<{ classifier: TriageClassifier; source: string }> {
  const [loaded, rules] = await Promise.all([loadOrTrainModel(triage.modelFile), loadTriageRules(triage.rulesFile)]);
  return {
    classifier: new TriageClassifier(loaded.model, rules, { vipCustomers: triage.vipCustomers }),
    source: loaded.source,
  };
}
