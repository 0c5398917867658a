/**
 * The learned layer of triage: a multinomial logistic regression per question (category, priority)
 * over sparse word, word-pair and character n-gram features, trained here (no ML package, no network),
 * deterministic for the same examples, and saved as plain JSON.
 */
import { DEFAULT_FEATURES, extractFeatures, type FeatureOptions } from './text.ts';

export const MODEL_FORMAT = 'ticketrelay-triage-model/1';

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
}

/** The JSON a model is saved as. */
export interface SavedModel {
  readonly format: typeof MODEL_FORMAT;
  readonly version: string;
  readonly trainedAt: string;
  readonly examples: number;
  readonly features: FeatureOptions;
  readonly vocabulary: readonly string[];
  readonly heads: Readonly<Record<string, { readonly labels: readonly string[]; readonly bias: readonly number[]; readonly weights: readonly (readonly number[])[] }>>;
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

export class TriageModel {
  readonly version: string;
  readonly #saved: SavedModel;
  readonly #index: Map<string, number>;
  readonly #heads: Map<string, { labels: readonly string[]; bias: Float64Array; weights: Float64Array[] }>;

  constructor(saved: SavedModel) {
    this.#saved = saved;
    this.version = saved.version;
    this.#index = new Map(saved.vocabulary.map((f, i) => [f, i]));
    this.#heads = new Map(
      Object.entries(saved.heads).map(([name, h]) => [name, { labels: h.labels, bias: Float64Array.from(h.bias), weights: h.weights.map((w) => Float64Array.from(w)) }]),
    );
  }

