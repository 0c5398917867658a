/**
 * `npm run eval:triage`: trains on three quarters of the labelled set and reports, on the held-out
 * quarter (never trained on; split by a hash of each id, stratified by category, priority and
 * language), accuracy and macro-F1 for category and priority, both confusion matrices and the recall
 * of "urgent" — for the model alone and for the model with the built-in operator rules, which is what
 * the worker runs. The urgent threshold is chosen inside training, by cross-validation on the
 * training part only. Ends with one JSON line.
 */
import { loadLabelledSet, loadTriageRules } from '../adapters/files/triage-files.ts';
import { TriageClassifier } from '../src/domain/triage/classifier.ts';
import { splitHeldOut, toTrainingExample } from '../src/domain/triage/dataset.ts';
import { trainModel } from '../src/domain/triage/model.ts';
import { CATEGORIES, findOrderNumber, PRIORITIES } from '../src/domain/ticket.ts';

const { emails, problems } = await loadLabelledSet();
for (const p of problems) console.error(`skipped: ${p}`);
if (emails.length < 20) {
  console.error(`Only ${emails.length} labelled emails in data/triage/: too few to evaluate.`);
  process.exit(1);
}
const { train, test } = splitHeldOut(emails);
const trainIds = new Set(train.map((e) => e.id));
if (test.some((e) => trainIds.has(e.id))) throw new Error('the held-out part overlaps the training part');

const started = performance.now();
const model = trainModel(train.map(toTrainingExample));
const trainMs = performance.now() - started;
const classifier = new TriageClassifier(model, await loadTriageRules(process.env['TRIAGE_RULES_FILE'] ?? null), {
  vipCustomers: [],
});

type Pair = { truth: string; predicted: string };
const modelOnly = { category: [] as Pair[], priority: [] as Pair[] };
const withRules = { category: [] as Pair[], priority: [] as Pair[] };
const t0 = performance.now();
for (const e of test) {
  const m = model.predict(e.subject, e.body);
  modelOnly.category.push({ truth: e.category, predicted: m['category']!.label });
  modelOnly.priority.push({ truth: e.priority, predicted: m['priority']!.label });
  const d = classifier.classify({
    subject: e.subject,
    body: e.body,
    customerEmail: null,
    mailboxCategory: null,
    orderNumber: findOrderNumber(`${e.subject}\n${e.body}`),
  });
  withRules.category.push({ truth: e.category, predicted: d.category });
  withRules.priority.push({ truth: e.priority, predicted: d.priority });
}
const classifyMs = (performance.now() - t0) / test.length;

function scores(pairs: Pair[], labels: readonly string[]) {
  const accuracy = pairs.filter((p) => p.truth === p.predicted).length / pairs.length;
  const perLabel: Record<string, { precision: number; recall: number; f1: number; support: number }> = {};
  let f1sum = 0;
  let present = 0;
  for (const l of labels) {
    const tp = pairs.filter((p) => p.truth === l && p.predicted === l).length;
    const fp = pairs.filter((p) => p.truth !== l && p.predicted === l).length;
    const fn = pairs.filter((p) => p.truth === l && p.predicted !== l).length;
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = tp + fn ? tp / (tp + fn) : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perLabel[l] = { precision, recall, f1, support: tp + fn };
    if (tp + fn > 0) {
      f1sum += f1;
      present++;
    }
  }
  return { accuracy, macroF1: present ? f1sum / present : 0, perLabel };
}

function confusion(title: string, pairs: Pair[], labels: readonly string[]): void {
  const w = Math.max(...labels.map((l) => l.length), 9) + 1;
  console.log(`\n${title} (rows: truth, columns: predicted)`);
  console.log(`${''.padEnd(w)}${labels.map((l) => l.slice(0, 9).padStart(w)).join('')}`);
  for (const t of labels) {
    console.log(
      `${t.padEnd(w)}${labels.map((p) => String(pairs.filter((x) => x.truth === t && x.predicted === p).length).padStart(w)).join('')}`,
    );
  }
}

const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
const langs = [...new Set(emails.map((e) => e.lang ?? '?'))].sort();
console.log(
  `Labelled set: ${emails.length} emails (${langs.map((l) => `${emails.filter((e) => (e.lang ?? '?') === l).length} ${l}`).join(', ')}); trained on ${train.length}, evaluated on ${test.length} held out.`,
);
console.log(
  `Training: ${trainMs.toFixed(0)} ms (with the urgent threshold's cross-validation); classifying: ${classifyMs.toFixed(2)} ms per email (the model alone, then model + rules).`,
);
const calibration = model.toJSON().calibration;
if (calibration) {
  console.log(
    `Urgent threshold: +${calibration.offset} on urgent's score, chosen by ${calibration.folds}-fold cross-validation on the training part only (target recall ${calibration.target}; CV recall ${calibration.cvRecall}, precision ${calibration.cvPrecision}).`,
  );
}
const results = {
  modelOnly: { category: scores(modelOnly.category, CATEGORIES), priority: scores(modelOnly.priority, PRIORITIES) },
  withRules: { category: scores(withRules.category, CATEGORIES), priority: scores(withRules.priority, PRIORITIES) },
};
for (const [name, r] of Object.entries(results)) {
  console.log(`\n${name === 'modelOnly' ? 'Model alone' : 'Model + operator rules (what the worker runs)'}:`);
  console.log(`  category: accuracy ${pct(r.category.accuracy)}, macro-F1 ${r.category.macroF1.toFixed(3)}`);
  console.log(
    `  priority: accuracy ${pct(r.priority.accuracy)}, macro-F1 ${r.priority.macroF1.toFixed(3)}, urgent recall ${r.priority.perLabel['urgent']!.recall.toFixed(3)} (${r.priority.perLabel['urgent']!.support} urgent held out), urgent precision ${r.priority.perLabel['urgent']!.precision.toFixed(3)}`,
  );
}
// Each batch of the set on its own: the first batch's held-out part is the same from one addition to the next.
const batches = [...new Set(test.map((e) => e.batch))].sort((a, b) => a - b);
const byBatch = batches.map((batch) => {
  const pairs = withRules.category.filter((_, i) => test[i]!.batch === batch);
  return { batch, heldOut: pairs.length, categoryAccuracy: round(scores(pairs, CATEGORIES).accuracy) };
});
if (batches.length > 1)
  console.log(
    `\nCategory accuracy by batch of the set (model + rules): ${byBatch.map((b) => `batch ${b.batch}: ${pct(b.categoryAccuracy)} of ${b.heldOut}`).join(', ')}`,
  );
confusion('Category, model + rules', withRules.category, CATEGORIES);
confusion('Priority, model + rules', withRules.priority, PRIORITIES);
const final = results.withRules;
console.log(
  JSON.stringify({
    emails: emails.length,
    train: train.length,
    heldOut: test.length,
    categoryAccuracy: round(final.category.accuracy),
    categoryMacroF1: round(final.category.macroF1),
    priorityAccuracy: round(final.priority.accuracy),
    priorityMacroF1: round(final.priority.macroF1),
    urgentRecall: round(final.priority.perLabel['urgent']!.recall),
    urgentPrecision: round(final.priority.perLabel['urgent']!.precision),
    modelOnlyCategoryAccuracy: round(results.modelOnly.category.accuracy),
    modelOnlyUrgentRecall: round(results.modelOnly.priority.perLabel['urgent']!.recall),
    urgentOffset: calibration?.offset ?? 0,
    trainMs: Math.round(trainMs),
    classifyMsPerEmail: round(classifyMs),
    byBatch,
  }),
);

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
