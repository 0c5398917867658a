/**
 * A small in-process metrics registry (counters, gauges, histograms) rendered in the Prometheus text
 * exposition format. Pure: collectors that need I/O (queue depth, database counts) are registered by
 * the adapters and run at scrape time.
 */

export type Labels = Readonly<Record<string, string>>;

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k] ?? '')}"`)
    .join(',');
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function num(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export class Counter {
  readonly #values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new RangeError('a counter only goes up');
    const key = labelKey(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.#values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, v] of this.#values) out.push(`${this.name}${key ? `{${key}}` : ''} ${num(v)}`);
    return out;
  }
}

export class Gauge {
  readonly #values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  set(labels: Labels, value: number): void {
    this.#values.set(labelKey(labels), value);
  }
  get(labels: Labels = {}): number | undefined {
    return this.#values.get(labelKey(labels));
  }
  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const [key, v] of this.#values) out.push(`${this.name}${key ? `{${key}}` : ''} ${num(v)}`);
    return out;
  }
}

interface HistogramSeries {
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram {
  readonly #series = new Map<string, HistogramSeries>();
  readonly buckets: readonly number[];
  constructor(
    readonly name: string,
    readonly help: string,
    buckets: readonly number[] = DEFAULT_BUCKETS,
  ) {
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  /** Records one observation, in seconds. */
  observe(labels: Labels, seconds: number): void {
    const key = labelKey(labels);
    let s = this.#series.get(key);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, s);
    }
    this.buckets.forEach((b, i) => {
      if (seconds <= b) s.counts[i] = (s.counts[i] ?? 0) + 1;
    });
    s.sum += seconds;
    s.count += 1;
  }
  /** Times an async piece of work, observing its duration whether it succeeds or throws. */
  async time<T>(labels: Labels, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.observe(labels, (performance.now() - started) / 1000);
    }
  }
  count(labels: Labels = {}): number {
    return this.#series.get(labelKey(labels))?.count ?? 0;
  }
  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, s] of this.#series) {
      const sep = key ? ',' : '';
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket{${key}${sep}le="${num(b)}"} ${s.counts[i] ?? 0}`));
      out.push(`${this.name}_bucket{${key}${sep}le="+Inf"} ${s.count}`);
      out.push(`${this.name}_sum${key ? `{${key}}` : ''} ${num(s.sum)}`);
      out.push(`${this.name}_count${key ? `{${key}}` : ''} ${s.count}`);
    }
    return out;
  }
}

type Metric = Counter | Gauge | Histogram;

/** Runs at scrape time to refresh gauges from the outside world; a failure is reported, not thrown. */
export type Collector = () => Promise<void>;

export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>();
  readonly #collectors: { name: string; collect: Collector }[] = [];
  readonly #collectErrors: Gauge;

  constructor() {
    this.#collectErrors = this.gauge(
      'ticketrelay_metrics_collector_up',
      'Whether each scrape-time collector succeeded (1) or failed (0) on the last scrape.',
    );
  }

  counter(name: string, help: string): Counter {
    return this.#get(name, () => new Counter(name, help), Counter);
  }
  gauge(name: string, help: string): Gauge {
    return this.#get(name, () => new Gauge(name, help), Gauge);
  }
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram {
    return this.#get(name, () => new Histogram(name, help, buckets), Histogram);
  }
  addCollector(name: string, collect: Collector): void {
    this.#collectors.push({ name, collect });
  }

  /** Runs the collectors, then renders every metric in the Prometheus text format (version 0.0.4). */
  async render(): Promise<string> {
    await Promise.all(
      this.#collectors.map(async (c) => {
        try {
          await c.collect();
          this.#collectErrors.set({ collector: c.name }, 1);
        } catch {
          this.#collectErrors.set({ collector: c.name }, 0);
        }
      }),
    );
    const lines: string[] = [];
    for (const metric of this.#metrics.values()) lines.push(...metric.render());
    return `${lines.join('\n')}\n`;
  }

  #get<T extends Metric>(name: string, make: () => T, kind: abstract new (...args: never[]) => T): T {
    const existing = this.#metrics.get(name);
    if (existing) {
      if (!(existing instanceof kind)) throw new TypeError(`metric ${name} is already registered with another type`);
      return existing;
    }
    const created = make();
    this.#metrics.set(name, created);
    return created;
  }
}

/** An intake outcome, structurally (the domain knows no service). */
export interface CountedIntake {
  readonly outcome: string;
  readonly acknowledgement?: string;
}

/**
 * The intake's listener (IntakeService.onResult): counts every email the intake takes, by outcome,
 * and times it; counts acknowledgements queued and suppressed. The service tells it once per email.
 */
export function intakeMetrics(registry: MetricsRegistry): (result: CountedIntake, seconds: number) => void {
  const emails = registry.counter(
    'ticketrelay_emails_total',
    'Emails taken by the intake in this process, by outcome (created, reply, duplicate, automated, rejected, spam).',
  );
  const duration = registry.histogram(
    'ticketrelay_intake_duration_seconds',
    'Time to take one email (parse excluded for the web form), by outcome.',
  );
  const acks = registry.counter(
    'ticketrelay_acknowledgements_total',
    'Acknowledgements decided by the intake in this process: queued (to be sent) or suppressed (loop guard, rate limit, bounced address).',
  );
  return (result, seconds) => {
    emails.inc({ outcome: result.outcome });
    duration.observe({ outcome: result.outcome }, seconds);
    if (result.acknowledgement)
      acks.inc({ result: result.acknowledgement.startsWith('suppressed') ? 'suppressed' : 'queued' });
  };
}

const COMMAND_LABELS = new Set([
  'help',
  'list',
  'view',
  'close',
  'reopen',
  'reply',
  'note',
  'assign',
  'priority',
  'category',
  'stats',
  'export',
]);

/** The command service's listener (CommandService.onAnswer): times every /ticket command and button, by command and result. */
export function commandMetrics(
  registry: MetricsRegistry,
): (
  asked: { readonly typed: string } | { readonly button: string },
  reply: { readonly ok: boolean },
  seconds: number,
) => void {
  const duration = registry.histogram(
    'ticketrelay_command_duration_seconds',
    'Time to answer one /ticket command or button (every platform), by command and result.',
  );
  const label = (asked: { readonly typed: string } | { readonly button: string }): string => {
    if ('button' in asked) return `button_${asked.button}`;
    // The verb only, from a known set: what people type must not become label values.
    const verb =
      asked.typed
        .replace(/^\s*\/?ticket\b/i, '')
        .trim()
        .split(/\s+/)[0]
        ?.toLowerCase() || 'help';
    return COMMAND_LABELS.has(verb) ? verb : 'other';
  };
  return (asked, reply, seconds) =>
    duration.observe({ command: label(asked), result: reply.ok ? 'done' : 'refused' }, seconds);
}
