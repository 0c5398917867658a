/** Scores to probabilities: shared by the model, the operator's rules and the classifier. */

export function softmax(scores: readonly number[]): number[] {
  const max = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** The label with the highest score (in `order`, the first wins a tie) and its softmax probability. */
export function argmax<T extends string>(scores: Readonly<Record<string, number>>, order: readonly T[]): [T, number] {
  const labels = order.filter((l) => scores[l] !== undefined);
  const probabilities = softmax(labels.map((l) => scores[l]!));
  let best = 0;
  for (let k = 1; k < labels.length; k++) if (probabilities[k]! > probabilities[best]!) best = k;
  return [labels[best]!, probabilities[best]!];
}
