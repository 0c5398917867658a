/**
 * The learned layer of triage: a multinomial logistic regression per question (category, priority)
 * over sparse word, word-pair and character n-gram features, trained here (no ML package, no network),
 * deterministic for the same examples, and saved as plain JSON.
 */
import { findOrderNumber } from '../ticket.ts';
import { DEFAULT_RULES } from './default-rules.ts';
import { compileRules, decidePriority, TriageRulesSchema, type CompiledRules } from './rules.ts';
import { softmax } from './scores.ts';
import {
  DEFAULT_FEATURES,
  extractFeatures,
  featureHash,
  FeatureHasher,
  prepareText,
  type FeatureOptions,
  type PreparedText,
} from './text.ts';

export const MODEL_FORMAT = 'ticketrelay-triage-model/2';

export interface TrainingExample {
  readonly id: string;
  readonly subject: string;
  readonly body: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface TrainOptions {
  readonly features?: FeatureOptions;
  readonly epochs?: number;
  readonly learningRate?: number;
  readonly l2?: number;
  /** A feature seen in fewer examples is not learned from. */
  readonly minDocs?: number;
  /** Per question, per label: how much an example of it weighs (default: balanced classes). */
  readonly classWeights?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /**
   * Move urgent's decision threshold so that, in 4-fold cross-validation on these examples only,
   * at least this share of urgent tickets comes out urgent with the rules applied (default 0.95;
   * null: no calibration). Costs four more trainings.
   */
  readonly urgentRecall?: number | null;
  /** The operator's rules the calibration applies, as the worker will (default: the built-in rules). */
  readonly rules?: CompiledRules;
  /**
   * How much each kind of feature weighs in the ticket's vector, by key prefix (w: word, b: word pair,
   * c: character gram, s: subject word; default 1). Baked into the stored idf: costs nothing to predict.
   */
  readonly groupWeights?: Readonly<Partial<Record<'w' | 'b' | 'c' | 's', number>>>;
  /** Per question: naive-Bayes parts of the linear model (default: none). */
  readonly nb?: Readonly<Record<string, NaiveBayesOptions>>;
}

/**
 * Naive Bayes on the same TF-IDF vectors, folded into the logistic regression's weights (one linear
 * model, one table: predicting costs the same).
 * - `scale`: NB-LR (Wang & Manning's NBSVM, multinomial): class k's logistic regression reads each
 *   feature multiplied by |its log-count ratio for k against the other classes| ^ scale.
 * - `weight`: add this times the multinomial NB log-likelihood (centred over classes) to the scores.
 */
export interface NaiveBayesOptions {
  readonly scale?: number;
  readonly weight?: number;
  /** Additive smoothing of the NB counts (default 0.5). */
  readonly alpha?: number;
}

/** How urgent's threshold was chosen: the offset added to its score, and what cross-validation measured. */
export interface Calibration {
  readonly question: 'priority';
  readonly label: 'urgent';
  readonly offset: number;
  readonly target: number;
  readonly folds: number;
  readonly cvRecall: number;
  readonly cvPrecision: number;
}

/** The JSON a model is saved as. */
export interface SavedModel {
  readonly format: typeof MODEL_FORMAT;
  readonly version: string;
  readonly trainedAt: string;
  readonly examples: number;
  readonly features: FeatureOptions;
  readonly vocabulary: readonly string[];
  /** Inverse document frequency of each vocabulary feature in the training examples. */
  readonly idf: readonly number[];
  readonly heads: Readonly<Record<string, SavedHead>>;
  readonly calibration?: Calibration;
}

export interface SavedHead {
  readonly labels: readonly string[];
  readonly bias: readonly number[];
  /** weights[k][f]: label k, feature f. */
  readonly weights: readonly (readonly number[])[];
  /** Added to a label's score when predicting (a decision threshold moved after training). */
  readonly offsets?: Readonly<Record<string, number>>;
}

export interface HeadPrediction {
  readonly label: string;
  readonly confidence: number;
  readonly probabilities: Readonly<Record<string, number>>;
  /** Log-odds of each label before the softmax: where rules add their weight. */
  readonly scores: Readonly<Record<string, number>>;
  /** The features that pushed hardest toward the label, human-readable, strongest first. */
  readonly topTerms: readonly string[];
}

/** A sparse, normalised vector: feature indexes and values. */
interface Vector {
  readonly indexes: Int32Array;
  readonly values: Float64Array;
}

interface Head {
  readonly labels: readonly string[];
  readonly bias: Float64Array;
  /** Where this head's weights start in a feature's row of the model table. */
  readonly column: number;
  /** Added to each label's score after training (e.g. urgent's threshold chosen by cross-validation). */
  readonly offsets: Float64Array;
}

export class TriageModel {
  readonly version: string;
  readonly #saved: SavedModel;
  readonly #lookup: FeatureLookup;
  readonly #hasher: FeatureHasher;
  readonly #heads: Map<string, Head>;
  /**
   * One row per feature: its idf, then every head's weights (label by label). A feature's numbers sit
   * side by side, so a ticket's ~300 features cost ~300 memory reads, not one per table per feature.
   */
  readonly #table: Float32Array;
  readonly #stride: number;
  /** Per feature: 1 for a character gram (evidence, not a reason a person reads). */
  readonly #isGram: Uint8Array;
  /** Scratch space of one prediction: the feature index of each occurrence. */
  #found: Int32Array = new Int32Array(4096);

