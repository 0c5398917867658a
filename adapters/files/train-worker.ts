/**
 * A thread that trains the shipped triage model (seconds of CPU) so that the process's event loop
 * (IMAP IDLE, HTTP probes, chat) keeps answering meanwhile. Posts the model's JSON, or the error.
 */
import { parentPort } from 'node:worker_threads';
import { toTrainingExample } from '../../src/domain/triage/dataset.ts';
import { trainModel } from '../../src/domain/triage/model.ts';
import { loadLabelledSet } from './triage-files.ts';

try {
  const { emails } = await loadLabelledSet();
  parentPort?.postMessage({ model: trainModel(emails.map(toTrainingExample)).toJSON() });
} catch (error) {
  parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
