/**
 * The learned layer of triage: a multinomial logistic regression per question (category, priority)
 * over sparse word, word-pair and character n-gram features, trained here (no ML package, no network),
 * deterministic for the same examples, and saved as plain JSON.
 */
import { DEFAULT_FEATURES, extractFeatures, featureHash, FeatureHasher, type FeatureOptions } from './text.ts';

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
  /** Feature f's weight for label k at f * labels.length + k: one feature's weights side by side. */
  readonly weights: Float64Array;
  /** Added to each label's score after training (e.g. urgent's threshold chosen by cross-validation). */
  readonly offsets: Float64Array;
}

export class TriageModel {
  readonly version: string;
  readonly #saved: SavedModel;
  readonly #lookup: FeatureLookup;
  readonly #hasher: FeatureHasher;
  readonly #idf: Float64Array;
  readonly #heads: Map<string, Head>;
  /** Per feature: 1 for a character gram (evidence, not a reason a person reads). */
  readonly #isGram: Uint8Array;
  // Scratch space of one prediction: term counts by feature, and the features touched.
  readonly #tf: Float64Array;
  #touched: Int32Array;

  constructor(saved: SavedModel) {
    this.#saved = saved;
    this.version = saved.version;
    this.#lookup = new FeatureLookup(saved.vocabulary);
    this.#hasher = new FeatureHasher(saved.features);
    this.#idf = Float64Array.from(saved.idf);
    this.#isGram = Uint8Array.from(saved.vocabulary, (f) => (f.startsWith('c:') ? 1 : 0));
    this.#tf = new Float64Array(saved.vocabulary.length);
    this.#touched = new Int32Array(1024);
    this.#heads = new Map(
      Object.entries(saved.heads).map(([name, h]) => {
        const K = h.labels.length;
        const weights = new Float64Array(saved.vocabulary.length * K);
        h.weights.forEach((wk, k) => wk.forEach((v, f) => (weights[f * K + k] = v)));
        const offsets = Float64Array.from(h.labels, (l) => h.offsets?.[l] ?? 0);
        return [name, { labels: h.labels, bias: Float64Array.from(h.bias), weights, offsets }];
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
    const heads = Object.fromEntries(Object.entries(this.#saved.heads).map(([name, h]) => [name, { ...h, offsets: { ...h.offsets, ...offsets[name] } }]));
    return new TriageModel({ ...this.#saved, heads });
  }

  /** Every question answered for one ticket. */
  predict(subject: string, body: string): Record<string, HeadPrediction> {
    const x = this.#vectorize(subject, body);
    const out: Record<string, HeadPrediction> = {};
    for (const [name, head] of this.#heads) {
      const K = head.labels.length;
      const scores = Array.from(head.bias, (b, k) => b + head.offsets[k]!);
      for (let i = 0; i < x.indexes.length; i++) {
        const base = x.indexes[i]! * K;
        const v = x.values[i]!;
        for (let k = 0; k < K; k++) scores[k]! += head.weights[base + k]! * v;
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
      out[name] = { label: head.labels[best]!, confidence: probabilities[best]!, probabilities: probs, scores: named, topTerms: this.#topTerms(head, best, x) };
    }
    return out;
  }

  /** TF-IDF of the ticket's known features (sublinear term frequency), L2-normalised. */
  #vectorize(subject: string, body: string): Vector {
    const { hashes, count } = this.#hasher.hash(subject, body);
    const tf = this.#tf;
    let touched = 0;
    for (let i = 0; i < count; i++) {
      const f = this.#lookup.get(hashes[i]!);
      if (f < 0) continue;
      if (tf[f] === 0) {
        if (touched === this.#touched.length) {
          const grown = new Int32Array(touched * 2);
          grown.set(this.#touched);
          this.#touched = grown;
        }
        this.#touched[touched++] = f;
      }
      tf[f]! += 1;
    }
    const indexes = this.#touched.slice(0, touched);
    const values = new Float64Array(touched);
    let norm = 0;
    for (let i = 0; i < touched; i++) {
      const f = indexes[i]!;
      const v = (1 + Math.log(tf[f]!)) * this.#idf[f]!;
      tf[f] = 0;
      values[i] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < touched; i++) values[i]! /= norm;
    return { indexes, values };
  }

  #topTerms(head: Head, label: number, x: Vector): string[] {
    const K = head.labels.length;
    const pushes: { term: string; push: number }[] = [];
    for (let i = 0; i < x.indexes.length; i++) {
      const f = x.indexes[i]!;
      if (this.#isGram[f]) continue;
      const base = f * K;
      let others = 0;
      for (let k = 0; k < K; k++) if (k !== label) others += head.weights[base + k]!;
      const push = (head.weights[base + label]! - others / Math.max(1, K - 1)) * x.values[i]!;
      if (push > 0) pushes.push({ term: this.#saved.vocabulary[f]!.slice(2), push });
    }
    pushes.sort((a, b) => b.push - a.push);
    const terms: string[] = [];
    for (const p of pushes) {
      if (!terms.includes(p.term)) terms.push(p.term); // a subject word and the same body word are one reason
      if (terms.length === 5) break;
    }
    return terms;
  }
}

/** Feature hash → vocabulary index: open addressing over typed arrays, no string per lookup. */
class FeatureLookup {
  readonly #keys: Uint32Array;
  readonly #values: Int32Array;
  readonly #mask: number;

  constructor(vocabulary: readonly string[]) {
    let size = 1024;
    while (size < vocabulary.length * 2) size *= 2;
    this.#keys = new Uint32Array(size);
    this.#values = new Int32Array(size).fill(-1);
    this.#mask = size - 1;
    vocabulary.forEach((feature, index) => {
      const hash = featureHash(feature);
      let slot = mix(hash) & this.#mask;
      while (this.#values[slot] !== -1) {
        if (this.#keys[slot] === hash) return; // two features, one hash: the first one keeps it (training avoids this)
        slot = (slot + 1) & this.#mask;
      }
      this.#keys[slot] = hash;
      this.#values[slot] = index;
    });
  }

  get(hash: number): number {
    let slot = mix(hash) & this.#mask;
    for (;;) {
      const v = this.#values[slot]!;
      if (v === -1 || this.#keys[slot] === hash) return v;
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
  const l2 = options.l2 ?? 1e-5;
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
  const idf = vocabulary.map((f) => Math.round((Math.log((1 + examples.length) / (1 + docs.get(f)!)) + 1) * 1e5) / 1e5);
  const vectors = extracted.map((f) => vectorize(f, index, idf));

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
    idf,
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
  if (!Array.isArray(m.vocabulary) || !Array.isArray(m.idf) || m.idf.length !== m.vocabulary.length || !m.heads || typeof m.version !== 'string') {
    throw new Error('the model file is incomplete');
  }
  for (const [name, h] of Object.entries(m.heads)) {
    if (!Array.isArray(h.labels) || h.weights.length !== h.labels.length || h.weights.some((w) => w.length !== m.vocabulary!.length)) {
      throw new Error(`the model's "${name}" weights do not match its vocabulary`);
    }
  }
  return new TriageModel(m as SavedModel);
}