  constructor(saved: SavedModel) {
    this.#saved = saved;
    this.version = saved.version;
    this.#lookup = new FeatureLookup(saved.vocabulary);
    this.#hasher = new FeatureHasher(saved.features);
    this.#isGram = Uint8Array.from(saved.vocabulary, (f) => (f.startsWith('c:') ? 1 : 0));
    const heads = Object.entries(saved.heads);
    this.#stride = 1 + heads.reduce((n, [, h]) => n + h.labels.length, 0);
    this.#table = new Float32Array(saved.vocabulary.length * this.#stride);
    saved.idf.forEach((v, f) => (this.#table[f * this.#stride] = v));
    let column = 1;
    this.#heads = new Map(
      heads.map(([name, h]) => {
        const start = column;
        h.weights.forEach((wk, k) => wk.forEach((v, f) => (this.#table[f * this.#stride + start + k] = v)));
        column += h.labels.length;
        const offsets = Float64Array.from(h.labels, (l) => h.offsets?.[l] ?? 0);
        return [name, { labels: h.labels, bias: Float64Array.from(h.bias), column: start, offsets }];
      }),
    );
  }

  get questions(): string[] {
    return [...this.#heads.keys()];
  }

  toJSON(): SavedModel {
    return this.#saved;
  }

  /** The same model with score offsets per question and label (thresholds chosen after training). */
  withOffsets(offsets: Readonly<Record<string, Readonly<Record<string, number>>>>): TriageModel {
    const heads = Object.fromEntries(
      Object.entries(this.#saved.heads).map(([name, h]) => [
        name,
        { ...h, offsets: { ...h.offsets, ...offsets[name] } },
      ]),
    );
    return new TriageModel({ ...this.#saved, heads });
  }

  /** Every question answered for one ticket. */
  predict(subject: string, body: string): Record<string, HeadPrediction> {
    return this.predictPrepared(prepareText(subject, body));
  }

  /**
   * The same, on text already prepared (the classifier prepares it once for every part of triage).
   * `termsFor`: the heads whose weightiest words are wanted (default all); the others get none.
   */
  predictPrepared(prepared: PreparedText, termsFor?: readonly string[]): Record<string, HeadPrediction> {
    const x = this.#vectorize(prepared);
    const table = this.#table;
    const stride = this.#stride;
    const out: Record<string, HeadPrediction> = {};
    for (const [name, head] of this.#heads) {
      const K = head.labels.length;
      const scores = Array.from(head.bias, (b, k) => b + head.offsets[k]!);
      for (let i = 0; i < x.indexes.length; i++) {
        const base = x.indexes[i]! * stride + head.column;
        const v = x.values[i]!;
        for (let k = 0; k < K; k++) scores[k]! += table[base + k]! * v;
      }
      const probabilities = softmax(scores);
      let best = 0;
      for (let k = 1; k < probabilities.length; k++) if (probabilities[k]! > probabilities[best]!) best = k;
      const probs: Record<string, number> = {};
      const named: Record<string, number> = {};
      for (let k = 0; k < K; k++) {
        probs[head.labels[k]!] = probabilities[k]!;
        named[head.labels[k]!] = scores[k]!;
      }
      out[name] = {
        label: head.labels[best]!,
        confidence: probabilities[best]!,
        probabilities: probs,
        scores: named,
        topTerms: !termsFor || termsFor.includes(name) ? this.#topTerms(head, best, x) : [],
      };
    }
    return out;
  }

  /** TF-IDF of the ticket's known features (sublinear term frequency), L2-normalised. */
  #vectorize(prepared: PreparedText): Vector {
    const { hashes, count } = this.#hasher.hash(prepared);
    if (this.#found.length < count) this.#found = new Int32Array(count * 2);
    let n = 0;
    for (let i = 0; i < count; i++) {
      const f = this.#lookup.get(hashes[i]!);
      if (f >= 0) this.#found[n++] = f;
    }
    // Sorted, repeats of a feature are neighbours: counted without a table as large as the vocabulary.
    const found = this.#found.subarray(0, n).sort();
    let distinct = 0;
    for (let i = 0; i < n; i++) if (i === 0 || found[i] !== found[i - 1]) distinct++;
    const indexes = new Int32Array(distinct);
    const values = new Float64Array(distinct);
    let norm = 0;
    for (let i = 0, d = 0; i < n; d++) {
      const f = found[i]!;
      let tf = 0;
      while (i < n && found[i] === f) {
        tf++;
        i++;
      }
      const v = (1 + Math.log(tf)) * this.#table[f * this.#stride]!;
      indexes[d] = f;
      values[d] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < distinct; i++) values[i]! /= norm;
    return { indexes, values };
  }

  #topTerms(head: Head, label: number, x: Vector): string[] {
    const K = head.labels.length;
    // The strongest pushes kept in order as they come (no array of every feature, no string until the end).
    const best: { f: number; push: number }[] = [];
    for (let i = 0; i < x.indexes.length; i++) {
      const f = x.indexes[i]!;
      if (this.#isGram[f]) continue;
      const base = f * this.#stride + head.column;
      let others = 0;
      for (let k = 0; k < K; k++) if (k !== label) others += this.#table[base + k]!;
      const push = (this.#table[base + label]! - others / Math.max(1, K - 1)) * x.values[i]!;
      if (push <= 0 || (best.length === TOP_CANDIDATES && push <= best[TOP_CANDIDATES - 1]!.push)) continue;
      let at = best.length;
      while (at > 0 && best[at - 1]!.push < push) at--;
      best.splice(at, 0, { f, push });
      if (best.length > TOP_CANDIDATES) best.pop();
    }
    const terms: string[] = [];
    for (const { f } of best) {
      const term = this.#saved.vocabulary[f]!.slice(2);
      if (!terms.includes(term)) terms.push(term); // a subject word and the same body word are one reason
      if (terms.length === 5) break;
    }
    return terms;
  }
}

/** Candidates kept for the five reasons shown (a word can come twice: from the subject and the body). */
const TOP_CANDIDATES = 10;

/** Feature hash → vocabulary index: open addressing over typed arrays, no string per lookup. */
class FeatureLookup {
  // Slot i: the hash at 2i, the index at 2i + 1 (−1: empty), side by side in memory (one cache miss a lookup).
  readonly #slots: Int32Array;
  readonly #mask: number;

  constructor(vocabulary: readonly string[]) {
    let size = 1024;
    while (size < vocabulary.length * 2) size *= 2;
    this.#slots = new Int32Array(size * 2);
    for (let i = 1; i < this.#slots.length; i += 2) this.#slots[i] = -1;
    this.#mask = size - 1;
    vocabulary.forEach((feature, index) => {
      const hash = featureHash(feature) | 0;
      let slot = mix(hash) & this.#mask;
      while (this.#slots[slot * 2 + 1] !== -1) {
        if (this.#slots[slot * 2] === hash) return; // two features, one hash: the first one keeps it (training avoids this)
        slot = (slot + 1) & this.#mask;
      }
      this.#slots[slot * 2] = hash;
      this.#slots[slot * 2 + 1] = index;
    });
  }

  get(hash: number): number {
    const h = hash | 0;
    let slot = mix(h) & this.#mask;
    for (;;) {
      const v = this.#slots[slot * 2 + 1]!;
      if (v === -1 || this.#slots[slot * 2] === h) return v;
      slot = (slot + 1) & this.#mask;
    }
  }
}

/** Murmur3's finaliser: FNV's low bits alone spread poorly over a power-of-two table. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Trains one head per label name found in the examples (e.g. category and priority). Deterministic:
 * the same examples in the same order give the same model and the same version string.
 */
export function trainModel(examples: readonly TrainingExample[], options: TrainOptions = {}): TriageModel {
  const featureOptions = options.features ?? DEFAULT_FEATURES;
  const epochs = options.epochs ?? 25;
  const rate = options.learningRate ?? 0.1;
  const l2 = options.l2 ?? 1e-4; // 4-fold CV on the training part: 79.0 % category (model alone) against 78.4 % at 1e-5
  const minDocs = options.minDocs ?? 2;
  if (examples.length === 0) throw new Error('no labelled examples to train on');

  const extracted = examples.map((e) => extractFeatures(e.subject, e.body, featureOptions));
  const docs = new Map<string, number>();
  for (const f of extracted) for (const key of f.keys()) docs.set(key, (docs.get(key) ?? 0) + 1);
  // Predictions find features by hash: of two features with one hash (rare), only the first is kept.
  const hashes = new Set<number>();
  const vocabulary = [...docs.entries()]
    .filter(([, n]) => n >= minDocs)
    .map(([k]) => k)
    .sort()
    .filter((k) => !hashes.has(featureHash(k)) && Boolean(hashes.add(featureHash(k))));
  const index = new Map(vocabulary.map((f, i) => [f, i]));
  const group = options.groupWeights ?? DEFAULT_GROUP_WEIGHTS;
  const idf = vocabulary.map(
    (f) =>
      Math.round((Math.log((1 + examples.length) / (1 + docs.get(f)!)) + 1) * (group[f[0] as 'w'] ?? 1) * 1e5) / 1e5,
  );
  const vectors = extracted.map((f) => vectorize(f, index, idf));

  const questions = [...new Set(examples.flatMap((e) => Object.keys(e.labels)))].sort();
  const heads: Record<string, SavedModel['heads'][string]> = {};
  for (const question of questions) {
    const rows = examples
      .map((e, i) => ({ label: e.labels[question], x: vectors[i]! }))
      .filter((r): r is { label: string; x: Vector } => r.label !== undefined);
    const labels = [...new Set(rows.map((r) => r.label))].sort();
    const counts = labels.map((l) => rows.filter((r) => r.label === l).length);
    const given = options.classWeights?.[question];
    const classWeight = labels.map((l, k) => given?.[l] ?? rows.length / (labels.length * counts[k]!));
    const ys = rows.map((r) => ({ y: labels.indexOf(r.label), x: r.x }));
    const nb = (options.nb ?? DEFAULT_NB)[question];
    const stats =
      nb && (nb.scale || nb.weight) ? naiveBayes(ys, labels.length, vocabulary.length, nb.alpha ?? 0.5) : null;
    const scales = stats && nb?.scale ? stats.ratio.map((rk) => rk.map((r) => Math.abs(r) ** nb.scale!)) : null;
    const head = trainHead(ys, labels, vocabulary.length, classWeight, { epochs, rate, l2 }, scales);
    if (stats && nb?.weight) {
      const b = nb.weight;
      head.weights = head.weights.map((wk, k) => wk.map((v, f) => round5(v + b * stats.logLikelihood[k]![f]!)));
    }
    heads[question] = head;
  }
  const target = options.urgentRecall === undefined ? DEFAULT_URGENT_RECALL : options.urgentRecall;
  const calibration = target === null ? null : calibrateUrgent(examples, options, target);
  if (calibration && heads['priority'])
    heads['priority'] = { ...heads['priority'], offsets: { urgent: calibration.offset } };
  const version = `lr-${fingerprint(examples, featureOptions, epochs, rate, l2, minDocs, calibration?.offset ?? null, group, options.nb ?? DEFAULT_NB)}`;
  return new TriageModel({
    format: MODEL_FORMAT,
    version,
    trainedAt: new Date().toISOString(),
    examples: examples.length,
    features: featureOptions,
    vocabulary,
    idf,
    heads,
    ...(calibration ? { calibration } : {}),
  });
}

/**
 * Chosen by 5-fold cross-validation on the training part only (npm run cv:triage, 3 deals of the folds,
 * model + rules, 538 training emails): character grams at 0.3 and subject words at 1.5 (82.7 % → 84.1 %),
 * then NB-LR on the category head with scale 0.5 (→ 85.1 %; 0.3 and 0.75 within 0.2 point; NB added to
 * the scores instead did not help). Re-checked after more emails were labelled (633 training emails,
 * 85.4 %): other scales, group weights, L2 and gram lengths all within ±0.3 point. Re-checked with the
 * second batch (963 training emails, 88.5 %): L2 3e-5 and 3e-4, NB scale 0.75 all within ±0.1 point.
 */
const DEFAULT_GROUP_WEIGHTS: Readonly<Partial<Record<'w' | 'b' | 'c' | 's', number>>> = { c: 0.3, s: 1.5 };
const DEFAULT_NB: Readonly<Record<string, NaiveBayesOptions>> = { category: { scale: 0.5 } };

const DEFAULT_URGENT_RECALL = 0.95;
const CALIBRATION_FOLDS = 4;
const OFFSETS = Array.from({ length: 17 }, (_, i) => i * 0.25); // 0 … 4 in steps of 0.25

/**
 * The smallest offset on urgent's score whose cross-validated recall (model + rules, on these
 * examples only) reaches the target; null when there are too few urgent examples to tell.
 */
function calibrateUrgent(
  examples: readonly TrainingExample[],
  options: TrainOptions,
  target: number,
): Calibration | null {
  const urgent = examples.filter((e) => e.labels['priority'] === 'urgent').length;
  if (urgent < 2 * CALIBRATION_FOLDS || examples.length < 10 * CALIBRATION_FOLDS) return null;
  const rules = options.rules ?? compileRules(TriageRulesSchema.parse(DEFAULT_RULES));
  const fold = stratifiedFolds(examples, CALIBRATION_FOLDS);
  const hits = OFFSETS.map(() => 0);
  const flagged = OFFSETS.map(() => 0);
  for (let f = 0; f < CALIBRATION_FOLDS; f++) {
    const model = trainModel(
      examples.filter((_, i) => fold[i] !== f),
      { ...options, urgentRecall: null },
    );
    examples.forEach((e, i) => {
      if (fold[i] !== f) return;
      const prepared = prepareText(e.subject, e.body);
      const scores = model.predictPrepared(prepared)['priority']?.scores;
      if (!scores || scores['urgent'] === undefined) return;
      const folded = `${prepared.foldedSubject}\n${prepared.foldedOwn}`;
      const orderNumber = findOrderNumber(`${e.subject}\n${e.body}`);
      OFFSETS.forEach((offset, g) => {
        const { priority } = decidePriority({ ...scores, urgent: scores['urgent']! + offset }, rules, folded, {
          vip: false,
          orderNumber,
        });
        if (priority === 'urgent') {
          flagged[g]!++;
          if (e.labels['priority'] === 'urgent') hits[g]!++;
        }
      });
    });
  }
  let g = OFFSETS.findIndex((_, k) => hits[k]! / urgent >= target);
  if (g < 0) g = OFFSETS.length - 1;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    question: 'priority',
    label: 'urgent',
    offset: OFFSETS[g]!,
    target,
    folds: CALIBRATION_FOLDS,
    cvRecall: round(hits[g]! / urgent),
    cvPrecision: round(flagged[g] ? hits[g]! / flagged[g]! : 0),
  };
}

/** Fold of each example: within each (category, priority) group, ordered by a hash of the id, dealt in turn. */
function stratifiedFolds(examples: readonly TrainingExample[], k: number): number[] {
  const groups = new Map<string, number[]>();
  examples.forEach((e, i) => {
    const key = `${e.labels['category'] ?? ''}|${e.labels['priority'] ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const fold = examples.map(() => 0);
  for (const indexes of groups.values()) {
    indexes.sort((a, b) => featureHash(`fold:${examples[a]!.id}`) - featureHash(`fold:${examples[b]!.id}`) || a - b);
    indexes.forEach((index, n) => (fold[index] = n % k));
  }
  return fold;
}

function trainHead(
  rows: readonly { y: number; x: Vector }[],
  labels: readonly string[],
  size: number,
  classWeight: readonly number[],
  p: { epochs: number; rate: number; l2: number },
  scales: readonly Float64Array[] | null = null,
): { labels: readonly string[]; bias: number[]; weights: number[][] } {
  const K = labels.length;
  const w = labels.map(() => new Float64Array(size));
  // Adagrad: rare, telling words learn as fast as common ones.
  const g2 = labels.map(() => new Float64Array(size).fill(1e-8));
  const bias = new Float64Array(K);
  const order = rows.map((_, i) => i);
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const r of order) {
      const { x, y } = rows[r]!;
      const probs = softmax(w.map((wk, k) => (scales ? scaledDot(wk, scales[k]!, x) : dot(wk, x)) + bias[k]!));
      const cw = classWeight[y]!;
      for (let k = 0; k < K; k++) {
        const err = (probs[k]! - (k === y ? 1 : 0)) * cw;
        if (err === 0) continue;
        const wk = w[k]!;
        const gk = g2[k]!;
        const sk = scales?.[k];
        for (let i = 0; i < x.indexes.length; i++) {
          const f = x.indexes[i]!;
          const g = err * x.values[i]! * (sk ? sk[f]! : 1) + p.l2 * wk[f]!;
          gk[f]! += g * g;
          wk[f]! -= (p.rate * g) / Math.sqrt(gk[f]!);
        }
        bias[k]! -= 0.05 * err;
      }
    }
  }
  // NB-LR: the scaled features' weights, folded back onto the plain features.
  return {
    labels,
    bias: [...bias].map(round5),
    weights: w.map((wk, k) => [...wk].map((v, f) => round5(scales ? v * scales[k]![f]! : v))),
  };
}

const round5 = (v: number) => Math.round(v * 1e5) / 1e5;

/**
 * Multinomial naive Bayes over TF-IDF vectors: per class, the log-likelihood of each feature (centred
 * over classes, so a feature common to all weighs nothing) and its log-count ratio against the others.
 */
function naiveBayes(
  rows: readonly { y: number; x: Vector }[],
  K: number,
  size: number,
  alpha: number,
): { logLikelihood: Float64Array[]; ratio: Float64Array[] } {
  const sums = Array.from({ length: K }, () => new Float64Array(size));
  for (const { x, y } of rows) for (let i = 0; i < x.indexes.length; i++) sums[y]![x.indexes[i]!]! += x.values[i]!;
  const all = new Float64Array(size);
  for (const s of sums) for (let f = 0; f < size; f++) all[f]! += s[f]!;
  const total = (a: Float64Array) => a.reduce((t, v) => t + v, 0) + alpha * size;
  const allTotal = total(all);
  const logLikelihood = sums.map((s) => {
    const t = total(s);
    return Float64Array.from(s, (v) => Math.log((v + alpha) / t));
  });
  const ratio = sums.map((s, k) => {
    const t = total(s);
    const rest = allTotal - t + alpha * size;
    return Float64Array.from(s, (v, f) => logLikelihood[k]![f]! - Math.log((all[f]! - v + alpha) / rest));
  });
  for (let f = 0; f < size; f++) {
    let mean = 0;
    for (let k = 0; k < K; k++) mean += logLikelihood[k]![f]!;
    mean /= K;
    for (let k = 0; k < K; k++) logLikelihood[k]![f]! -= mean;
  }
  return { logLikelihood, ratio };
}

function scaledDot(w: Float64Array, scale: Float64Array, x: Vector): number {
  let s = 0;
  for (let i = 0; i < x.indexes.length; i++) s += w[x.indexes[i]!]! * scale[x.indexes[i]!]! * x.values[i]!;
  return s;
}

/** The training side of TriageModel's vectorisation: the same TF-IDF, from readable feature keys. */
function vectorize(features: Map<string, number>, index: Map<string, number>, idf: readonly number[]): Vector {
  const pairs: [number, number][] = [];
  for (const [key, count] of features) {
    const i = index.get(key);
    if (i !== undefined) pairs.push([i, (1 + Math.log(count)) * idf[i]!]);
  }
  let norm = 0;
  for (const [, v] of pairs) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  return { indexes: Int32Array.from(pairs, (p) => p[0]), values: Float64Array.from(pairs, (p) => p[1] / norm) };
}

function dot(w: Float64Array, x: Vector): number {
  let s = 0;
  for (let i = 0; i < x.indexes.length; i++) s += w[x.indexes[i]!]! * x.values[i]!;
  return s;
}

export { softmax } from './scores.ts';

/** A short, stable digest of what the model was trained on and how (FNV-1a, no crypto needed in the core). */
function fingerprint(examples: readonly TrainingExample[], ...settings: unknown[]): string {
  let h = 0x811c9dc5;
  const feed = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  };
  feed(JSON.stringify(settings));
  for (const e of examples) feed(`${e.id}\u0000${e.subject}\u0000${e.body}\u0000${JSON.stringify(e.labels)}`);
  return h.toString(16).padStart(8, '0');
}

/** Reads a saved model's JSON; throws a plain Error naming what is wrong. */
export function loadModel(json: unknown): TriageModel {
  const m = json as Partial<SavedModel> | null;
  if (!m || typeof m !== 'object' || m.format !== MODEL_FORMAT)
    throw new Error(`not a triage model (expected format "${MODEL_FORMAT}")`);
  if (
    !Array.isArray(m.vocabulary) ||
    !Array.isArray(m.idf) ||
    m.idf.length !== m.vocabulary.length ||
    !m.heads ||
    typeof m.version !== 'string'
  ) {
    throw new Error('the model file is incomplete');
  }
  for (const [name, h] of Object.entries(m.heads)) {
    if (
      !Array.isArray(h.labels) ||
      h.weights.length !== h.labels.length ||
      h.weights.some((w) => w.length !== m.vocabulary!.length)
    ) {
      throw new Error(`the model's "${name}" weights do not match its vocabulary`);
    }
  }
  return new TriageModel(m as SavedModel);
}
