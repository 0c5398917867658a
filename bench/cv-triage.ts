/**
 * `npm run cv:triage [-- FOLDS] [-- '{"l2":1e-4}']`: k-fold cross-validation on the TRAINING part of the
 * labelled set only (the held-out quarter of eval:triage is never read here, not even counted). This is
 * where modelling choices are made: features, regularisation, rule keywords. Prints category accuracy
 * and macro-F1 (model alone and model + the built-in rules, as the worker runs), the category confusion
 * matrix, urgent recall with the rules, and the emails most often wrong (ids only, to read in the
 * training part). Ends with one JSON line. A JSON argument is passed to trainModel as TrainOptions.
 */
import { loadLabelledSet, loadTriageRules } from '../adapters/files/triage-files.ts';
import { TriageClassifier } from '../src/domain/triage/classifier.ts';
import { splitHeldOut, toTrainingExample, type LabelledEmail } from '../src/domain/triage/dataset.ts';
import { featureHash } from '../src/domain/triage/text.ts';
import { trainModel, type TrainOptions } from '../src/domain/triage/model.ts';
import { CATEGORIES, findOrderNumber } from '../src/domain/ticket.ts';

const args = process.argv.slice(2);
const folds = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--repeats') ?? 5);
const options: TrainOptions = JSON.parse(args.find((a) => a.startsWith('{')) ?? '{}');
const calibrate = !args.includes('--no-calibration');
const showErrors = args.includes('--errors');
// --repeats N: N different fold deals (salted hashes), results pooled: less noise when comparing choices.
const repeats = args.includes('--repeats') ? Number(args[args.indexOf('--repeats') + 1]) || 1 : 1;

const { emails } = await loadLabelledSet();
const { train } = splitHeldOut(emails); // the held-out part is dropped here, unseen
const rules = await loadTriageRules(process.env['TRIAGE_RULES_FILE'] ?? null);

// Stratified by category, priority and language; order within a group by a hash of the id.
function deal(salt: number): Map<string, number> {
  const fold = new Map<string, number>();
  const groups = new Map<string, LabelledEmail[]>();
  for (const e of train) {
    const key = `${e.category}|${e.priority}|${e.lang ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  let dealt = 0;
  for (const key of [...groups.keys()].sort()) {
    const prefix = salt === 0 ? 'cv:' : `cv${salt}:`;
    const list = groups
      .get(key)!
      .sort((a, b) => featureHash(`${prefix}${a.id}`) - featureHash(`${prefix}${b.id}`) || a.id.localeCompare(b.id));
    for (const e of list) fold.set(e.id, dealt++ % folds);
  }
  return fold;
}

type Pair = {
  id: string;
  batch: number;
  truth: string;
  predicted: string;
  model: string;
  urgentTruth: boolean;
  urgentPredicted: boolean;
  priorityTruth: string;
  priorityPredicted: string;
};
const pairs: Pair[] = [];
const started = performance.now();
let classifyMs = 0;
for (let r = 0; r < repeats; r++) {
  const fold = deal(r);
  for (let f = 0; f < folds; f++) {
    const fit = train.filter((e) => fold.get(e.id) !== f);
    const check = train.filter((e) => fold.get(e.id) === f);
    const model = trainModel(fit.map(toTrainingExample), { ...options, ...(calibrate ? {} : { urgentRecall: null }) });
    const classifier = new TriageClassifier(model, rules, { vipCustomers: [] });
    const t0 = performance.now();
    for (const e of check) {
      const d = classifier.classify({
        subject: e.subject,
        body: e.body,
        customerEmail: null,
        mailboxCategory: null,
        orderNumber: findOrderNumber(`${e.subject}\n${e.body}`),
      });
      pairs.push({
        id: e.id,
        batch: e.batch,
        truth: e.category,
        predicted: d.category,
        model: d.reasons.model.category,
        urgentTruth: e.priority === 'urgent',
        urgentPredicted: d.priority === 'urgent',
        priorityTruth: e.priority,
        priorityPredicted: d.priority,
      });
    }
    classifyMs += performance.now() - t0;
  }
}

function macroF1(get: (p: Pair) => string): number {
  let sum = 0;
  for (const l of CATEGORIES) {
    const tp = pairs.filter((p) => p.truth === l && get(p) === l).length;
    const fp = pairs.filter((p) => p.truth !== l && get(p) === l).length;
    const fn = pairs.filter((p) => p.truth === l && get(p) !== l).length;
    sum += tp ? (2 * tp) / (2 * tp + fp + fn) : 0;
  }
  return sum / CATEGORIES.length;
}
const acc = (get: (p: Pair) => string) => pairs.filter((p) => p.truth === get(p)).length / pairs.length;
const urgent = pairs.filter((p) => p.urgentTruth);
const flagged = pairs.filter((p) => p.urgentPredicted);
const round = (n: number) => Math.round(n * 1000) / 1000;

console.log(
  `Training part: ${train.length} emails, ${folds}-fold CV (held-out part not read). Options: ${JSON.stringify(options)}${calibrate ? '' : ', no urgent calibration'}`,
);
console.log('\nCategory, model + rules (rows: truth, columns: predicted)');
console.log(`${''.padEnd(11)}${CATEGORIES.map((l) => l.slice(0, 9).padStart(11)).join('')}`);
for (const t of CATEGORIES)
  console.log(
    `${t.padEnd(11)}${CATEGORIES.map((p) => String(pairs.filter((x) => x.truth === t && x.predicted === p).length).padStart(11)).join('')}`,
  );
const batches = [...new Set(pairs.map((p) => p.batch))].sort((a, b) => a - b);
const byBatch = batches.map((batch) => {
  const mine = pairs.filter((p) => p.batch === batch);
  return {
    batch,
    emails: mine.length / repeats,
    categoryAccuracy: round(mine.filter((p) => p.truth === p.predicted).length / mine.length),
  };
});
if (batches.length > 1)
  console.log(
    `\nCategory accuracy by batch of the set (model + rules): ${byBatch.map((b) => `batch ${b.batch}: ${(b.categoryAccuracy * 100).toFixed(1)} % of ${b.emails}`).join(', ')}`,
  );
if (showErrors) {
  console.log('\nWrong (id truth → predicted):');
  for (const p of pairs.filter((x) => x.truth !== x.predicted)) console.log(`  ${p.id} ${p.truth} → ${p.predicted}`);
}
console.log(
  JSON.stringify({
    train: train.length,
    folds,
    repeats,
    cvCategoryAccuracy: round(acc((p) => p.predicted)),
    cvCategoryMacroF1: round(macroF1((p) => p.predicted)),
    cvModelOnlyCategoryAccuracy: round(acc((p) => p.model)),
    cvPriorityAccuracy: round(pairs.filter((p) => p.priorityTruth === p.priorityPredicted).length / pairs.length),
    cvUrgentRecall: round(urgent.filter((p) => p.urgentPredicted).length / urgent.length),
    cvUrgentPrecision: round(flagged.length ? flagged.filter((p) => p.urgentTruth).length / flagged.length : 0),
    classifyMsPerEmail: round(classifyMs / pairs.length),
    totalMs: Math.round(performance.now() - started),
    byBatch,
  }),
);