  get questions(): string[] {
    return [...this.#heads.keys()];
  }

  toJSON(): SavedModel {
    return this.#saved;
  }

  /** Every question answered for one ticket. */
  predict(subject: string, body: string): Record<string, HeadPrediction> {
    const x = vectorize(extractFeatures(subject, body, this.#saved.features), this.#index);
    const out: Record<string, HeadPrediction> = {};
    for (const [name, head] of this.#heads) {
      const scores = head.labels.map((_, k) => dot(head.weights[k]!, x) + head.bias[k]!);
      const probabilities = softmax(scores);
      let best = 0;
      for (let k = 1; k < probabilities.length; k++) if (probabilities[k]! > probabilities[best]!) best = k;
      out[name] = {
        label: head.labels[best]!,
        confidence: probabilities[best]!,
        probabilities: Object.fromEntries(head.labels.map((l, k) => [l, probabilities[k]!])),
        scores: Object.fromEntries(head.labels.map((l, k) => [l, scores[k]!])),
        topTerms: this.#topTerms(head.weights, best, x),
      };
    }
    return out;
  }

  #topTerms(weights: readonly Float64Array[], label: number, x: Vector): string[] {
    const mine = weights[label]!;
    const pushes: { term: string; push: number }[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < x.indexes.length; i++) {
      const f = x.indexes[i]!;
      const feature = this.#saved.vocabulary[f]!;
      if (feature.startsWith('c:')) continue; // character grams are evidence, not a reason a person reads
      let others = 0;
      for (let k = 0; k < weights.length; k++) if (k !== label) others += weights[k]![f]!;
      const push = (mine[f]! - others / Math.max(1, weights.length - 1)) * x.values[i]!;
      const term = feature.slice(2);
      if (push > 0 && !seen.has(term)) {
        seen.add(term);
        pushes.push({ term, push });
      }
    }
    return pushes.sort((a, b) => b.push - a.push).slice(0, 5).map((p) => p.term);
  }
}

/**
 * Trains one head per label name found in the examples (e.g. category and priority). Deterministic:
 * the same examples in the same order give the same model and the same version string.
 */
export function trainModel(examples: readonly TrainingExample[], options: TrainOptions = {}): TriageModel {
  const featureOptions = options.features ?? DEFAULT_FEATURES;
  const epochs = options.epochs ?? 25;
  const rate = options.learningRate ?? 0.1;
  const l2 = options.l2 ?? 1e-5;
  const minDocs = options.minDocs ?? 2;
  if (examples.length === 0) throw new Error('no labelled examples to train on');

  const extracted = examples.map((e) => extractFeatures(e.subject, e.body, featureOptions));
  const docs = new Map<string, number>();
  for (const f of extracted) for (const key of f.keys()) docs.set(key, (docs.get(key) ?? 0) + 1);
  const vocabulary = [...docs.entries()].filter(([, n]) => n >= minDocs).map(([k]) => k).sort();
  const index = new Map(vocabulary.map((f, i) => [f, i]));
  const vectors = extracted.map((f) => vectorize(f, index));

  const questions = [...new Set(examples.flatMap((e) => Object.keys(e.labels)))].sort();
  const heads: Record<string, SavedModel['heads'][string]> = {};
  for (const question of questions) {
    const rows = examples.map((e, i) => ({ label: e.labels[question], x: vectors[i]! })).filter((r): r is { label: string; x: Vector } => r.label !== undefined);
    const labels = [...new Set(rows.map((r) => r.label))].sort();
    const counts = labels.map((l) => rows.filter((r) => r.label === l).length);
    const given = options.classWeights?.[question];
    const classWeight = labels.map((l, k) => given?.[l] ?? rows.length / (labels.length * counts[k]!));
    heads[question] = trainHead(rows.map((r) => ({ y: labels.indexOf(r.label), x: r.x })), labels, vocabulary.length, classWeight, { epochs, rate, l2 });
  }
  const version = `lr-${fingerprint(examples, featureOptions, epochs, rate, l2, minDocs)}`;
  return new TriageModel({
    format: MODEL_FORMAT,
    version,
    trainedAt: new Date().toISOString(),
    examples: examples.length,
    features: featureOptions,
    vocabulary,
    heads,
  });
}

function trainHead(
  rows: readonly { y: number; x: Vector }[],
  labels: readonly string[],
  size: number,
  classWeight: readonly number[],
  p: { epochs: number; rate: number; l2: number },
): SavedModel['heads'][string] {
  const K = labels.length;
  const w = labels.map(() => new Float64Array(size));
  // Adagrad: rare, telling words learn as fast as common ones.
  const g2 = labels.map(() => new Float64Array(size).fill(1e-8));
  const bias = new Float64Array(K);
  const order = rows.map((_, i) => i);
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const r of order) {
      const { x, y } = rows[r]!;
      const probs = softmax(w.map((wk, k) => dot(wk, x) + bias[k]!));
      const cw = classWeight[y]!;
      for (let k = 0; k < K; k++) {
        const err = (probs[k]! - (k === y ? 1 : 0)) * cw;
        if (err === 0) continue;
        const wk = w[k]!;
        const gk = g2[k]!;
        for (let i = 0; i < x.indexes.length; i++) {
          const f = x.indexes[i]!;
          const g = err * x.values[i]! + p.l2 * wk[f]!;
          gk[f]! += g * g;
          wk[f]! -= (p.rate * g) / Math.sqrt(gk[f]!);
        }
        bias[k]! -= 0.05 * err;
      }
    }
  }
  const round = (v: number) => Math.round(v * 1e5) / 1e5;
  return { labels, bias: [...bias].map(round), weights: w.map((wk) => [...wk].map(round)) };
}

function vectorize(features: Map<string, number>, index: Map<string, number>): Vector {
  const pairs: [number, number][] = [];
  for (const [key, count] of features) {
    const i = index.get(key);
    if (i !== undefined) pairs.push([i, 1 + Math.log(count)]);
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

export function softmax(scores: readonly number[]): number[] {
  const max = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

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
  if (!m || typeof m !== 'object' || m.format !== MODEL_FORMAT) throw new Error(`not a triage model (expected format "${MODEL_FORMAT}")`);
  if (!Array.isArray(m.vocabulary) || !m.heads || typeof m.version !== 'string') throw new Error('the model file is incomplete');
  for (const [name, h] of Object.entries(m.heads)) {
    if (!Array.isArray(h.labels) || h.weights.length !== h.labels.length || h.weights.some((w) => w.length !== m.vocabulary!.length)) {
      throw new Error(`the model's "${name}" weights do not match its vocabulary`);
    }
  }
  return new TriageModel(m as SavedModel);
}
